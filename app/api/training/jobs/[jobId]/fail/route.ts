import { z } from "zod";
import { failTrainingJob } from "@/lib/training/fail-training-job";
import { withTrainingToken } from "@/server/http/with-training-token";
import { createRoute } from "@/server/http/route";

// POST /api/training/jobs/{job_id}/fail — the lease holder gives up {lease_id, error, retry?}
export const POST = createRoute(
  withTrainingToken("training"),
  { params: z.object({ jobId: z.string().min(1).max(200) }), body: z.unknown(), maxBodyBytes: 16 * 1024 },
  async ({ ctx, params, body }) => failTrainingJob(ctx, params.jobId, body),
);
