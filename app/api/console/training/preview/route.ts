import { z } from "zod";
import { previewTrainingDataset } from "@/lib/training/preview-training-dataset";
import { withUser } from "@/server/auth/with-user";
import { createRoute } from "@/server/http/route";

// POST /api/console/training/preview — how many episodes a filter selects, their robot models and set hash
export const POST = createRoute(
  withUser("operator"),
  { body: z.unknown(), maxBodyBytes: 16 * 1024 },
  async ({ ctx, body }) => previewTrainingDataset(ctx, body),
);
