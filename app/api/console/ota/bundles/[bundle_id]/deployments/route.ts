import { z } from "zod";
import { listDeployments } from "@/lib/ota/list-deployments";
import { withUser } from "@/server/auth/with-user";
import { createRoute } from "@/server/http/route";

// GET /api/console/ota/bundles/{bundle_id}/deployments?state=&cursor= — the per-robot table of a rollout
export const GET = createRoute(
  withUser("operator"),
  {
    params: z.object({ bundle_id: z.string().max(200) }),
    query: z.object({
      state: z.string().max(20).optional(),
      cursor: z.string().max(2000).optional(),
      limit: z.coerce.number().int().min(1).max(500).optional(),
    }),
  },
  async ({ ctx, params, query }) => {
    const page = await listDeployments(ctx, { bundle_id: params.bundle_id, ...query });
    return { deployments: page.docs.map((doc) => doc.data), next_cursor: page.nextCursor };
  },
);
