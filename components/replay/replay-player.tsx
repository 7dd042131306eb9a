"use client";

import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from "react";
import type { ReplayStepWindow, ReplaySummary } from "@/lib/replay/schemas";
import { formatClock } from "@/lib/replay/time-map";
import type { EpisodeSource } from "./episode-source";
import { FieldPicker } from "./field-picker";
import { defaultFields, panelsFor } from "./field-selection";
import { FrameView } from "./frame-view";
import { HelpOverlay } from "./help-overlay";
import { PlaybackClock, type PlaybackState } from "./playback-clock";
import { PlaybackControls } from "./playback-controls";
import { ReplayQueryProvider } from "./query-provider";
import { SeriesPanel } from "./series-panel";
import { StepJsonView } from "./step-json-view";
import { Timeline } from "./timeline";
import { useElementWidth } from "./use-element-width";
import { useEpisodeSource } from "./use-episode-source";
import { useReplayHandle } from "./use-replay-handle";
import { useReplayKeys } from "./use-replay-keys";

export interface ReplayPlayerProps {
  summary: ReplaySummary;
  initialWindow: ReplayStepWindow | null;
  initialStep: number;
  /** From the deep link; null: the defaults. */
  initialFields: string[] | null;
  initialFrameUrl: string | null;
  initialSpeed?: number;
  initialLoop?: { start: number; end: number } | null;
}

/** Playback state of a clock, re-rendering on each change. */
export function usePlaybackClock(
  make: (onChange: (state: PlaybackState) => void) => PlaybackClock,
): [PlaybackClock, PlaybackState] {
  const [state, setState] = useState<PlaybackState | null>(null);
  const [clock] = useState(() => make(setState));
  useEffect(() => () => clock.dispose(), [clock]);
  return [clock, state ?? clock.state];
}

function useSourceVersion(source: EpisodeSource): number {
  return useSyncExternalStore(source.subscribe, source.version, source.version);
}

/*
 * The parts that show loaded data subscribe to the source themselves, so a window or frame
 * arriving re-renders them and not the whole page (charts, controls).
 */
function LiveStepJson({ source, step }: { source: EpisodeSource; step: number }) {
  useSourceVersion(source);
  return <StepJsonView json={source.step(step)?.json} step={step} />;
}

function LiveClock({ source, step, duration }: { source: EpisodeSource; step: number; duration: number }) {
  useSourceVersion(source);
  return (
    <span className="font-mono text-xs tabular-nums text-slate-600" data-testid="replay-time">
      {formatClock(source.timeOf(step) - source.time.origin)} / {formatClock(duration)}
    </span>
  );
}

function LiveError({ source }: { source: EpisodeSource }) {
  useSourceVersion(source);
  return source.error ? (
    <p className="text-xs text-red-700" role="alert">
      {source.error} Retrying…
    </p>
  ) : null;
}

function LiveTimeline({
  source,
  ...props
}: Omit<Parameters<typeof Timeline>[0], "loaded"> & { source: EpisodeSource }) {
  useSourceVersion(source);
  return <Timeline {...props} loaded={source.loadedRanges()} />;
}

/** The episode replay: frames, timeline and transport, charts with a cursor, the raw step, a deep link. */
export function ReplayPlayer(props: ReplayPlayerProps) {
  return (
    <ReplayQueryProvider>
      <Player {...props} />
    </ReplayQueryProvider>
  );
}

