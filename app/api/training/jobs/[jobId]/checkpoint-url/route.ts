import { z } from "zod";
import { createCheckpointUploadUrl } from "@/lib/training/create-checkpoint-upload-url";
import { withTrainingToken } from "@/server/http/with-training-token";
import { createRoute } from "@/server/http/route";

// POST /api/training/jobs/{job_id}/checkpoint-url — a signed upload URL for one file under models/checkpoints/{job_id}/
export const POST = createRoute(
  withTrainingToken("training"),
  { params: z.object({ jobId: z.string().min(1).max(200) }), body: z.unknown(), maxBodyBytes: 8 * 1024 },
  async ({ ctx, params, body }) => createCheckpointUploadUrl(ctx, params.jobId, body),
);
