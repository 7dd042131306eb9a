"use client";

import { memo, useRef, useState, type PointerEvent as ReactPointerEvent } from "react";
import { Area, CartesianGrid, ComposedChart, XAxis, YAxis } from "recharts";

export const SERIES_COLORS = [
  "#0284c7",
  "#059669",
  "#d97706",
  "#db2777",
  "#7c3aed",
  "#dc2626",
  "#0d9488",
  "#65a30d",
  "#9333ea",
  "#475569",
];

/** One bucket row: `x` is the bucket's first step, `f<k>` the [min, max] of field k (null: no value). */
export interface ReplaySeriesRow {
  x: number;
  [field: `f${number}`]: [number, number] | null;
}

export interface ReplaySeriesChartProps {
  rows: ReplaySeriesRow[];
  fields: { label: string; color: string }[];
  from: number;
  to: number;
  width: number;
  height: number;
  cursor: number;
  onSeek: (step: number) => void;
  /** A dragged range to zoom into, or null to zoom out. */
  onZoom: (range: { from: number; to: number } | null) => void;
}

const MARGIN = { top: 8, right: 12, bottom: 4, left: 4 };
const Y_AXIS_WIDTH = 52;
const X_AXIS_HEIGHT = 24;

function compact(step: number): string {
  if (Math.abs(step) >= 1e6) return `${(step / 1e6).toFixed(step % 1e6 === 0 ? 0 : 1)}M`;
  if (Math.abs(step) >= 1e4) return `${(step / 1e3).toFixed(step % 1e3 === 0 ? 0 : 1)}k`;
  return String(Math.round(step));
}

/**
 * The chart itself only changes with its data and size; the cursor moves over it as a separate
 * line, so playback at 60 frames a second never re-renders recharts.
 */
const SeriesPlot = memo(function SeriesPlot({
  rows,
  fields,
  from,
  to,
  width,
  height,
}: Pick<ReplaySeriesChartProps, "rows" | "fields" | "from" | "to" | "width" | "height">) {
  return (
    <ComposedChart width={width} height={height} data={rows} margin={MARGIN}>
      <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
      <XAxis
        dataKey="x"
        type="number"
        domain={[from, Math.max(from + 1, to - 1)]}
        allowDataOverflow
        tickFormatter={compact}
        fontSize={10}
        height={X_AXIS_HEIGHT}
      />
      <YAxis
        width={Y_AXIS_WIDTH}
        fontSize={10}
        domain={["auto", "auto"]}
        tickFormatter={(v: number) => Number(v.toPrecision(3)).toString()}
      />
      {fields.map((field, k) => (
        <Area
          key={k}
          type="linear"
          dataKey={`f${k}`}
          name={field.label}
          stroke={field.color}
          fill={field.color}
          fillOpacity={0.25}
          strokeWidth={1.25}
          isAnimationActive={false}
          dot={false}
          activeDot={false}
          connectNulls={false}
        />
      ))}
    </ComposedChart>
  );
});

/**
 * Numeric series of a replay: each field drawn as its min–max band per bucket (a line where the
 * buckets are single steps), a cursor at the current step, click to seek, drag to zoom into a
 * range (the panel then asks for that range, at full resolution once it fits), double-click to
 * zoom out. Plain arrays in.
 */
export function ReplaySeriesChart(props: ReplaySeriesChartProps) {
  const { from, to, width, height, cursor, onSeek, onZoom } = props;
  const overlay = useRef<HTMLDivElement>(null);
  const [drag, setDrag] = useState<{ start: number; end: number } | null>(null);
  const plotLeft = MARGIN.left + Y_AXIS_WIDTH;
  const plotWidth = Math.max(1, width - plotLeft - MARGIN.right);
  const span = Math.max(1, to - 1 - from);
  const xOf = (step: number) => plotLeft + ((step - from) / span) * plotWidth;
  const stepAt = (clientX: number) => {
    const rect = overlay.current?.getBoundingClientRect();
    if (!rect) return from;
    return Math.round(from + ((clientX - rect.left) / rect.width) * span);
  };
  const down = (event: ReactPointerEvent<HTMLDivElement>) => {
    if (event.button !== 0) return;
    event.currentTarget.setPointerCapture(event.pointerId);
    const step = stepAt(event.clientX);
    setDrag({ start: step, end: step });
  };
  const move = (event: ReactPointerEvent<HTMLDivElement>) => {
    if (drag && event.currentTarget.hasPointerCapture(event.pointerId))
      setDrag({ ...drag, end: stepAt(event.clientX) });
  };
  const up = (event: ReactPointerEvent<HTMLDivElement>) => {
    if (!drag) return;
    event.currentTarget.releasePointerCapture(event.pointerId);
    const a = Math.min(drag.start, drag.end);
    const b = Math.max(drag.start, drag.end);
    setDrag(null);
    if (Math.abs(xOf(b) - xOf(a)) > 6 && b > a) onZoom({ from: Math.max(0, a), to: b + 1 });
    else onSeek(Math.min(Math.max(drag.end, from), to - 1));
  };
  const inView = cursor >= from && cursor < to;
  return (
    <div className="relative" style={{ width, height }}>
      <SeriesPlot rows={props.rows} fields={props.fields} from={from} to={to} width={width} height={height} />
      <div
        ref={overlay}
        className="absolute cursor-crosshair touch-none"
        style={{ left: plotLeft, width: plotWidth, top: MARGIN.top, bottom: MARGIN.bottom + X_AXIS_HEIGHT }}
        onPointerDown={down}
        onPointerMove={move}
        onPointerUp={up}
        onDoubleClick={() => onZoom(null)}
        data-testid="series-plot"
      >
        {drag && (
          <div
            className="absolute inset-y-0 bg-brand-300/30"
            style={{
              left: xOf(Math.min(drag.start, drag.end)) - plotLeft,
              width: Math.abs(xOf(drag.end) - xOf(drag.start)),
            }}
          />
        )}
        {inView && (
          <div
            data-testid="series-cursor"
            data-step={cursor}
            className="pointer-events-none absolute inset-y-0 w-px bg-slate-900"
            style={{ left: xOf(cursor) - plotLeft }}
          />
        )}
      </div>
    </div>
  );
}
