import { z } from "zod";
import { createTrainingToken } from "@/lib/training/create-training-token";
import { listTrainingTokens } from "@/lib/training/list-training-tokens";
import { withUser } from "@/server/auth/with-user";
import { createRoute, json } from "@/server/http/route";

// GET /api/console/training-tokens — admins list training tokens (never the secrets) with when each was last used
export const GET = createRoute(
  withUser("admin"),
  {
    query: z.object({
      cursor: z.string().max(500).optional(),
      limit: z.coerce.number().int().min(1).max(500).optional(),
    }),
  },
  async ({ ctx, query }) => {
    const page = await listTrainingTokens(ctx, query);
    return { tokens: page.tokens, next_cursor: page.nextCursor };
  },
);

// POST /api/console/training-tokens — an admin creates a token {name, scopes?, expires_at?}; the secret is in this answer only
export const POST = createRoute(withUser("admin"), { body: z.unknown(), maxBodyBytes: 4096 }, async ({ ctx, body }) => {
  const { token, record } = await createTrainingToken(ctx, body);
  return json({ ...record, token }, { status: 201 });
});
