import { z } from "zod";
import { getTrainingJob } from "@/lib/training/get-training-job";
import { withUser } from "@/server/auth/with-user";
import { createRoute } from "@/server/http/route";

// GET /api/console/training/jobs/{job_id} — one job (polled by the job page while it runs)
export const GET = createRoute(
  withUser("operator"),
  { params: z.object({ jobId: z.string().min(1).max(200) }) },
  async ({ ctx, params }) => getTrainingJob(ctx, params.jobId),
);
