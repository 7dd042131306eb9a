import { z } from "zod";
import { authenticateLocal } from "@/lib/users/authenticate-local";
import { safeCallbackPath } from "@/lib/users/safe-callback";
import { issueSessionCookie } from "@/server/auth/session-cookie";
import { assertSameOrigin } from "@/server/auth/with-user";
import { anonymous, createRoute } from "@/server/http/route";

/**
 * POST /api/auth/sign-in — email + password sign-in for local accounts (what the sign-in form
 * calls). Unlike next-auth's credentials callback it answers in the API's own terms: 401
 * `bad_credentials`, 429 `sign_in_throttled` with `Retry-After`, 200 with the session cookie and
 * the same-origin path to go to next.
 */
export const POST = createRoute(
  anonymous,
  {
    body: z.object({ email: z.unknown(), password: z.unknown(), callbackUrl: z.string().max(2048).optional() }),
    maxBodyBytes: 16 * 1024,
  },
  async ({ ctx, runtime, request, body }) => {
    assertSameOrigin(runtime, request);
    const { uid, user } = await authenticateLocal(ctx, { email: body.email, password: body.password });
    const cookie = await issueSessionCookie(runtime, {
      uid,
      email: user.email,
      name: user.display_name,
      sessionVersion: user.session_version ?? 0,
    });
    const redirectTo = safeCallbackPath(body.callbackUrl, runtime.config.publicUrl);
    return new Response(JSON.stringify({ uid, email: user.email, role: user.role, redirect_to: redirectTo }), {
      status: 200,
      headers: { "content-type": "application/json", "set-cookie": cookie, "cache-control": "no-store" },
    });
  },
);
