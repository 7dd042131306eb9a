import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { DomainError } from "@/lib/errors";
import { createId } from "@/lib/ids";
import { authenticateLocal } from "@/lib/users/authenticate-local";
import { endSessions, sessionStillValid } from "@/lib/users/end-sessions";
import { Users } from "@/lib/users/schemas";
import { safeCallbackPath } from "@/lib/users/safe-callback";
import { upsertFirebaseUser } from "@/lib/users/upsert-firebase-user";
import type { Runtime } from "@/server/runtime";
import { verifyFirebaseIdToken } from "./firebase";
import { SESSION_MAX_AGE_S } from "./session-cookie";

export { SESSION_MAX_AGE_S };

class SessionEndedError extends Error {
  constructor() {
    super("The session has ended.");
    this.name = "SessionEndedError";
  }
}

function requestInfoFrom(headers: Record<string, unknown> | undefined) {
  const header = (name: string) => {
    const value = headers?.[name];
    return typeof value === "string" ? value : null;
  };
  return { requestId: createId("req"), ip: header("x-continuon-remote-addr"), userAgent: header("user-agent") };
}

/**
 * next-auth 4 with JWT sessions. The token carries the user id and the account's session version;
 * the role and the version are read from `users/{uid}` on every request, so a role change applies
 * at once and an ended session (sign-out, role or password change, disabled) is refused. Local
 * accounts sign in with email + password (the form uses `POST /api/auth/sign-in`, which issues
 * the same cookie); in the cloud the browser signs in with Google through Firebase Auth and
 * trades the Firebase ID token for a session here.
 */
export function authOptions(runtime: Runtime): NextAuthOptions {
  const providers: NextAuthOptions["providers"] = [];
  if (runtime.config.authDriver === "local") {
    providers.push(
      CredentialsProvider({
        id: "credentials",
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        async authorize(credentials, req) {
          const ctx = runtime.contextFor({ kind: "anonymous" }, requestInfoFrom(req.headers));
          try {
            const { uid, user } = await authenticateLocal(ctx, {
              email: credentials?.email,
              password: credentials?.password,
            });
            return { id: uid, email: user.email, name: user.display_name, sv: user.session_version ?? 0 };
          } catch (error) {
            const reason = (error as { reason?: string }).reason;
            // next-auth turns a thrown error into ?error=<message> on the sign-in page.
            throw new Error(
              reason === "sign_in_throttled" || reason === "rate_limited" ? "RateLimited" : "CredentialsSignin",
            );
          }
        },
      }),
    );
  } else {
    providers.push(
      CredentialsProvider({
        id: "firebase",
        name: "Google",
        credentials: { idToken: { label: "Firebase ID token", type: "text" } },
        async authorize(credentials, req) {
          if (!credentials?.idToken) return null;
          const identity = await verifyFirebaseIdToken(runtime, credentials.idToken);
          const ctx = runtime.contextFor({ kind: "anonymous" }, requestInfoFrom(req.headers));
          const { uid, user } = await upsertFirebaseUser(ctx, identity);
          if (user.disabled_at)
            throw new DomainError("unauthenticated", "This account is disabled; ask an admin.", {
              reason: "account_disabled",
            });
          return { id: uid, email: user.email, name: user.display_name, sv: user.session_version ?? 0 };
        },
      }),
    );
  }
  return {
    secret: runtime.secrets.nextAuthSecret,
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_S },
    jwt: { maxAge: SESSION_MAX_AGE_S },
    pages: { signIn: "/signin", error: "/signin" },
    logger: {
      error(code, metadata) {
        // An ended session read through /api/auth/session is expected, not a fault.
        const ended = (metadata as { name?: string } | undefined)?.name === "SessionEndedError";
        runtime.log[ended ? "debug" : "error"]({ code, err: metadata }, "next-auth");
      },
      warn(code) {
        runtime.log.warn({ code }, "next-auth");
      },
      debug(code, metadata) {
        runtime.log.debug({ code, metadata }, "next-auth");
      },
    },
    providers,
    callbacks: {
      async jwt({ token, user }) {
        if (user) {
          token.uid = user.id;
          token.sv = (user as { sv?: number }).sv ?? 0;
          return token;
        }
        // Reading a session (`/api/auth/session`): an ended one is dropped and its cookie cleared.
        const current = typeof token.uid === "string" ? await runtime.db.get(Users, token.uid) : null;
        if (!current || !sessionStillValid(current.data, typeof token.sv === "number" ? token.sv : undefined))
          throw new SessionEndedError();
        return token;
      },
      async session({ session, token }) {
        return { ...session, uid: token.uid as string | undefined };
      },
      // Only same-origin destinations after sign-in or sign-out (one rule: lib/users/safe-callback.ts).
      async redirect({ url, baseUrl }) {
        return `${baseUrl}${safeCallbackPath(url, baseUrl)}`;
      },
    },
    events: {
      // Sign-out ends every session of the account server-side, not only this browser's cookie.
      async signOut({ token }) {
        const uid = typeof token?.uid === "string" ? token.uid : null;
        if (!uid) return;
        const ctx = runtime.contextFor(
          { kind: "anonymous" },
          { requestId: createId("req"), ip: null, userAgent: null },
        );
        await endSessions(ctx, uid, typeof token.sv === "number" ? token.sv : undefined);
      },
    },
  };
}
