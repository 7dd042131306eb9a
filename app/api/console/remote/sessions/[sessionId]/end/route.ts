import { z } from "zod";
import { revokeRemoteSession } from "@/lib/remote/revoke-remote-session";
import { withUser } from "@/server/auth/with-user";
import { createRoute } from "@/server/http/route";

// POST /api/console/remote/sessions/{sessionId}/end — the console's Disconnect and an admin's "End session" (audited as a revocation)
export const POST = createRoute(
  withUser("owner"),
  {
    params: z.object({ sessionId: z.string().max(100) }),
    body: z.object({ reason: z.string().max(200).optional() }).optional(),
  },
  async ({ ctx, params, body }) => revokeRemoteSession(ctx, { session_id: params.sessionId, reason: body?.reason }),
);
