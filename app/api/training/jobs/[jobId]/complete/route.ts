import { z } from "zod";
import { completeTrainingJob } from "@/lib/training/complete-training-job";
import { withTrainingToken } from "@/server/http/with-training-token";
import { createRoute } from "@/server/http/route";

// POST /api/training/jobs/{job_id}/complete — the lease holder completes with {lease_id, model_ref?, metrics, model?}; registers the model
export const POST = createRoute(
  withTrainingToken("training"),
  { params: z.object({ jobId: z.string().min(1).max(200) }), body: z.unknown(), maxBodyBytes: 64 * 1024 },
  async ({ ctx, params, body }) => completeTrainingJob(ctx, params.jobId, body),
);
