import { z } from "zod";
import { appendTrainingLogs } from "@/lib/training/append-training-logs";
import { withTrainingToken } from "@/server/http/with-training-token";
import { createRoute } from "@/server/http/route";

// POST /api/training/jobs/{job_id}/logs — the lease holder appends log lines {lease_id, lines: [{level?, message}]}
export const POST = createRoute(
  withTrainingToken("training"),
  { params: z.object({ jobId: z.string().min(1).max(200) }), body: z.unknown(), maxBodyBytes: 512 * 1024 },
  async ({ ctx, params, body }) => appendTrainingLogs(ctx, params.jobId, body),
);
