import { z } from "zod";
import { getTrainingJob } from "@/lib/training/get-training-job";
import { withTrainingTokenOrUser } from "@/server/http/with-training-token";
import { createRoute } from "@/server/http/route";

// GET /api/training/jobs/{job_id} — one job with its config, dataset, progress and output
export const GET = createRoute(
  withTrainingTokenOrUser("training:read"),
  { params: z.object({ jobId: z.string().min(1).max(200) }) },
  async ({ ctx, params }) => getTrainingJob(ctx, params.jobId),
);
