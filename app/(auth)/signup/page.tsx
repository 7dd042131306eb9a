import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { SignUpForm } from "@/components/auth/sign-up-form";
import { Users } from "@/lib/users/schemas";
import { getPageSession } from "@/server/http/page-context";
import { getRuntime } from "@/server/runtime";

export const metadata: Metadata = { title: "Create account" };
export const dynamic = "force-dynamic";

export default async function SignUpPage() {
  if (await getPageSession()) redirect("/console");
  const runtime = await getRuntime();
  if (runtime.config.authDriver !== "local") {
    return (
      <>
        <h1 className="text-xl font-semibold text-slate-900">Accounts come from Google</h1>
        <p className="mt-2 text-sm text-slate-600">
          This deployment signs people in with Google through Firebase Auth.{" "}
          <Link href="/signin" className="font-medium text-brand-700">
            Sign in
          </Link>{" "}
          and your account is created on first use.
        </p>
      </>
    );
  }
  const isFirstAccount = (await runtime.db.count(Users)) === 0;
  return (
    <>
      <h1 className="text-xl font-semibold text-slate-900">Create your account</h1>
      <p className="mt-1 mb-6 text-sm text-slate-600">Owners see their robots; operators and admins run the fleet.</p>
      <SignUpForm isFirstAccount={isFirstAccount} />
    </>
  );
}
