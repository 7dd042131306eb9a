import type { Metadata } from "next";
import { ClaimForm } from "@/components/robots/claim-form";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageSession } from "@/server/http/page-context";
import { CopyButton } from "@/components/ui/copy-button";

export const metadata: Metadata = { title: "Claim a robot" };
export const dynamic = "force-dynamic";

export default async function ClaimPage() {
  const session = await requirePageSession("/console/claim");
  return (
    <>
      <PageHeader
        title="Claim a robot"
        description="A robot becomes yours with a claim proof it signs for you when you pair with it in person."
      />
      <div className="grid gap-4 lg:grid-cols-3">
        <Card title="Paste or upload the claim proof" className="lg:col-span-2">
          <ClaimForm />
        </Card>
        <Card title="Where the proof comes from">
          <ol className="list-decimal space-y-2 pl-5 text-sm leading-6 text-slate-700">
            <li>On the robot&apos;s network, open its pairing screen and enter the pairing code it shows.</li>
            <li>
              Give it your user id:{" "}
              <span className="inline-flex flex-wrap items-center gap-2">
                <code className="rounded bg-slate-100 px-1 font-mono text-xs break-all" data-testid="my-uid">
                  {session.user.id}
                </code>
                <CopyButton text={session.user.id} label="Copy user id" testId="copy-uid" />
              </span>
            </li>
            <li>It hands you a claim proof (a signed token, valid only for you). Paste it here.</li>
          </ol>
          <p className="mt-3 text-xs text-slate-500">
            Simulated robot: <code>npm run sim -- claim --user {session.user.id}</code>. A newer proof from the same
            robot for someone else transfers it; older or reused proofs are refused.
          </p>
        </Card>
      </div>
    </>
  );
}