function Player({
  summary,
  initialWindow,
  initialStep,
  initialFields,
  initialFrameUrl,
  initialSpeed,
  initialLoop,
}: ReplayPlayerProps) {
  const source = useEpisodeSource(summary, initialWindow);
  const [clock, state] = usePlaybackClock(
    (onChange) =>
      new PlaybackClock(
        {
          count: summary.step_count,
          timeOf: (p) => source.timeOf(p),
          positionAt: (t) => source.stepAtTime(t),
          isReady: (p) => source.hasStep(p),
        },
        {
          position: initialStep,
          speed: initialSpeed ?? 1,
          loop: initialLoop ?? null,
          looping: initialLoop != null,
        },
        (next) => {
          // The source hears about the move before React renders it: fetches start at once.
          source.update(
            next.position,
            next.direction,
            next.playing,
            next.playing ? (next.speed * 1e6) / summary.period_us : 0,
          );
          onChange(next);
        },
      ),
  );
  const [fields, setFields] = useState<string[]>(() => initialFields ?? defaultFields(summary));
  const [zoom, setZoom] = useState<{ from: number; to: number } | null>(null);
  const [help, setHelp] = useState(false);
  const [copied, setCopied] = useState<string | null>(null);
  const charts = useRef<HTMLDivElement>(null);
  const chartWidth = useElementWidth(charts);
  const step = state.position;
  const stepsPerSecond = (state.speed * 1e6) / summary.period_us;

  useEffect(() => {
    source.update(step, state.direction, state.playing, state.playing ? stepsPerSecond : 0);
  }, [source, step, state.direction, state.playing, stepsPerSecond]);

  const linkFor = useCallback(
    (at: number) => {
      const url = new URL(window.location.href);
      url.searchParams.set("step", String(at));
      url.searchParams.set("fields", fields.join(","));
      if (state.speed !== 1) url.searchParams.set("speed", String(state.speed));
      else url.searchParams.delete("speed");
      if (state.loop && state.looping) url.searchParams.set("loop", `${state.loop.start}-${state.loop.end}`);
      else url.searchParams.delete("loop");
      return url.toString();
    },
    [fields, state.speed, state.loop, state.looping],
  );

  // Keep the address bar a deep link to what is shown (throttled: playback moves it 30× a second).
  useEffect(() => {
    const timer = setTimeout(() => window.history.replaceState(window.history.state, "", linkFor(step)), 250);
    return () => clearTimeout(timer);
  }, [linkFor, step]);

  useReplayHandle(clock, source, true);

  const oneSecond = Math.max(1, Math.round(1e6 / summary.period_us));
  useReplayKeys({
    toggle: () => clock.toggle(),
    stepBy: (delta) => clock.stepBy(delta),
    seconds: (delta) => clock.stepBy(delta * oneSecond),
    home: () => clock.seek(0),
    end: () => clock.seek(summary.step_count - 1),
    speed: (up) => clock.nudgeSpeed(up),
    loop: () => clock.setLooping(!clock.state.looping),
    markIn: () =>
      clock.setLoop(
        { start: clock.state.position, end: clock.state.loop?.end ?? summary.step_count - 1 },
        clock.state.looping,
      ),
    markOut: () =>
      clock.setLoop({ start: clock.state.loop?.start ?? 0, end: clock.state.position }, clock.state.looping),
    help: () => setHelp((open) => !open),
    escape: () => setHelp(false),
  });

  const copyLink = async () => {
    const link = linkFor(step);
    try {
      await navigator.clipboard.writeText(link);
      setCopied("Link copied");
    } catch {
      setCopied(link);
    }
    setTimeout(() => setCopied(null), 4000);
  };

  const panels = useMemo(() => panelsFor(summary.fields, fields), [summary.fields, fields]);
  const origin = source.time.origin;
  const markers = useMemo(
    () => summary.markers.map((m) => ({ position: m.step, severity: m.severity, label: `${m.code}: ${m.message}` })),
    [summary.markers],
  );
  const valueText = `Step ${step.toLocaleString()} of ${(summary.step_count - 1).toLocaleString()}, ${formatClock(source.timeOf(step) - origin)}`;

  return (
    <div className="grid gap-4 lg:grid-cols-[minmax(0,5fr)_minmax(0,6fr)]" data-testid="replay-player">
      <div className="min-w-0 space-y-3">
        {source.streams.length > 0 ? (
          <div className={source.streams.length > 1 ? "grid grid-cols-2 gap-2" : ""}>
            {source.streams.map((stream, k) => (
              <FrameView
                key={stream}
                source={source}
                stream={stream}
                step={step}
                initialFrameUrl={k === 0 ? initialFrameUrl : null}
                label={summary.frame_streams[stream]!.field.replace(/^observation\./, "")}
              />
            ))}
          </div>
        ) : (
          <div
            className="rounded-lg border border-dashed border-slate-300 bg-slate-50 p-6 text-center text-sm text-slate-600"
            data-testid="no-frames"
          >
            This episode has no camera frames
            {summary.frame_streams.length > 0 ? " uploaded with it (its steps name frames stored elsewhere)" : ""}. Its
            charts and steps replay below.
          </div>
        )}
        <div className="space-y-2 rounded-lg border border-slate-200 bg-white p-3">
          <div className="flex flex-wrap items-baseline justify-between gap-2 text-sm">
            <span className="font-mono tabular-nums text-slate-900" data-testid="replay-readout" data-step={step}>
              Step {step.toLocaleString()} / {(summary.step_count - 1).toLocaleString()}
            </span>
            <LiveClock source={source} step={step} duration={summary.duration_us} />
          </div>
          <LiveTimeline
            source={source}
            count={summary.step_count}
            position={step}
            onSeek={(p) => clock.seek(p)}
            markers={markers}
            loop={state.loop}
            looping={state.looping}
            valueText={valueText}
          />
          <PlaybackControls clock={clock} state={state} onHelp={() => setHelp(true)}>
            <button
              type="button"
              onClick={copyLink}
              className="inline-flex h-8 items-center rounded-md border border-slate-300 bg-white px-2 text-sm text-slate-800 hover:bg-slate-50"
            >
              Copy link
            </button>
          </PlaybackControls>
          {copied && (
            <p className="truncate text-xs text-brand-700" role="status" data-testid="copy-status">
              {copied}
            </p>
          )}
          <LiveError source={source} />
        </div>
        <LiveStepJson source={source} step={step} />
      </div>
      <div ref={charts} className="min-w-0 space-y-3">
        <div className="flex flex-wrap items-center justify-between gap-2">
          <p className="text-xs text-slate-500">
            Drag on a chart to zoom into a range; double-click to zoom out.{" "}
            {summary.markers.length > 0 &&
              `${summary.markers.length} validation marker${summary.markers.length === 1 ? "" : "s"} on the timeline.`}
          </p>
          <FieldPicker
            fields={summary.fields}
            selected={fields}
            onChange={setFields}
            onReset={() => setFields(defaultFields(summary))}
            notIndexed={summary.fields_not_indexed}
          />
        </div>
        {panels.length === 0 ? (
          <div
            className="rounded-lg border border-dashed border-slate-300 bg-slate-50 p-6 text-center text-sm text-slate-600"
            data-testid="no-charts"
          >
            {summary.fields.length === 0
              ? "This episode has no numeric fields to chart; every field shows in the step's JSON."
              : "No fields chosen: pick some under Fields."}
          </div>
        ) : (
          panels.map((panel) => (
            <SeriesPanel
              key={panel.key}
              episodeId={summary.episode_id}
              title={panel.title}
              fields={panel.fields}
              stepCount={summary.step_count}
              cursor={step}
              zoom={zoom}
              onZoom={setZoom}
              onSeek={(p) => clock.seek(p)}
              width={chartWidth - 26}
            />
          ))
        )}
      </div>
      {help && <HelpOverlay onClose={() => setHelp(false)} />}
    </div>
  );
}
