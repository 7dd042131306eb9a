import { z } from "zod";
import { getRolloutSeries } from "@/lib/ota/get-rollout-series";
import { withUser } from "@/server/auth/with-user";
import { createRoute } from "@/server/http/route";

// GET /api/console/ota/bundles/{bundle_id}/series — offered/downloaded/installed/failed/rolled_back over time (the chart)
export const GET = createRoute(
  withUser("operator"),
  { params: z.object({ bundle_id: z.string().max(200) }) },
  async ({ ctx, params }) => getRolloutSeries(ctx, params.bundle_id),
);
