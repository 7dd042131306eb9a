"use client";

import { useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useRef } from "react";
import { RolloutChart } from "@/components/charts/rollout-chart";
import { Card, Stat } from "@/components/ui/card";
import { otaQueries } from "./ota-queries";
import { RolloutStatusBadge } from "./status-badges";

/** The live part of a bundle page: counts, health against the policy, the pause reason and the chart (polled). */
export function RolloutLive({ bundleId }: { bundleId: string }) {
  const router = useRouter();
  const detail = useQuery(otaQueries.bundle(bundleId));
  const series = useQuery(otaQueries.series(bundleId));
  const lastStatus = useRef<string | null>(null);
  const status = detail.data?.rollout.status ?? null;
  useEffect(() => {
    // A status change (e.g. an automatic pause) changes the buttons the server rendered.
    if (status && lastStatus.current && status !== lastStatus.current) router.refresh();
    lastStatus.current = status;
  }, [status, router]);
  if (!detail.data) {
    return <p className="text-sm text-slate-500">{detail.error ? detail.error.message : "Loading the rollout…"}</p>;
  }
  const { rollout, health } = detail.data;
  const counts = rollout.counts;
  return (
    <div className="space-y-4" data-testid="rollout-live">
      {rollout.status === "paused" && (
        <div
          className="rounded-lg border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-900"
          role="status"
          data-testid="paused-reason"
        >
          <strong>{rollout.auto_paused ? "Paused by the health policy. " : "Paused. "}</strong>
          {rollout.paused_reason}
          {rollout.paused_at && <span className="text-red-700"> ({new Date(rollout.paused_at).toLocaleString()})</span>}
        </div>
      )}
      <div className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-6">
        <Stat
          label="Status"
          value={<RolloutStatusBadge status={rollout.status} percentage={rollout.target_percentage} />}
        />
        <Stat
          label="Offered"
          value={counts.offered + counts.downloaded + counts.installed + counts.failed + counts.rolled_back}
          hint={`${counts.offered} waiting`}
        />
        <Stat label="Downloaded" value={counts.downloaded} />
        <Stat label="Installed" value={rollout.deployed_count} tone="good" />
        <Stat label="Failed" value={rollout.error_count} tone={rollout.error_count ? "bad" : "default"} />
        <Stat
          label="Error rate"
          value={`${health.error_rate_pct} %`}
          tone={health.breached ? "bad" : "default"}
          hint={
            rollout.policy.auto_pause
              ? health.needed > 0
                ? `policy applies after ${health.needed} more reports`
                : `pauses above ${rollout.policy.error_threshold_pct} %`
              : "auto-pause off"
          }
        />
      </div>
      <Card title="Robots over time">
        {series.data && series.data.points.length > 0 ? (
          <RolloutChart points={series.data.points} />
        ) : (
          <p className="text-sm text-slate-500">The chart fills in as robots check in and report.</p>
        )}
      </Card>
    </div>
  );
}
