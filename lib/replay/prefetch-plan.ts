/**
 * Which step windows the replay page wants, in the order to fetch them: the cursor's window first,
 * then ahead in the play direction (more of them the faster it plays), then one behind. Anything
 * in flight that is not in the plan any more is stale (the user scrubbed away) and is cancelled.
 */
export interface PrefetchInput {
  cursor: number;
  stepCount: number;
  windowSize: number;
  /** +1 forward, -1 backward. */
  direction: 1 | -1;
  playing: boolean;
  /** Steps per second of playback (speed × step rate); 0 when paused. */
  stepsPerSecond?: number;
  /** Seconds of playback to have loaded ahead (default 3). */
  aheadSeconds?: number;
}

export function windowOf(step: number, windowSize: number): number {
  return Math.floor(step / windowSize);
}

export function planWindows(input: PrefetchInput): number[] {
  const { cursor, stepCount, windowSize, direction } = input;
  if (stepCount <= 0) return [];
  const last = windowOf(stepCount - 1, windowSize);
  const here = windowOf(Math.min(Math.max(cursor, 0), stepCount - 1), windowSize);
  const aheadSteps = input.playing ? (input.stepsPerSecond ?? 30) * (input.aheadSeconds ?? 3) : windowSize / 2;
  const ahead = Math.max(1, Math.min(16, Math.ceil(aheadSteps / windowSize)));
  const plan = [here];
  for (let k = 1; k <= ahead; k++) plan.push(here + k * direction);
  plan.push(here - direction);
  return plan.filter((w) => w >= 0 && w <= last);
}

/**
 * Steps whose frames the page wants, in order: the cursor's, then the next ones in the play
 * direction (`ahead`), then a few behind, so stepping back is instant too.
 */
export function planFrameSteps(
  cursor: number,
  stepCount: number,
  direction: 1 | -1,
  ahead: number,
  behind = 2,
): number[] {
  const steps: number[] = [];
  for (let k = 0; k <= ahead; k++) steps.push(cursor + k * direction);
  for (let k = 1; k <= behind; k++) steps.push(cursor - k * direction);
  return steps.filter((s) => s >= 0 && s < stepCount);
}
