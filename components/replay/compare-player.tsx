"use client";

import Link from "next/link";
import { useEffect, useMemo, useRef, useState } from "react";
import type { ReplayStepWindow, ReplaySummary } from "@/lib/replay/schemas";
import { formatClock } from "@/lib/replay/time-map";
import type { EpisodeSource } from "./episode-source";
import { defaultFields, panelsFor } from "./field-selection";
import { FrameView } from "./frame-view";
import { HelpOverlay } from "./help-overlay";
import { PlaybackClock, type PlaybackTimeline } from "./playback-clock";
import { PlaybackControls } from "./playback-controls";
import { ReplayQueryProvider } from "./query-provider";
import { usePlaybackClock } from "./replay-player";
import { replayPageUrl } from "./replay-urls";
import { SeriesPanel } from "./series-panel";
import { Timeline } from "./timeline";
import { useElementWidth } from "./use-element-width";
import { useEpisodeSource } from "./use-episode-source";
import { useReplayHandle } from "./use-replay-handle";
import { useReplayKeys } from "./use-replay-keys";

export type Alignment = "step" | "time";

export interface CompareSide {
  summary: ReplaySummary;
  initialWindow: ReplayStepWindow | null;
  initialFrameUrl: string | null;
}

/**
 * The shared timeline of two episodes. By step: position p is step p of both (each holds its last
 * step past its end), timed by the longer one's clock. By time: position p is p ticks of the
 * finer step period after each episode's own start, so both show the same moment of their runs.
 */
function sharedTimeline(a: EpisodeSource, b: EpisodeSource, align: Alignment) {
  const clampStep = (source: EpisodeSource, step: number) => Math.min(Math.max(0, step), source.stepCount - 1);
  if (align === "step") {
    const longer = a.stepCount >= b.stepCount ? a : b;
    const stepOf = (source: EpisodeSource, p: number) => clampStep(source, p);
    const timeline: PlaybackTimeline = {
      count: Math.max(a.stepCount, b.stepCount),
      timeOf: (p) => longer.timeOf(p) - longer.time.origin,
      positionAt: (t) => longer.stepAtTime(t + longer.time.origin),
      isReady: (p) => a.hasStep(stepOf(a, p)) && b.hasStep(stepOf(b, p)),
    };
    return { timeline, stepOf, positionOf: (source: EpisodeSource, step: number) => step };
  }
  const tick = Math.max(1, Math.min(a.summary.period_us, b.summary.period_us));
  const duration = Math.max(a.summary.duration_us, b.summary.duration_us);
  const stepOf = (source: EpisodeSource, p: number) =>
    clampStep(source, source.stepAtTime(source.time.origin + p * tick));
  const timeline: PlaybackTimeline = {
    count: Math.floor(duration / tick) + 1,
    timeOf: (p) => p * tick,
    positionAt: (t) => Math.floor(t / tick + 1e-9),
    isReady: (p) => a.hasStep(stepOf(a, p)) && b.hasStep(stepOf(b, p)),
  };
  return {
    timeline,
    stepOf,
    positionOf: (source: EpisodeSource, step: number) => Math.round((source.timeOf(step) - source.time.origin) / tick),
  };
}

export function ComparePlayer(props: { a: CompareSide; b: CompareSide; align: Alignment; initialPosition: number }) {
  return (
    <ReplayQueryProvider>
      <Compare {...props} />
    </ReplayQueryProvider>
  );
}

