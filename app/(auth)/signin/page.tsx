import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { FirebaseSignIn } from "@/components/auth/firebase-sign-in";
import { SignInForm } from "@/components/auth/sign-in-form";
import { getPageSession } from "@/server/http/page-context";
import { getRuntime } from "@/server/runtime";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

function safeCallback(value: string | undefined): string {
  // Only same-site paths: never bounce a user to another origin after sign-in.
  return value && value.startsWith("/") && !value.startsWith("//") ? value : "/console";
}

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{ callbackUrl?: string; error?: string }>;
}) {
  const params = await searchParams;
  const callbackUrl = safeCallback(params.callbackUrl);
  if (await getPageSession()) redirect(callbackUrl);
  const runtime = await getRuntime();
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
