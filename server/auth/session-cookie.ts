import { encode } from "next-auth/jwt";
import type { Runtime } from "@/server/runtime";

/** How long a session lasts (next-auth's JWT and cookie lifetime). */
export const SESSION_MAX_AGE_S = 12 * 3600;

/** next-auth's cookie name: `__Secure-` prefixed when the public URL is https, as next-auth itself names it. */
export function sessionCookieName(runtime: Runtime): string {
  return secure(runtime) ? "__Secure-next-auth.session-token" : "next-auth.session-token";
}

function secure(runtime: Runtime): boolean {
  return new URL(runtime.config.publicUrl).protocol === "https:";
}

function attributes(runtime: Runtime, maxAgeS: number): string {
  return `Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeS}${secure(runtime) ? "; Secure" : ""}`;
}

/**
 * A next-auth session cookie for a user who signed in through our own sign-in route: the same
 * encrypted JWT next-auth issues (so `/api/auth/session`, sign-out and `withUser` read it as
 * theirs), carrying the uid and the account's session version.
 */
export async function issueSessionCookie(
  runtime: Runtime,
  session: { uid: string; email: string; name: string; sessionVersion: number },
): Promise<string> {
  const token = await encode({
    secret: runtime.secrets.nextAuthSecret,
    maxAge: SESSION_MAX_AGE_S,
    token: { sub: session.uid, uid: session.uid, sv: session.sessionVersion, email: session.email, name: session.name },
  });
  return `${sessionCookieName(runtime)}=${token}; ${attributes(runtime, SESSION_MAX_AGE_S)}`;
}

/** Cookies that remove a session cookie from the browser. */
export function clearSessionCookies(runtime: Runtime): string[] {
  return [`${sessionCookieName(runtime)}=; ${attributes(runtime, 0)}`];
}
