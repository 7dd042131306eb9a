import type { VerifiedFirebaseIdentity } from "@/lib/users/upsert-firebase-user";
import { DomainError } from "@/lib/errors";
import type { Runtime } from "@/server/runtime";

type AdminAuth = import("firebase-admin/auth").Auth;
const AUTH_KEY = "firebase.auth";

/** firebase-admin Auth for the configured project (the emulator when FIREBASE_AUTH_EMULATOR_HOST is set). */
async function adminAuth(runtime: Runtime): Promise<AdminAuth> {
  const existing = runtime.services.registry.get(AUTH_KEY) as AdminAuth | undefined;
  if (existing) return existing;
  const settings = runtime.config.firebaseAuth;
  if (!settings)
    throw new DomainError("unavailable", "Firebase sign-in is not configured here.", {
      reason: "firebase_auth_disabled",
    });
  const { getApps, initializeApp } = await import("firebase-admin/app");
  const { getAuth } = await import("firebase-admin/auth");
  const app =
    getApps().find((candidate) => candidate.name === "continuon-auth") ??
    initializeApp({ projectId: settings.projectId }, "continuon-auth");
  const auth = getAuth(app);
  runtime.services.registry.set(AUTH_KEY, auth);
  return auth;
}

/** Verify a Firebase ID token (signature, audience, expiry, revocation) and return who it names. */
export async function verifyFirebaseIdToken(runtime: Runtime, idToken: string): Promise<VerifiedFirebaseIdentity> {
  const auth = await adminAuth(runtime);
  try {
    const decoded = await auth.verifyIdToken(idToken, true);
    return {
      uid: decoded.uid,
      email: decoded.email ?? null,
      name: (decoded.name as string | undefined) ?? null,
      emailVerified: decoded.email_verified ?? false,
    };
  } catch (error) {
    throw new DomainError("unauthenticated", "The Firebase ID token is not valid or has expired.", {
      reason: "invalid_id_token",
      cause: error,
    });
  }
}