function Compare({
  a,
  b,
  align: initialAlign,
  initialPosition,
}: {
  a: CompareSide;
  b: CompareSide;
  align: Alignment;
  initialPosition: number;
}) {
  const sourceA = useEpisodeSource(a.summary, a.initialWindow);
  const sourceB = useEpisodeSource(b.summary, b.initialWindow);
  const [align, setAlign] = useState<Alignment>(initialAlign);
  const shared = useMemo(() => sharedTimeline(sourceA, sourceB, align), [sourceA, sourceB, align]);
  const [clock, state] = usePlaybackClock(
    (onChange) => new PlaybackClock(shared.timeline, { position: initialPosition }, onChange),
  );
  const [help, setHelp] = useState(false);
  const position = state.position;
  const stepA = shared.stepOf(sourceA, position);
  const stepB = shared.stepOf(sourceB, position);

  // Re-render when either source loads data (steps refine the time alignment).
  const [, setTick] = useState(0);
  useEffect(() => {
    const bump = () => setTick((n) => n + 1);
    const offA = sourceA.subscribe(bump);
    const offB = sourceB.subscribe(bump);
    return () => {
      offA();
      offB();
    };
  }, [sourceA, sourceB]);

  const switchAlignment = (next: Alignment) => {
    if (next === align) return;
    const keep = stepA;
    const nextShared = sharedTimeline(sourceA, sourceB, next);
    clock.setTimeline(nextShared.timeline);
    setAlign(next);
    clock.seek(nextShared.positionOf(sourceA, keep));
  };

  useEffect(() => {
    clock.setTimeline(shared.timeline);
  }, [clock, shared]);

  useEffect(() => {
    const rate = (source: EpisodeSource) => (state.playing ? (state.speed * 1e6) / source.summary.period_us : 0);
    sourceA.update(stepA, state.direction, state.playing, rate(sourceA));
    sourceB.update(stepB, state.direction, state.playing, rate(sourceB));
  }, [sourceA, sourceB, stepA, stepB, state.direction, state.playing, state.speed]);

  useEffect(() => {
    const timer = setTimeout(() => {
      const url = new URL(window.location.href);
      url.searchParams.set("align", align);
      url.searchParams.set("pos", String(position));
      window.history.replaceState(window.history.state, "", url.toString());
    }, 250);
    return () => clearTimeout(timer);
  }, [align, position]);

  useReplayHandle(clock, sourceA, false);

  const tick = align === "step" ? 1 : Math.max(1, Math.min(a.summary.period_us, b.summary.period_us));
  useReplayKeys({
    toggle: () => clock.toggle(),
    stepBy: (delta) => clock.stepBy(delta),
    seconds: (delta) => clock.stepBy(Math.round((delta * 1e6) / (align === "step" ? a.summary.period_us : tick))),
    home: () => clock.seek(0),
    end: () => clock.seek(shared.timeline.count - 1),
    speed: (up) => clock.nudgeSpeed(up),
    loop: () => clock.setLooping(!clock.state.looping),
    markIn: () =>
      clock.setLoop(
        { start: clock.state.position, end: clock.state.loop?.end ?? shared.timeline.count - 1 },
        clock.state.looping,
      ),
    markOut: () =>
      clock.setLoop({ start: clock.state.loop?.start ?? 0, end: clock.state.position }, clock.state.looping),
    help: () => setHelp((open) => !open),
    escape: () => setHelp(false),
  });

  const shownTime = shared.timeline.timeOf(position);
  const duration =
    align === "step"
      ? shared.timeline.timeOf(shared.timeline.count - 1)
      : Math.max(a.summary.duration_us, b.summary.duration_us);

  return (
    <div className="space-y-4" data-testid="compare-player" data-align={align}>
      <div className="space-y-2 rounded-lg border border-slate-200 bg-white p-3">
        <div className="flex flex-wrap items-center justify-between gap-2 text-sm">
          <span className="font-mono tabular-nums" data-testid="compare-readout" data-position={position}>
            {align === "step" ? `Step ${position.toLocaleString()}` : `t = ${formatClock(shownTime)}`} ·{" "}
            {formatClock(shownTime)} / {formatClock(duration)}
          </span>
          <div
            role="radiogroup"
            aria-label="Align"
            className="flex overflow-hidden rounded-md border border-slate-300 text-sm"
          >
            {(["step", "time"] as const).map((mode) => (
              <button
                key={mode}
                type="button"
                role="radio"
                aria-checked={align === mode}
                onClick={() => switchAlignment(mode)}
                className={
                  align === mode
                    ? "bg-brand-600 px-3 py-1 text-white"
                    : "bg-white px-3 py-1 text-slate-700 hover:bg-slate-50"
                }
              >
                By {mode}
              </button>
            ))}
          </div>
        </div>
        <Timeline
          count={shared.timeline.count}
          position={position}
          onSeek={(p) => clock.seek(p)}
          loop={state.loop}
          looping={state.looping}
          valueText={`${align === "step" ? `Step ${position}` : formatClock(shownTime)}: ${a.summary.episode_id} step ${stepA}, ${b.summary.episode_id} step ${stepB}`}
          label="Shared timeline"
        />
        <PlaybackControls clock={clock} state={state} onHelp={() => setHelp(true)} />
      </div>
      <div className="grid gap-4 md:grid-cols-2">
        <ComparePane source={sourceA} side={a} step={stepA} onSeek={(s) => clock.seek(shared.positionOf(sourceA, s))} />
        <ComparePane source={sourceB} side={b} step={stepB} onSeek={(s) => clock.seek(shared.positionOf(sourceB, s))} />
      </div>
      {help && <HelpOverlay onClose={() => setHelp(false)} />}
    </div>
  );
}

function ComparePane({
  source,
  side,
  step,
  onSeek,
}: {
  source: EpisodeSource;
  side: CompareSide;
  step: number;
  onSeek: (step: number) => void;
}) {
  const { summary } = side;
  const box = useRef<HTMLDivElement>(null);
  const width = useElementWidth(box, 400);
  const panels = useMemo(() => panelsFor(summary.fields, defaultFields(summary)).slice(0, 2), [summary]);
  const [zoom, setZoom] = useState<{ from: number; to: number } | null>(null);
  const origin = source.time.origin;
  return (
    <section ref={box} className="min-w-0 space-y-2" data-testid="compare-pane" data-episode={summary.episode_id}>
      <header className="flex flex-wrap items-baseline justify-between gap-2">
        <Link
          href={replayPageUrl(summary.episode_id, { step })}
          className="truncate text-sm font-semibold text-brand-700 hover:underline"
        >
          {summary.episode_id}
        </Link>
        <span className="font-mono text-xs tabular-nums text-slate-600" data-testid="compare-step" data-step={step}>
          step {step.toLocaleString()} / {(summary.step_count - 1).toLocaleString()} ·{" "}
          {formatClock(source.timeOf(step) - origin)}
        </span>
      </header>
      {source.streams.length > 0 ? (
        <FrameView
          source={source}
          stream={source.streams[0]!}
          step={step}
          initialFrameUrl={side.initialFrameUrl}
          label={summary.frame_streams[source.streams[0]!]!.field.replace(/^observation\./, "")}
        />
      ) : (
        <div className="rounded-lg border border-dashed border-slate-300 bg-slate-50 p-6 text-center text-sm text-slate-600">
          No camera frames in this episode.
        </div>
      )}
      {panels.map((panel) => (
        <SeriesPanel
          key={panel.key}
          episodeId={summary.episode_id}
          title={panel.title}
          fields={panel.fields}
          stepCount={summary.step_count}
          cursor={step}
          zoom={zoom}
          onZoom={setZoom}
          onSeek={onSeek}
          width={width - 26}
        />
      ))}
    </section>
  );
}
