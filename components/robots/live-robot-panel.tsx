"use client";

import { useQuery } from "@tanstack/react-query";
import { HeartbeatChart, type HeartbeatChartPoint } from "@/components/charts/heartbeat-chart";
import { Card, Stat } from "@/components/ui/card";
import { useNow } from "@/components/ui/use-now";
import type { HeartbeatPointView } from "@/lib/robots/views";
import { formatAgo } from "@/lib/format-time";
import { batteryText, StatusBadge } from "./status-badge";
import { robotDetailQuery, type RobotDetail } from "./robot-queries";

const STATUS_VALUE = { online: 1, sleeping: 0.5, offline: 0 } as const;

/**
 * Chart points: one per heartbeat point, and a drop to "offline" wherever the gap between two
 * points (or since the last one) is longer than the robot's offline window.
 */
export function toChartPoints(
  points: HeartbeatPointView[],
  offlineAfterMs: number,
  now: number,
): HeartbeatChartPoint[] {
  const out: HeartbeatChartPoint[] = [];
  let previous: number | null = null;
  for (const point of points) {
    const t = new Date(point.at).getTime();
    if (previous !== null && t - previous > offlineAfterMs)
      out.push({ t: previous + offlineAfterMs, battery: null, status: 0 });
    out.push({ t, battery: point.battery === null ? null : point.battery * 100, status: STATUS_VALUE[point.status] });
    previous = t;
  }
  if (previous !== null && now - previous > offlineAfterMs)
    out.push({ t: previous + offlineAfterMs, battery: null, status: 0 });
  return out;
}

/**
 * The robot's live status, last heartbeat, battery and heartbeat chart, refreshed every few seconds.
 * `renderedAt` is the server's time of the page render: the first render counts ages from it on
 * both sides (no hydration mismatch), then the browser's clock.
 */
export function LiveRobotPanel({ initial, renderedAt }: { initial: RobotDetail; renderedAt: number }) {
  const { data, error, dataUpdatedAt } = useQuery({
    ...robotDetailQuery(initial.robot.device_id),
    initialData: initial,
    initialDataUpdatedAt: renderedAt,
  });
  const now = useNow(renderedAt);
  const robot = data.robot;
  const windowMs = robot.heartbeat_interval_s * 3 * 1000;
  const points = toChartPoints(data.heartbeats, windowMs, dataUpdatedAt || now);
  return (
    <div className="space-y-4" data-testid="live-robot-panel">
      <div className="grid grid-cols-2 gap-3 lg:grid-cols-4">
        <Stat
          label="Status"
          value={<StatusBadge status={robot.status} />}
          hint={`reported: ${robot.reported_status}`}
        />
        <Stat
          label="Last heartbeat"
          value={<span className="text-lg">{formatAgo(robot.last_heartbeat, now)}</span>}
          hint={`every ${robot.heartbeat_interval_s} s; offline after 3 missed`}
        />
        <Stat label="Battery" value={batteryText(robot.battery)} />
        <Stat
          label="Firmware"
          value={<span className="text-lg">{robot.firmware_version ?? "—"}</span>}
          hint={robot.current_bundle ? `bundle ${robot.current_bundle}` : "no bundle yet"}
        />
      </div>
      <Card title="Heartbeats and battery, last 6 hours">
        {points.length === 0 ? (
          <p className="text-sm text-slate-600">
            No heartbeats recorded yet. The robot appears here as soon as it sends <code>POST /api/rcan/heartbeat</code>
            .
          </p>
        ) : (
          <HeartbeatChart points={points} />
        )}
        {error && (
          <p className="mt-2 text-xs text-amber-700" role="status">
            {(error as Error).message} Showing the last known state.
          </p>
        )}
      </Card>
    </div>
  );
}
