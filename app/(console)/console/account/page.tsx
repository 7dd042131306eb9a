import type { Metadata } from "next";
import { ChangePasswordForm } from "@/components/auth/change-password-form";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageSession } from "@/server/http/page-context";

export const metadata: Metadata = { title: "Your account" };
export const dynamic = "force-dynamic";

export default async function AccountPage() {
  const session = await requirePageSession("/console/account");
  const user = session.user.data;
  return (
    <>
      <PageHeader title="Your account" description={`${user.display_name} · ${user.email} · ${user.role}`} />
      {user.auth_provider === "local" ? (
        <section>
          <h2 className="mb-1 text-lg font-semibold text-slate-900">Change password</h2>
          <p className="mb-4 text-sm text-slate-600">
            Changing it signs you out everywhere, this browser included; sign in again with the new password.
          </p>
          <ChangePasswordForm />
        </section>
      ) : (
        <p className="text-sm text-slate-600">You sign in with Google; manage your password with Google.</p>
      )}
    </>
  );
}
