import { z } from "zod";
import { getModelDownloads } from "@/lib/models/get-model-downloads";
import { withTrainingTokenOrUser } from "@/server/http/with-training-token";
import { createRoute } from "@/server/http/route";

// GET /api/training/models/{model_id}/files — the model's files with signed download URLs
export const GET = createRoute(
  withTrainingTokenOrUser("training:read"),
  { params: z.object({ modelId: z.string().min(1).max(200) }) },
  async ({ ctx, params }) => getModelDownloads(ctx, params.modelId),
);
