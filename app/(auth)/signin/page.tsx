import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { FirebaseSignIn } from "@/components/auth/firebase-sign-in";
import { SignInForm } from "@/components/auth/sign-in-form";
import { safeCallbackPath } from "@/lib/users/safe-callback";
import { getPageSession } from "@/server/http/page-context";
import { getRuntime } from "@/server/runtime";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{ callbackUrl?: string | string[]; error?: string }>;
}) {
  const params = await searchParams;
  const runtime = await getRuntime();
  // Only same-origin paths: never bounce a user to another origin after sign-in.
  const callbackUrl = safeCallbackPath(params.callbackUrl, runtime.config.publicUrl);
  if (await getPageSession()) redirect(callbackUrl);
  const firebase = runtime.config.firebaseAuth;
  return (
    <>
      <h1 className="text-xl font-semibold text-slate-900">Sign in</h1>
      <p className="mt-1 mb-6 text-sm text-slate-600">Your fleet, episodes, training jobs and rollouts.</p>
      {firebase ? (
        <FirebaseSignIn
          callbackUrl={callbackUrl}
          config={{
            apiKey: firebase.apiKey,
            authDomain: firebase.authDomain,
            projectId: firebase.projectId,
            emulatorHost: firebase.emulatorHost,
          }}
        />
      ) : (
        <SignInForm callbackUrl={callbackUrl} initialError={params.error} />
      )}
    </>
  );
}
