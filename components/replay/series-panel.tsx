"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { ReplaySeriesChart, SERIES_COLORS, type ReplaySeriesRow } from "@/components/charts/replay-series-chart";
import type { ReplaySeriesAnswer } from "@/lib/replay/schemas";
import { fieldLabel } from "./field-selection";
import { replayUrls } from "./replay-urls";

export function seriesQuery(episodeId: string, fields: readonly string[], from: number, to: number, buckets: number) {
  return {
    queryKey: ["replay", episodeId, "series", fields.join(","), from, to, buckets] as const,
    queryFn: async ({ signal }: { signal: AbortSignal }): Promise<ReplaySeriesAnswer> => {
      const response = await fetch(replayUrls.series(episodeId, fields, from, to, buckets), { signal });
      if (!response.ok) {
        const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
        throw new Error(body?.error?.message ?? `HTTP ${response.status}`);
      }
      return (await response.json()) as ReplaySeriesAnswer;
    },
  };
}

function toRows(answer: ReplaySeriesAnswer): ReplaySeriesRow[] {
  const first = answer.series[0];
  if (!first) return [];
  return first.start.map((x, i) => {
    const row: ReplaySeriesRow = { x };
    answer.series.forEach((series, k) => {
      const min = series.min[i];
      const max = series.max[i];
      row[`f${k}`] = min === null || max === null || min === undefined || max === undefined ? null : [min, max];
    });
    return row;
  });
}

/**
 * One chart panel: its fields over the visible range, asked for at one bucket per pixel (min and
 * max per bucket), so a 100 000-step episode costs the same as a short one; zooming asks again
 * for the smaller range, at full resolution once it has fewer steps than pixels.
 */
export function SeriesPanel({
  episodeId,
  title,
  fields,
  stepCount,
  cursor,
  zoom,
  onZoom,
  onSeek,
  width,
}: {
  episodeId: string;
  title: string;
  fields: string[];
  stepCount: number;
  cursor: number;
  zoom: { from: number; to: number } | null;
  onZoom: (range: { from: number; to: number } | null) => void;
  onSeek: (step: number) => void;
  width: number;
}) {
  const from = zoom?.from ?? 0;
  const to = zoom?.to ?? stepCount;
  // One bucket per plot pixel, rounded so small resizes reuse cached answers.
  const buckets = Math.max(50, Math.min(2000, Math.round((width - 70) / 50) * 50));
  const query = useQuery({ ...seriesQuery(episodeId, fields, from, to, buckets), placeholderData: keepPreviousData });
  const rows = useMemo(() => (query.data ? toRows(query.data) : []), [query.data]);
  const legend = useMemo(
    () => fields.map((path, k) => ({ label: fieldLabel(path), color: SERIES_COLORS[k % SERIES_COLORS.length]! })),
    [fields],
  );
  const shownFrom = query.data?.from ?? from;
  const shownTo = query.data?.to ?? to;
  return (
    <section
      className="rounded-lg border border-slate-200 bg-white p-3"
      data-testid="series-panel"
      data-title={title}
      data-full-resolution={query.data?.full_resolution ? "true" : "false"}
    >
      <header className="mb-1 flex flex-wrap items-center justify-between gap-2">
        <h3 className="text-sm font-semibold text-slate-900">{title}</h3>
        <div className="flex items-center gap-2 text-xs text-slate-500">
          {query.isFetching && <span>loading…</span>}
          {zoom && (
            <button
              type="button"
              className="rounded border border-slate-300 px-1.5 py-0.5 hover:bg-slate-50"
              onClick={() => onZoom(null)}
            >
              Zoom out
            </button>
          )}
          <span className="tabular-nums">
            steps {shownFrom.toLocaleString()}–{Math.max(shownFrom, shownTo - 1).toLocaleString()}
            {query.data &&
              (query.data.full_resolution
                ? " · every step"
                : ` · ${query.data.series[0]?.start.length ?? 0} min/max buckets`)}
          </span>
        </div>
      </header>
      {query.isError ? (
        <p className="py-6 text-center text-sm text-red-700" role="alert">
          This chart could not be loaded: {(query.error as Error).message}
        </p>
      ) : (
        <ReplaySeriesChart
          rows={rows}
          fields={legend}
          from={shownFrom}
          to={shownTo}
          width={width}
          height={160}
          cursor={cursor}
          onSeek={onSeek}
          onZoom={onZoom}
        />
      )}
      <ul className="mt-1 flex flex-wrap gap-x-3 gap-y-0.5 text-[11px] text-slate-600">
        {legend.map((item, k) => (
          <li key={fields[k]} className="flex items-center gap-1" title={fields[k]}>
            <span className="inline-block h-2 w-2 rounded-full" style={{ background: item.color }} />
            {item.label}
          </li>
        ))}
      </ul>
    </section>
  );
}
