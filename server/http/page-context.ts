import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import type { Ctx, Role } from "@/lib/context";
import { createId } from "@/lib/ids";
import { hasRole } from "@/lib/users/authorize";
import { Users, type User } from "@/lib/users/schemas";
import type { Doc } from "@/lib/storage/typed";
import { sessionStillValid } from "@/lib/users/end-sessions";
import { safeCallbackPath } from "@/lib/users/safe-callback";
import { sessionClaims } from "@/server/auth/with-user";
import { getRuntime, type Runtime } from "@/server/runtime";

/** Set by the custom server on every request to what the browser asked for (`req.url`); a client's own value is overwritten. */
export const REQUEST_PATH_HEADER = "x-continuon-request-path";

export interface PageSession {
  runtime: Runtime;
  ctx: Ctx;
  user: Doc<User>;
}

/** The signed-in user of a server component render, or null. */
export async function getPageSession(): Promise<PageSession | null> {
  const runtime = await getRuntime();
  const cookieStore = await cookies();
  const headerStore = await headers();
  const cookieHeader = cookieStore
    .getAll()
    .map((cookie) => `${cookie.name}=${encodeURIComponent(cookie.value)}`)
    .join("; ");
  const claims = await sessionClaims(runtime, new Request("http://internal/", { headers: { cookie: cookieHeader } }));
  if (!claims) return null;
  const uid = claims.uid;
  const user = await runtime.db.get(Users, uid);
  // Ended sessions (sign-out, role or password change, disabled account) count as signed out.
  if (!user || !sessionStillValid(user.data, claims.sessionVersion)) return null;
  const ctx = runtime.contextFor(
    { kind: "user", uid, role: user.data.role, email: user.data.email },
    {
      requestId: createId("req"),
      ip: headerStore.get("x-continuon-remote-addr"),
      userAgent: headerStore.get("user-agent"),
    },
  );
  return { runtime, ctx, user };
}

/**
 * The path and query the browser asked for, as the custom server recorded it before Next saw the
 * request (layouts are not told the pathname). Next's own `_rsc` cache-busting parameter is
 * dropped; anything not a same-origin path gives null.
 */
export async function requestedPath(): Promise<string | null> {
  const raw = (await headers()).get(REQUEST_PATH_HEADER);
  if (!raw) return null;
  let url: URL;
  try {
    url = new URL(raw, "http://internal.invalid");
  } catch {
    return null;
  }
  if (url.origin !== "http://internal.invalid") return null;
  url.searchParams.delete("_rsc");
  const path = safeCallbackPath(`${url.pathname}${url.search}`, "http://internal.invalid", "");
  return path || null;
}

/**
 * For console pages: redirect to sign-in when signed out, with the page the browser asked for
 * (path and query, so a shared link survives sign-in), or `callbackPath` when it is not known.
 * This is user experience only; the verbs the page calls check the actor again.
 */
export async function requirePageSession(callbackPath = "/console"): Promise<PageSession> {
  const session = await getPageSession();
  if (!session) redirect(`/signin?callbackUrl=${encodeURIComponent((await requestedPath()) ?? callbackPath)}`);
  return session;
}

export function sessionHasRole(session: PageSession, atLeast: Role): boolean {
  return hasRole(session.user.data.role, atLeast);
}
