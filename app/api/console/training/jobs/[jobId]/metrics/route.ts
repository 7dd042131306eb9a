import { z } from "zod";
import { listTrainingMetrics } from "@/lib/training/list-training-metrics";
import { withUser } from "@/server/auth/with-user";
import { createRoute } from "@/server/http/route";

// GET /api/console/training/jobs/{job_id}/metrics — metric points after ?after_step (the live charts poll this)
export const GET = createRoute(
  withUser("operator"),
  { params: z.object({ jobId: z.string().min(1).max(200) }), query: z.record(z.string(), z.string()) },
  async ({ ctx, params, query }) => listTrainingMetrics(ctx, params.jobId, query),
);
