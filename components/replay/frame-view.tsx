"use client";

import { useLayoutEffect, useRef, useSyncExternalStore } from "react";
import type { EpisodeSource } from "./episode-source";

declare global {
  interface Window {
    /** Called after a step's own frame is painted (benchmarks and tests measure scrub latency with it). */
    __replayPainted?: (info: { episodeId: string; stream: number; step: number; at: number }) => void;
  }
}

/**
 * One camera stream at the cursor, drawn on a canvas at the image's own size (scaled by CSS), so
 * switching frames never flashes: the canvas keeps the last picture until the next is decoded,
 * and shows the nearest loaded frame (marked) while the exact one loads. The first frame is in the
 * server-rendered HTML as an image, so it paints before the page's scripts run.
 */
export function FrameView({
  source,
  stream,
  step,
  initialFrameUrl,
  label,
}: {
  source: EpisodeSource;
  stream: number;
  step: number;
  initialFrameUrl?: string | null;
  label: string;
}) {
  useSyncExternalStore(source.subscribe, source.version, source.version);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const drawn = useRef<string | null>(null);
  const firstFrame = useRef<HTMLImageElement>(null);
  const lookup = source.frameAt(stream, step);

  useLayoutEffect(() => {
    const canvas = canvasRef.current;
    const frame = lookup.frame;
    if (!canvas || !frame) return;
    if (drawn.current !== frame.key) {
      if (canvas.width !== frame.width || canvas.height !== frame.height) {
        canvas.width = frame.width;
        canvas.height = frame.height;
      }
      canvas.getContext("2d")?.drawImage(frame.image, 0, 0);
      drawn.current = frame.key;
      // The canvas has a picture now: the server-rendered first frame steps aside.
      if (firstFrame.current) firstFrame.current.hidden = true;
    }
    canvas.dataset.frameKey = frame.key;
    canvas.dataset.exact = String(lookup.exact);
    if (lookup.exact) {
      const painted = step;
      requestAnimationFrame(() => {
        if (canvas.dataset.step !== String(painted) || canvas.dataset.frameKey !== frame.key) return;
        canvas.dataset.paintedStep = String(painted);
        window.__replayPainted?.({ episodeId: source.episodeId, stream, step: painted, at: performance.now() });
      });
    }
  });

  const streamInfo = source.summary.frame_streams[stream];
  return (
    <figure className="min-w-0" data-testid="replay-frame" data-stream={streamInfo?.field}>
      <div className="relative aspect-[4/3] w-full overflow-hidden rounded-md bg-slate-900">
        <canvas
          ref={canvasRef}
          data-step={step}
          data-frame-id={lookup.frameId ?? ""}
          className="absolute inset-0 h-full w-full object-contain"
          aria-label={`${label} at step ${step}`}
          role="img"
        />
        {initialFrameUrl && (
          // eslint-disable-next-line @next/next/no-img-element -- a same-origin, session-checked frame; painted before hydration
          <img
            ref={firstFrame}
            src={initialFrameUrl}
            alt=""
            data-testid="replay-first-frame"
            className="absolute inset-0 h-full w-full object-contain"
            {...{ elementtiming: "replay-first-frame" }}
          />
        )}
        {!lookup.frame && !initialFrameUrl && (
          <div className="absolute inset-0 flex items-center justify-center text-xs text-slate-400">Loading frame…</div>
        )}
        {lookup.frame && !lookup.exact && (
          <span className="absolute top-2 right-2 rounded bg-black/60 px-1.5 py-0.5 text-[11px] text-amber-200">
            nearest loaded frame
          </span>
        )}
      </div>
      <figcaption className="mt-1 flex justify-between gap-2 text-xs text-slate-500">
        <span className="truncate">{label}</span>
        <span className="font-mono tabular-nums">{lookup.frameId ?? "no frame"}</span>
      </figcaption>
    </figure>
  );
}
