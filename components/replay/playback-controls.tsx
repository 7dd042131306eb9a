"use client";

import { cn } from "@/components/ui/cn";
import { SPEEDS, type PlaybackClock, type PlaybackState } from "./playback-clock";

const base = "inline-flex h-8 min-w-8 items-center justify-center rounded-md border px-2 text-sm disabled:opacity-40";
const button = cn(base, "border-slate-300 bg-white text-slate-800 hover:bg-slate-50");

function Icon({ d }: { d: string }) {
  return (
    <svg viewBox="0 0 16 16" className="h-4 w-4 fill-current" aria-hidden="true">
      <path d={d} />
    </svg>
  );
}
const FIRST = "M3 3h2v10H3zM13 3v10L6 8z";
const BACK = "M12 3v10L5 8z";
const FORWARD = "M4 3v10l7-5z";
const LAST = "M11 3h2v10h-2zM3 3v10l7-5z";

/** Transport buttons, speed, loop and help: the same actions as the keyboard shortcuts. */
export function PlaybackControls({
  clock,
  state,
  onHelp,
  children,
}: {
  clock: PlaybackClock;
  state: PlaybackState;
  onHelp: () => void;
  children?: React.ReactNode;
}) {
  return (
    <div className="flex flex-wrap items-center gap-1.5">
      <button
        type="button"
        className={button}
        onClick={() => clock.seek(0)}
        aria-label="First step"
        title="First step (Home)"
      >
        <Icon d={FIRST} />
      </button>
      <button
        type="button"
        className={button}
        onClick={() => clock.stepBy(-1)}
        aria-label="Step back"
        title="Step back (←)"
      >
        <Icon d={BACK} />
      </button>
      <button
        type="button"
        className={cn(base, "w-16 border-brand-600 bg-brand-600 font-medium text-white hover:bg-brand-700")}
        onClick={() => clock.toggle()}
        aria-label={state.playing ? "Pause" : "Play"}
        title="Play / pause (Space)"
        data-testid="play-pause"
      >
        {state.playing ? "Pause" : "Play"}
      </button>
      <button
        type="button"
        className={button}
        onClick={() => clock.stepBy(1)}
        aria-label="Step forward"
        title="Step forward (→)"
      >
        <Icon d={FORWARD} />
      </button>
      <button
        type="button"
        className={button}
        onClick={() => clock.seek(Number.MAX_SAFE_INTEGER)}
        aria-label="Last step"
        title="Last step (End)"
      >
        <Icon d={LAST} />
      </button>
      <label className="ml-1 flex items-center gap-1 text-xs text-slate-600">
        Speed
        <select
          aria-label="Speed"
          value={String(state.speed)}
          onChange={(event) => clock.setSpeed(Number(event.target.value))}
          className="h-8 rounded-md border border-slate-300 bg-white px-1 text-sm"
        >
          {SPEEDS.map((speed) => (
            <option key={speed} value={String(speed)}>
              {speed}×
            </option>
          ))}
        </select>
      </label>
      <button
        type="button"
        className={cn(
          base,
          state.looping
            ? "border-brand-500 bg-brand-50 text-brand-800"
            : "border-slate-300 bg-white text-slate-800 hover:bg-slate-50",
        )}
        onClick={() => clock.setLooping(!state.looping)}
        aria-pressed={state.looping}
        title="Loop the range (L)"
      >
        Loop
      </button>
      <button
        type="button"
        className={button}
        onClick={() =>
          clock.setLoop({ start: state.position, end: state.loop?.end ?? Number.MAX_SAFE_INTEGER }, state.looping)
        }
        title="Loop starts here (I)"
      >
        In
      </button>
      <button
        type="button"
        className={button}
        onClick={() => clock.setLoop({ start: state.loop?.start ?? 0, end: state.position }, state.looping)}
        title="Loop ends here (O)"
      >
        Out
      </button>
      {children}
      <button
        type="button"
        className={button}
        onClick={onHelp}
        aria-label="Keyboard shortcuts"
        title="Keyboard shortcuts (?)"
      >
        ?
      </button>
      {state.buffering && <span className="text-xs text-amber-700">buffering…</span>}
    </div>
  );
}
