"use client";

import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { safeCallbackPath } from "@/lib/users/safe-callback";

export interface FirebaseClientConfig {
  apiKey: string;
  authDomain?: string;
  projectId: string;
  emulatorHost?: string;
}

/**
 * Cloud sign-in: Google through Firebase Auth in the browser, then the Firebase ID token is
 * traded for a session (verified server-side with firebase-admin).
 */
export function FirebaseSignIn({ config, callbackUrl }: { config: FirebaseClientConfig; callbackUrl: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function withGoogle() {
    setPending(true);
    setError(null);
    try {
      const { initializeApp, getApps } = await import("firebase/app");
      const { getAuth, GoogleAuthProvider, signInWithPopup, connectAuthEmulator } = await import("firebase/auth");
      const app =
        getApps()[0] ??
        initializeApp({ apiKey: config.apiKey, authDomain: config.authDomain, projectId: config.projectId });
      const auth = getAuth(app);
      if (config.emulatorHost && !auth.emulatorConfig)
        connectAuthEmulator(auth, `http://${config.emulatorHost}`, { disableWarnings: true });
      const credential = await signInWithPopup(auth, new GoogleAuthProvider());
      const idToken = await credential.user.getIdToken();
      const result = await signIn("firebase", { idToken, redirect: false });
      if (!result || result.error) throw new Error("The server did not accept the sign-in.");
      router.push(safeCallbackPath(callbackUrl, window.location.origin));
      router.refresh();
    } catch (caught) {
      setError((caught as Error).message);
    } finally {
      setPending(false);
    }
  }

  return (
    <div className="space-y-4">
      <Button type="button" className="w-full" onClick={withGoogle} disabled={pending}>
        {pending ? "Signing in…" : "Sign in with Google"}
      </Button>
      {error && (
        <p className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
