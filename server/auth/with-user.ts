import { decode } from "next-auth/jwt";
import type { Role } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { hasRole } from "@/lib/users/authorize";
import { sessionStillValid } from "@/lib/users/end-sessions";
import { Users } from "@/lib/users/schemas";
import { upsertFirebaseUser } from "@/lib/users/upsert-firebase-user";
import type { Runtime } from "@/server/runtime";
import type { AuthResult, Authenticator } from "@/server/http/route";
import { verifyFirebaseIdToken } from "./firebase";

const SESSION_COOKIES = ["__Secure-next-auth.session-token", "next-auth.session-token"];

function cookie(request: Request, name: string): string | null {
  const header = request.headers.get("cookie");
  if (!header) return null;
  for (const part of header.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return null;
}

export interface SessionClaims {
  uid: string;
  /** The account's session version when the session was issued (absent in sessions from before versions). */
  sessionVersion: number | undefined;
}

/**
 * What a request's session cookie says (no session, expired, or tampered: null). Whether it is
 * still valid is {@link sessionStillValid}.
 */
export async function sessionClaims(runtime: Runtime, request: Request): Promise<SessionClaims | null> {
  for (const name of SESSION_COOKIES) {
    const token = cookie(request, name);
    if (!token) continue;
    try {
      const payload = await decode({ token, secret: runtime.secrets.nextAuthSecret });
      if (payload && typeof payload.uid === "string")
        return { uid: payload.uid, sessionVersion: typeof payload.sv === "number" ? payload.sv : undefined };
    } catch {
      return null;
    }
  }
  return null;
}

/** The uid a request's session names, or null (no session, expired, or tampered). */
export async function sessionUid(runtime: Runtime, request: Request): Promise<string | null> {
  return (await sessionClaims(runtime, request))?.uid ?? null;
}

/**
 * Where a request says it comes from: its `Origin`'s host, or — with no Origin — whether the
 * browser's `Sec-Fetch-Site` says same-origin. A browser sends one or the other on every write;
 * a request that carries neither cannot show it came from our pages.
 */
export function requestOriginVerdict(
  publicUrl: string,
  request: Request,
): "same_origin" | "cross_site" | "origin_missing" {
  const origin = request.headers.get("origin");
  if (origin) {
    const allowed = new Set([new URL(publicUrl).host, request.headers.get("host") ?? ""]);
    let host: string;
    try {
      host = new URL(origin).host;
    } catch {
      host = "";
    }
    return allowed.has(host) ? "same_origin" : "cross_site";
  }
  const site = request.headers.get("sec-fetch-site");
  if (site === "same-origin") return "same_origin";
  return site ? "cross_site" : "origin_missing";
}

/**
 * Cookie-authenticated writes must come from our own pages: a cross-site form or fetch carries an
 * Origin that is not ours, and a write that carries neither a same-origin `Origin` nor
 * `Sec-Fetch-Site: same-origin` is refused too (SameSite=Lax cookies already stop most of it;
 * this closes the rest). Bearer tokens are not sent by browsers on their own and need no check.
 * Described on /docs/security.
 */
export function assertSameOrigin(runtime: Runtime, request: Request): void {
  if (["GET", "HEAD", "OPTIONS"].includes(request.method)) return;
  const verdict = requestOriginVerdict(runtime.config.publicUrl, request);
  if (verdict === "cross_site")
    throw new DomainError("forbidden", "Cross-site requests are not allowed.", { reason: "cross_site_request" });
  if (verdict === "origin_missing")
    throw new DomainError(
      "forbidden",
      "A signed-in write must say where it comes from (an Origin or Sec-Fetch-Site header, as browsers send).",
      { reason: "origin_required" },
    );
}

/** Resolve the signed-in user from a session cookie or a Firebase ID token bearer. */
export async function authenticateUser(
  runtime: Runtime,
  request: Request,
  info: { requestId: string; ip: string | null; userAgent: string | null },
): Promise<AuthResult> {
  const bearer = request.headers.get("authorization")?.match(/^Bearer\s+(.+)$/i)?.[1];
  let uid: string | null = null;
  let claims: SessionClaims | null = null;
  if (bearer && runtime.config.authDriver === "firebase") {
    const identity = await verifyFirebaseIdToken(runtime, bearer);
    uid = (await upsertFirebaseUser(runtime.contextFor({ kind: "anonymous" }, info), identity)).uid;
  } else {
    claims = await sessionClaims(runtime, request);
    uid = claims?.uid ?? null;
    if (uid) assertSameOrigin(runtime, request);
  }
  if (!uid) throw new DomainError("unauthenticated", "Sign in to do this.", { reason: "sign_in_required" });
  const user = await runtime.db.get(Users, uid);
  if (!user)
    throw new DomainError("unauthenticated", "Your account no longer exists; sign in again.", {
      reason: "account_missing",
    });
  if (user.data.disabled_at)
    throw new DomainError("unauthenticated", "This account is disabled; ask an admin.", { reason: "account_disabled" });
  // A session cookie ended by sign-out, a role or password change is refused (a Firebase ID
  // token is checked for revocation by Firebase itself).
  if (claims && !sessionStillValid(user.data, claims.sessionVersion))
    throw new DomainError("unauthenticated", "This session has ended; sign in again.", { reason: "session_revoked" });
  return { actor: { kind: "user", uid, role: user.data.role, email: user.data.email } };
}

/**
 * Route authenticator for signed-in users. `atLeast` rejects lower roles with 403 here, and the
 * verb checks again in the domain (the rule lives there; this keeps routes honest too).
 */
export function withUser(atLeast: Role = "owner"): Authenticator {
  return async ({ request, runtime, info }) => {
    const result = await authenticateUser(runtime, request, info);
    if (result.actor.kind === "user" && !hasRole(result.actor.role, atLeast)) {
      throw new DomainError("forbidden", `This needs the ${atLeast} role.`, { reason: "role_required" });
    }
    return result;
  };
}
