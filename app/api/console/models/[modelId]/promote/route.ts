import { z } from "zod";
import { promoteModel } from "@/lib/models/promote-model";
import { withUser } from "@/server/auth/with-user";
import { createRoute } from "@/server/http/route";

// POST /api/console/models/{model_id}/promote — an operator makes it the production model of its robot model {note?} (audited)
export const POST = createRoute(
  withUser("operator"),
  { params: z.object({ modelId: z.string().min(1).max(200) }), body: z.unknown(), maxBodyBytes: 4096 },
  async ({ ctx, params, body }) => promoteModel(ctx, params.modelId, body ?? {}),
);
