"use client";

import { useRef, type PointerEvent as ReactPointerEvent } from "react";
import { cn } from "@/components/ui/cn";

export interface TimelineMarker {
  position: number;
  severity: "error" | "warning";
  label: string;
}

/**
 * The scrubber: a slider over positions `0..count-1` with the loaded ranges, the loop range and
 * validation markers drawn on it. Dragging scrubs (every move seeks; the data source cancels what
 * the cursor left behind); a marker click jumps to its step. Keyboard control lives in the player.
 */
export function Timeline({
  count,
  position,
  onSeek,
  onScrub,
  markers = [],
  loop,
  looping,
  loaded = [],
  valueText,
  label = "Timeline",
}: {
  count: number;
  position: number;
  onSeek: (position: number) => void;
  onScrub?: (active: boolean) => void;
  markers?: TimelineMarker[];
  loop: { start: number; end: number } | null;
  looping: boolean;
  loaded?: [number, number][];
  valueText: string;
  label?: string;
}) {
  const track = useRef<HTMLDivElement>(null);
  const last = Math.max(1, count - 1);
  const pct = (p: number) => `${(Math.min(Math.max(p, 0), last) / last) * 100}%`;

  const positionAt = (clientX: number) => {
    const rect = track.current?.getBoundingClientRect();
    if (!rect || rect.width === 0) return position;
    return Math.round(((clientX - rect.left) / rect.width) * last);
  };
  const down = (event: ReactPointerEvent<HTMLDivElement>) => {
    if (event.button !== 0) return;
    event.currentTarget.setPointerCapture(event.pointerId);
    onScrub?.(true);
    onSeek(positionAt(event.clientX));
  };
  const move = (event: ReactPointerEvent<HTMLDivElement>) => {
    if (!event.currentTarget.hasPointerCapture(event.pointerId)) return;
    onSeek(positionAt(event.clientX));
  };
  const up = (event: ReactPointerEvent<HTMLDivElement>) => {
    if (event.currentTarget.hasPointerCapture(event.pointerId))
      event.currentTarget.releasePointerCapture(event.pointerId);
    onScrub?.(false);
  };

  return (
    <div className="select-none">
      <div className="relative h-4">
        {markers.map((marker, i) => (
          <button
            key={`${marker.position}-${i}`}
            type="button"
            title={`Step ${marker.position}: ${marker.label}`}
            aria-label={`Go to step ${marker.position}: ${marker.label}`}
            data-testid="timeline-marker"
            onClick={() => onSeek(marker.position)}
            className={cn(
              "absolute top-0 h-3 w-2 -translate-x-1/2 [clip-path:polygon(0_0,100%_0,50%_100%)]",
              marker.severity === "error" ? "bg-red-500" : "bg-amber-500",
            )}
            style={{ left: pct(marker.position) }}
          />
        ))}
      </div>
      <div
        ref={track}
        role="slider"
        tabIndex={0}
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={last}
        aria-valuenow={position}
        aria-valuetext={valueText}
        data-testid="timeline"
        onPointerDown={down}
        onPointerMove={move}
        onPointerUp={up}
        onPointerCancel={up}
        className="relative h-6 cursor-pointer touch-none rounded focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-300"
      >
        <div className="absolute inset-x-0 top-2 h-2 rounded-full bg-slate-200" />
        {loaded.map(([from, to]) => (
          <div
            key={from}
            className="absolute top-2 h-2 bg-slate-300"
            style={{ left: pct(from), width: `${(Math.max(1, to - from) / (last + 1)) * 100}%` }}
          />
        ))}
        {loop && (
          <div
            data-testid="timeline-loop"
            className={cn(
              "absolute top-1 h-4 rounded border",
              looping ? "border-brand-500 bg-brand-200/60" : "border-dashed border-slate-400 bg-slate-100/40",
            )}
            style={{ left: pct(loop.start), width: `calc(${pct(loop.end)} - ${pct(loop.start)})` }}
          />
        )}
        <div className="absolute top-2 left-0 h-2 rounded-full bg-brand-500" style={{ width: pct(position) }} />
        <div
          className="absolute top-0.5 h-5 w-1.5 -translate-x-1/2 rounded bg-brand-700 shadow"
          style={{ left: pct(position) }}
        />
      </div>
    </div>
  );
}
