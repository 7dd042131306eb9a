import type { ReplayStepWindow, ReplaySummary } from "@/lib/replay/schemas";
import { replayUrls } from "./replay-urls";

/**
 * The steps a page renders with: a few from `step` on, enough for the first frame, the JSON view
 * and the readout. The HTML stays small (the first paint waits for it); the client fetches the
 * whole window right after.
 */
export const INITIAL_STEPS = 8;

export function initialWindowRange(step: number, stepCount: number): { from: number; to: number } {
  return { from: step, to: Math.min(stepCount, step + INITIAL_STEPS) };
}

/** The URL of the frame `step` shows in the first frame stream (its own or the latest before it in the window). */
export function initialFrameUrl(summary: ReplaySummary, window: ReplayStepWindow | null, step: number): string | null {
  const stream = summary.frame_streams.findIndex((s) => s.included);
  if (stream < 0 || window === null) return null;
  for (let i = step - window.from; i >= 0; i--) {
    const id = window.steps[i]?.frames[stream];
    if (id) return replayUrls.frameById(summary.episode_id, summary.frame_streams[stream]!.field, id);
  }
  return replayUrls.frameByStep(summary.episode_id, summary.frame_streams[stream]!.field, step);
}

/** Parse the deep link's `step`, `fields`, `speed` and `loop` (bad values fall back to defaults). */
export function parseDeepLink(
  search: Record<string, string | string[] | undefined>,
  stepCount: number,
): { step: number; fields: string[] | null; speed: number; loop: { start: number; end: number } | null } {
  const one = (key: string) => {
    const value = search[key];
    return Array.isArray(value) ? value[0] : value;
  };
  const stepValue = Number.parseInt(one("step") ?? "", 10);
  const step = Number.isFinite(stepValue) ? Math.min(Math.max(0, stepValue), Math.max(0, stepCount - 1)) : 0;
  const fieldsValue = one("fields");
  const fields = fieldsValue === undefined ? null : fieldsValue.split(",").filter((field) => field.length > 0);
  const speedValue = Number(one("speed") ?? "1");
  const speed = Number.isFinite(speedValue) ? Math.min(8, Math.max(0.1, speedValue)) : 1;
  const loopMatch = /^(\d+)-(\d+)$/.exec(one("loop") ?? "");
  const loop = loopMatch ? { start: Number(loopMatch[1]), end: Number(loopMatch[2]) } : null;
  return { step, fields, speed, loop };
}
