import { z } from "zod";
import { revokeRemoteSession } from "@/lib/remote/revoke-remote-session";
import { withUser } from "@/server/auth/with-user";
import { createRoute } from "@/server/http/route";

// POST /api/remote/revoke — end a session now (its user, or an admin): the token stops working and live connections close
export const POST = createRoute(withUser("owner"), { body: z.unknown(), maxBodyBytes: 4096 }, async ({ ctx, body }) =>
  revokeRemoteSession(ctx, body),
);
