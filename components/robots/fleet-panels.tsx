import Link from "next/link";
import { Card, Stat } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { ButtonLink } from "@/components/ui/button";
import type { FacetCount, FleetOverview } from "@/lib/robots/get-fleet-overview";
import { ago, batteryText, StatusBadge } from "./status-badge";

function FacetList({ counts, total, testId }: { counts: FacetCount[]; total: number; testId: string }) {
  if (counts.length === 0) return <p className="text-sm text-slate-500">Nothing yet.</p>;
  return (
    <ul className="space-y-2" data-testid={testId}>
      {counts.map((entry) => (
        <li key={entry.value} className="text-sm">
          <div className="flex justify-between gap-2">
            <span className="truncate font-mono text-xs text-slate-700">{entry.value}</span>
            <span className="tabular-nums text-slate-600">{entry.count}</span>
          </div>
          <div className="mt-1 h-1.5 rounded-full bg-slate-100">
            <div
              className="h-1.5 rounded-full bg-brand-500"
              style={{ width: `${total ? (entry.count / total) * 100 : 0}%` }}
            />
          </div>
        </li>
      ))}
    </ul>
  );
}

/** The overview's fleet panels: counts, robots heard from last, models and firmware. */
export function FleetPanels({ overview, now }: { overview: FleetOverview; now: Date }) {
  if (overview.total === 0) {
    return overview.scope === "mine" ? (
      <EmptyState title="You have no robots yet" action={<ButtonLink href="/console/claim">Claim a robot</ButtonLink>}>
        Pair with your robot on its network to get a claim proof (or run{" "}
        <code>npm run sim -- claim --user &lt;your id&gt;</code> for a simulated one), then paste it on the claim page.
      </EmptyState>
    ) : (
      <EmptyState
        title="No robots have registered yet"
        action={<ButtonLink href="/console/admin/provisioning">Create a provisioning token</ButtonLink>}
      >
        Robots register their device key with a provisioning token. Create one, then run{" "}
        <code>npm run sim -- fleet --count 3 --token &lt;token&gt;</code> to see a simulated fleet arrive.
      </EmptyState>
    );
  }
  return (
    <div className="space-y-4" data-testid="fleet-panels">
      <div className="grid grid-cols-2 gap-3 lg:grid-cols-4">
        <Stat
          label="Online now"
          value={overview.online}
          tone="good"
          hint={overview.sleeping ? `${overview.sleeping} sleeping` : undefined}
        />
        <Stat
          label="Offline"
          value={overview.offline}
          tone={overview.offline ? "warn" : "default"}
          hint="no heartbeat for 3 intervals"
        />
        <Stat
          label={overview.scope === "fleet" ? "Unclaimed" : "Your robots"}
          value={overview.scope === "fleet" ? (overview.unclaimed ?? 0) : overview.total}
          hint={overview.scope === "fleet" ? "registered, no owner yet" : undefined}
        />
        <Stat label="Robots" value={overview.total} hint={overview.scope === "fleet" ? "in the fleet" : "you own"} />
      </div>
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-3">
        <Card
          title="Recent heartbeats"
          className="lg:col-span-2"
          actions={
            <Link href="/console/robots?sort=heartbeat" className="text-sm text-brand-700">
              All robots →
            </Link>
          }
        >
          <ul className="divide-y divide-slate-100" data-testid="recent-heartbeats">
            {overview.recent.map((robot) => (
              <li key={robot.device_id} className="flex items-center justify-between gap-3 py-2 text-sm">
                <Link
                  href={`/console/robots/${robot.device_id}`}
                  className="min-w-0 truncate font-medium text-slate-900 hover:underline"
                >
                  {robot.name}
                  <span className="ml-2 font-mono text-xs text-slate-500">{robot.device_id}</span>
                </Link>
                <span className="flex shrink-0 items-center gap-3 text-xs text-slate-500">
                  <span className="hidden sm:inline">{batteryText(robot.battery)}</span>
                  <span>{ago(robot.last_heartbeat, now)}</span>
                  <StatusBadge status={robot.status} />
                </span>
              </li>
            ))}
          </ul>
        </Card>
        <div className="space-y-4">
          <Card title="By model">
            <FacetList counts={overview.byModel} total={overview.total} testId="count-by-model" />
          </Card>
          <Card title="By firmware">
            <FacetList counts={overview.byFirmware} total={overview.total} testId="count-by-firmware" />
          </Card>
        </div>
      </div>
    </div>
  );
}
