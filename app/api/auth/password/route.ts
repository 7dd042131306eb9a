import { z } from "zod";
import { changePassword } from "@/lib/users/change-password";
import { withUser } from "@/server/auth/with-user";
import { createRoute } from "@/server/http/route";
import { clearSessionCookies } from "@/server/auth/session-cookie";

// POST /api/auth/password — change your own password; every session of the account ends, this one included
export const POST = createRoute(
  withUser("owner"),
  { body: z.unknown(), maxBodyBytes: 16 * 1024 },
  async ({ ctx, runtime, body }) => {
    await changePassword(ctx, body);
    const headers = new Headers({ "content-type": "application/json" });
    for (const cookie of clearSessionCookies(runtime)) headers.append("set-cookie", cookie);
    return new Response(JSON.stringify({ changed: true, signed_out: true }), { status: 200, headers });
  },
);
