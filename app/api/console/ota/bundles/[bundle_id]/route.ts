import { z } from "zod";
import { getBundle } from "@/lib/ota/get-bundle";
import { withUser } from "@/server/auth/with-user";
import { createRoute } from "@/server/http/route";

// GET /api/console/ota/bundles/{bundle_id} — one bundle: manifest, signature, rollout, approvals, health
export const GET = createRoute(
  withUser("operator"),
  { params: z.object({ bundle_id: z.string().max(200) }) },
  async ({ ctx, params }) => {
    const detail = await getBundle(ctx, params.bundle_id);
    return {
      bundle_id: detail.bundle.id,
      ...detail.bundle.data,
      health: detail.health,
      track: detail.track,
      rollback_target: detail.rollback_target,
    };
  },
);
