import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { authenticateLocal } from "@/lib/users/authenticate-local";
import { upsertFirebaseUser } from "@/lib/users/upsert-firebase-user";
import { createId } from "@/lib/ids";
import type { Runtime } from "@/server/runtime";
import { verifyFirebaseIdToken } from "./firebase";

export const SESSION_MAX_AGE_S = 12 * 3600;

function requestInfoFrom(headers: Record<string, unknown> | undefined) {
  const header = (name: string) => {
    const value = headers?.[name];
    return typeof value === "string" ? value : null;
  };
  return { requestId: createId("req"), ip: header("x-continuon-remote-addr"), userAgent: header("user-agent") };
}

/**
 * next-auth 4 with JWT sessions. The token carries only the user id; the role is read from
 * `users/{uid}` on every request, so a role change applies at once. Local accounts sign in with
 * email + password; in the cloud the browser signs in with Google through Firebase Auth and
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
            return { id: uid, email: user.email, name: user.display_name };
          } catch (error) {
            const reason = (error as { reason?: string }).reason;
            // next-auth turns a thrown error into ?error=<message> on the sign-in page.
            throw new Error(reason === "rate_limited" ? "RateLimited" : "CredentialsSignin");
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
          return { id: uid, email: user.email, name: user.display_name };
        },
      }),
    );
  }
  return {
    secret: runtime.secrets.nextAuthSecret,
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_S },
    jwt: { maxAge: SESSION_MAX_AGE_S },
    pages: { signIn: "/signin", error: "/signin" },
    providers,
    callbacks: {
      async jwt({ token, user }) {
        if (user) token.uid = user.id;
        return token;
      },
      async session({ session, token }) {
        return { ...session, uid: token.uid as string | undefined };
      },
    },
  };
}
