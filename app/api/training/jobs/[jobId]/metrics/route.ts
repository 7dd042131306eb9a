import { z } from "zod";
import { listTrainingMetrics } from "@/lib/training/list-training-metrics";
import { reportTrainingMetrics } from "@/lib/training/report-training-metrics";
import { withTrainingToken, withTrainingTokenOrUser } from "@/server/http/with-training-token";
import { createRoute } from "@/server/http/route";

// POST /api/training/jobs/{job_id}/metrics — the lease holder reports metric points {lease_id, points: [{step, loss, …}]}
export const POST = createRoute(
  withTrainingToken("training"),
  { params: z.object({ jobId: z.string().min(1).max(200) }), body: z.unknown(), maxBodyBytes: 256 * 1024 },
  async ({ ctx, params, body }) => reportTrainingMetrics(ctx, params.jobId, body),
);

// GET /api/training/jobs/{job_id}/metrics — metric points in step order (?after_step=…)
export const GET = createRoute(
  withTrainingTokenOrUser("training:read"),
  { params: z.object({ jobId: z.string().min(1).max(200) }), query: z.record(z.string(), z.string()) },
  async ({ ctx, params, query }) => listTrainingMetrics(ctx, params.jobId, query),
);
