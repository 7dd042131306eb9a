import { z } from "zod";
import { listModels } from "@/lib/models/list-models";
import { registerModel } from "@/lib/models/register-model";
import { withUser } from "@/server/auth/with-user";
import { createRoute, json } from "@/server/http/route";

// GET /api/console/models — models newest first (?robot_model, ?stage, ?cursor)
export const GET = createRoute(
  withUser("operator"),
  { query: z.record(z.string(), z.string()) },
  async ({ ctx, query }) => {
    const page = await listModels(ctx, query);
    return { models: page.models, next_cursor: page.nextCursor };
  },
);

// POST /api/console/models — an operator registers a model whose files are under models/ {model_ref, robot_model, …}
export const POST = createRoute(
  withUser("operator"),
  { body: z.unknown(), maxBodyBytes: 64 * 1024 },
  async ({ ctx, body }) => json(await registerModel(ctx, body), { status: 201 }),
);
