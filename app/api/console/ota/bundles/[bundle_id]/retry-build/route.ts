import { z } from "zod";
import { retryBundleBuild } from "@/lib/ota/retry-bundle-build";
import { withUser } from "@/server/auth/with-user";
import { createRoute, json } from "@/server/http/route";

// POST /api/console/ota/bundles/{bundle_id}/retry-build — build a failed bundle again (audited); 409 build_not_failed otherwise
export const POST = createRoute(
  withUser("operator"),
  { params: z.object({ bundle_id: z.string().max(200) }), bodyMode: "none" },
  async ({ ctx, params }) => {
    const bundle = await retryBundleBuild(ctx, params.bundle_id);
    return json({ bundle_id: bundle.id, ...bundle.data }, { status: 202 });
  },
);
