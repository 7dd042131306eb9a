import { z } from "zod";
import { listModels } from "@/lib/models/list-models";
import { registerModel } from "@/lib/models/register-model";
import { withTrainingToken, withTrainingTokenOrUser } from "@/server/http/with-training-token";
import { createRoute, json } from "@/server/http/route";

// GET /api/training/models — models newest first (?robot_model=…&stage=…)
export const GET = createRoute(
  withTrainingTokenOrUser("training:read"),
  { query: z.record(z.string(), z.string()) },
  async ({ ctx, query }) => {
    const page = await listModels(ctx, query);
    return { models: page.models, next_cursor: page.nextCursor };
  },
);

// POST /api/training/models — the lease holder registers an intermediate checkpoint of its job {job_id, lease_id, model_ref, metrics}
export const POST = createRoute(
  withTrainingToken("training"),
  { body: z.unknown(), maxBodyBytes: 64 * 1024 },
  async ({ ctx, body }) => json(await registerModel(ctx, body), { status: 201 }),
);
