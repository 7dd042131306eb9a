import { z } from "zod";
import { listRolloutAudit } from "@/lib/ota/list-rollout-audit";
import { withUser } from "@/server/auth/with-user";
import { createRoute } from "@/server/http/route";

// GET /api/console/ota/bundles/{bundle_id}/audit — the bundle's audit trail: build, approvals, pauses, rollback
export const GET = createRoute(
  withUser("operator"),
  {
    params: z.object({ bundle_id: z.string().max(200) }),
    query: z.object({ cursor: z.string().max(2000).optional() }),
  },
  async ({ ctx, params, query }) => {
    const page = await listRolloutAudit(ctx, params.bundle_id, query.cursor ?? null);
    return { entries: page.docs.map((doc) => ({ id: doc.id, ...doc.data })), next_cursor: page.nextCursor };
  },
);
