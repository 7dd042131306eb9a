import { z } from "zod";
import { createTrainingJobCompat } from "@/lib/training/create-training-job-compat";
import { withTrainingTokenOrUser } from "@/server/http/with-training-token";
import { createRoute, json } from "@/server/http/route";

// POST /api/training/create — the seed's job creation {type, episode_ids, config?, robot_model?} (training token or operator)
export const POST = createRoute(
  withTrainingTokenOrUser("training"),
  { body: z.unknown(), maxBodyBytes: 1024 * 1024 },
  async ({ ctx, body }) => json(await createTrainingJobCompat(ctx, body), { status: 201 }),
);
