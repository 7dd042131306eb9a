import { z } from "zod";
import { getModelLineage } from "@/lib/models/get-model-lineage";
import { withTrainingTokenOrUser } from "@/server/http/with-training-token";
import { createRoute } from "@/server/http/route";

// GET /api/training/models/{model_id} — a model with its lineage (job, dataset, episodes, parent, children)
export const GET = createRoute(
  withTrainingTokenOrUser("training:read"),
  { params: z.object({ modelId: z.string().min(1).max(200) }), query: z.record(z.string(), z.string()) },
  async ({ ctx, params, query }) => getModelLineage(ctx, params.modelId, query),
);
