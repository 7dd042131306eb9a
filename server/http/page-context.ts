import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import type { Ctx, Role } from "@/lib/context";
import { createId } from "@/lib/ids";
import { hasRole } from "@/lib/users/authorize";
import { Users, type User } from "@/lib/users/schemas";
import type { Doc } from "@/lib/storage/typed";
import { sessionUid } from "@/server/auth/with-user";
import { getRuntime, type Runtime } from "@/server/runtime";

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
  const uid = await sessionUid(runtime, new Request("http://internal/", { headers: { cookie: cookieHeader } }));
  if (!uid) return null;
  const user = await runtime.db.get(Users, uid);
  if (!user) return null;
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
 * For console pages: redirect to sign-in when signed out. This is user experience only; the
 * verbs the page calls check the actor again.
 */
export async function requirePageSession(callbackPath = "/console"): Promise<PageSession> {
  const session = await getPageSession();
  if (!session) redirect(`/signin?callbackUrl=${encodeURIComponent(callbackPath)}`);
  return session;
}

export function sessionHasRole(session: PageSession, atLeast: Role): boolean {
  return hasRole(session.user.data.role, atLeast);
}
