import { z } from "zod";
import { updateTrainingJob } from "@/lib/training/update-training-job";
import { withTrainingTokenOrUser } from "@/server/http/with-training-token";
import { createRoute } from "@/server/http/route";

// POST /api/training/update — the seed's status report {job_id, status, output?, model_ref?, metrics?} (training token or operator)
export const POST = createRoute(
  withTrainingTokenOrUser("training"),
  { body: z.unknown(), maxBodyBytes: 64 * 1024 },
  async ({ ctx, body }) => updateTrainingJob(ctx, body),
);
