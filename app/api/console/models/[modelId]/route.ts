import { z } from "zod";
import { getModelLineage } from "@/lib/models/get-model-lineage";
import { withUser } from "@/server/auth/with-user";
import { createRoute } from "@/server/http/route";

// GET /api/console/models/{model_id} — a model with its lineage (?episodes_cursor for more episodes)
export const GET = createRoute(
  withUser("operator"),
  { params: z.object({ modelId: z.string().min(1).max(200) }), query: z.record(z.string(), z.string()) },
  async ({ ctx, params, query }) => getModelLineage(ctx, params.modelId, query),
);
