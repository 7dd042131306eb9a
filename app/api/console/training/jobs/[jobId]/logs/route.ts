import { z } from "zod";
import { listTrainingLogs } from "@/lib/training/list-training-logs";
import { withUser } from "@/server/auth/with-user";
import { createRoute } from "@/server/http/route";

// GET /api/console/training/jobs/{job_id}/logs — log lines after ?after (worker and system)
export const GET = createRoute(
  withUser("operator"),
  { params: z.object({ jobId: z.string().min(1).max(200) }), query: z.record(z.string(), z.string()) },
  async ({ ctx, params, query }) => listTrainingLogs(ctx, params.jobId, query),
);
