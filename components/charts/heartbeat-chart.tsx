"use client";

import { Area, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

/** One heartbeat point: time (ms), battery in percent (null when not reported), status as 1 online / 0.5 sleeping / 0 offline. */
export interface HeartbeatChartPoint {
  t: number;
  battery: number | null;
  status: number;
}

function clock(t: number): string {
  return new Date(t).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

const STATUS_LABEL = (value: number) => (value >= 1 ? "online" : value > 0 ? "sleeping" : "offline");

/** Battery over time with the robot's heartbeats as a band underneath (recharts; plain arrays in). */
export function HeartbeatChart({ points, height = 240 }: { points: HeartbeatChartPoint[]; height?: number }) {
  return (
    <div className="w-full" style={{ height }} data-testid="heartbeat-chart" data-points={points.length}>
      <ResponsiveContainer width="100%" height="100%">
        <ComposedChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
          <XAxis
            dataKey="t"
            type="number"
            scale="time"
            domain={["dataMin", "dataMax"]}
            tickFormatter={clock}
            fontSize={11}
          />
          <YAxis yAxisId="battery" domain={[0, 100]} unit="%" width={44} fontSize={11} />
          <YAxis yAxisId="status" domain={[0, 4]} hide />
          <Tooltip
            labelFormatter={(value) => new Date(Number(value)).toLocaleString()}
            formatter={(value, name) =>
              name === "Heartbeat"
                ? STATUS_LABEL(Number(value))
                : value === null
                  ? "—"
                  : `${Number(value).toFixed(1)} %`
            }
          />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          <Area
            yAxisId="status"
            type="stepAfter"
            dataKey="status"
            name="Heartbeat"
            stroke="#059375"
            fill="#a7f3d0"
            fillOpacity={0.5}
            isAnimationActive={false}
          />
          <Line
            yAxisId="battery"
            type="monotone"
            dataKey="battery"
            name="Battery"
            stroke="#0284c7"
            strokeWidth={1.75}
            dot={points.length < 40}
            connectNulls
            isAnimationActive={false}
          />
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}
