import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { UploadActivityPanel } from "@/components/episodes/upload-activity-panel";
import { FleetPanels } from "@/components/robots/fleet-panels";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { getUploadActivity } from "@/lib/episodes/get-upload-activity";
import type { Role } from "@/lib/context";
import { getFleetOverview } from "@/lib/robots/get-fleet-overview";
import { hasRole } from "@/lib/users/authorize";
import { requirePageSession } from "@/server/http/page-context";

export const metadata: Metadata = { title: "Overview" };
export const dynamic = "force-dynamic";

/** Getting-started cards, each for the lowest role that can act on it. */
const NEXT_STEPS: Array<{ title: string; text: ReactNode; href: string; role: Role }> = [
  {
    title: "Start the simulated fleet",
    text: (
      <>
        Run <code className="font-mono text-xs">npm run demo</code> (or{" "}
        <code className="font-mono text-xs">npm run sim -- fleet --count 3</code>) to see robots register, heartbeat and
        upload episodes.
      </>
    ),
    href: "/docs/getting-started",
    role: "admin",
  },
  {
    title: "Provision your robots",
    text: "Create a provisioning token for a robot model; robots register their device key with it.",
    href: "/docs/provisioning",
    role: "admin",
  },
  {
    title: "Claim a robot you own",
    text: "Pair with the robot on its LAN to get a claim proof, then paste it on the claim page to see it in your fleet.",
    href: "/console/claim",
    role: "owner",
  },
  {
    title: "Open what your robots recorded",
    text: "Episodes your robots upload are checked, scored and ready to replay step by step.",
    href: "/console/episodes",
    role: "owner",
  },
];

export default async function OverviewPage() {
  const session = await requirePageSession();
  const user = session.user.data;
  const [fleet, uploads] = await Promise.all([getFleetOverview(session.ctx), getUploadActivity(session.ctx)]);
  return (
    <>
      <PageHeader
        title={`Welcome, ${user.display_name}`}
        description="Your fleet at a glance: robots, recent episodes, training and rollouts."
      />
      <section aria-label="Fleet" className="mb-6">
        <FleetPanels overview={fleet} now={session.ctx.now()} />
      </section>
      <section aria-label="Episode uploads" className="mb-6">
        <UploadActivityPanel activity={uploads} now={session.ctx.now()} />
      </section>
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
        {NEXT_STEPS.filter((step) => hasRole(user.role, step.role)).map((step, index) => (
          <Card key={step.title} title={`${index + 1}. ${step.title}`}>
            <p className="text-sm leading-6 text-slate-600" data-testid="next-step">
              {step.text}
            </p>
            <Link href={step.href} className="mt-3 inline-block text-sm font-medium text-brand-700 hover:underline">
              How →
            </Link>
          </Card>
        ))}
      </div>
    </>
  );
}
