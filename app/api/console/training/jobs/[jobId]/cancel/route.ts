import { z } from "zod";
import { cancelTrainingJob } from "@/lib/training/cancel-training-job";
import { withUser } from "@/server/auth/with-user";
import { createRoute } from "@/server/http/route";

// POST /api/console/training/jobs/{job_id}/cancel — an operator cancels a queued or running job {reason?} (audited)
export const POST = createRoute(
  withUser("operator"),
  { params: z.object({ jobId: z.string().min(1).max(200) }), body: z.unknown(), maxBodyBytes: 4096 },
  async ({ ctx, params, body }) => cancelTrainingJob(ctx, params.jobId, body ?? {}),
);
