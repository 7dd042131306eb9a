"use client";

import { Area, AreaChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

export interface RolloutChartPoint {
  at: string;
  offered: number;
  downloaded: number;
  installed: number;
  failed: number;
  rolled_back: number;
}

const SERIES = [
  { key: "installed", label: "installed", color: "#059375" },
  { key: "downloaded", label: "downloaded", color: "#0284c7" },
  { key: "offered", label: "offered", color: "#94a3b8" },
  { key: "failed", label: "failed", color: "#dc2626" },
  { key: "rolled_back", label: "rolled back", color: "#d97706" },
] as const;

function clock(at: string): string {
  return new Date(at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

/** Robots in each deployment state over time, stacked (the total is every robot offered the bundle). */
export function RolloutChart({ points }: { points: RolloutChartPoint[] }) {
  return (
    <div className="h-64 w-full" data-testid="rollout-chart">
      <ResponsiveContainer width="100%" height="100%">
        <AreaChart data={points} margin={{ top: 8, right: 12, bottom: 0, left: -12 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
          <XAxis dataKey="at" tickFormatter={clock} minTickGap={24} fontSize={11} />
          <YAxis allowDecimals={false} fontSize={11} />
          <Tooltip labelFormatter={(value) => new Date(String(value)).toLocaleString()} />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          {SERIES.map((series) => (
            <Area
              key={series.key}
              type="stepAfter"
              dataKey={series.key}
              name={series.label}
              stackId="robots"
              stroke={series.color}
              fill={series.color}
              fillOpacity={0.35}
              isAnimationActive={false}
            />
          ))}
        </AreaChart>
      </ResponsiveContainer>
    </div>
  );
}
