"use client";

import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

/** One point of a training run: the step and any numeric metrics reported for it. */
export type MetricPoint = { step: number } & Record<string, number>;

const COLORS = ["#059375", "#0284c7", "#d97706", "#7c3aed", "#dc2626", "#475569"];

/**
 * Metric curves over training steps (recharts; plain arrays in). `series` names the metrics to draw;
 * `log` plots the y axis on a log scale (losses span orders of magnitude).
 */
export function LossChart({
  points,
  series,
  log = false,
  height = 256,
  testId = "loss-chart",
}: {
  points: MetricPoint[];
  series: string[];
  log?: boolean;
  height?: number;
  testId?: string;
}) {
  const positive = log && points.every((point) => series.every((name) => !(name in point) || point[name]! > 0));
  return (
    <div className="w-full" style={{ height }} data-testid={testId} data-points={points.length}>
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={points} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
          <XAxis dataKey="step" type="number" domain={["dataMin", "dataMax"]} fontSize={11} allowDecimals={false} />
          <YAxis
            fontSize={11}
            width={56}
            scale={positive ? "log" : "auto"}
            domain={positive ? ["auto", "auto"] : [0, "auto"]}
            tickFormatter={(value: number) =>
              Math.abs(value) < 0.01 && value !== 0 ? value.toExponential(0) : String(+value.toFixed(3))
            }
          />
          <Tooltip
            labelFormatter={(value) => `step ${value}`}
            formatter={(value) => (typeof value === "number" ? value.toPrecision(4) : value)}
          />
          {series.length > 1 && <Legend wrapperStyle={{ fontSize: 12 }} />}
          {series.map((name, index) => (
            <Line
              key={name}
              type="monotone"
              dataKey={name}
              stroke={COLORS[index % COLORS.length]}
              dot={false}
              strokeWidth={1.75}
              isAnimationActive={false}
              connectNulls
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}

/** Keep at most `max` points (every n-th, always the last), so long runs stay light to draw. */
export function downsample(points: MetricPoint[], max = 1500): MetricPoint[] {
  if (points.length <= max) return points;
  const stride = Math.ceil(points.length / max);
  const out = points.filter((_, index) => index % stride === 0);
  const last = points[points.length - 1];
  if (last && out[out.length - 1] !== last) out.push(last);
  return out;
}
