import { z } from "zod";
import { createProvisioningToken } from "@/lib/robots/create-provisioning-token";
import { listProvisioningTokens } from "@/lib/robots/list-provisioning-tokens";
import { withUser } from "@/server/auth/with-user";
import { createRoute, json } from "@/server/http/route";

// GET /api/console/provisioning-tokens — admins list provisioning tokens (never the secrets), newest first
export const GET = createRoute(
  withUser("admin"),
  {
    query: z.object({
      cursor: z.string().max(2000).optional(),
      limit: z.coerce.number().int().min(1).max(200).optional(),
    }),
  },
  async ({ ctx, query }) => {
    const page = await listProvisioningTokens(ctx, query);
    return { tokens: page.tokens, next_cursor: page.nextCursor };
  },
);

// POST /api/console/provisioning-tokens — an admin creates a token for a robot model; the token is in this answer only
export const POST = createRoute(
  withUser("admin"),
  { body: z.unknown(), maxBodyBytes: 8 * 1024 },
  async ({ ctx, body }) => {
    const { token, record } = await createProvisioningToken(ctx, body);
    return json({ ...record, token }, { status: 201 });
  },
);
