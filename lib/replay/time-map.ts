/**
 * Step ↔ time on the replay timeline from a few evenly spaced (step, time) samples, refined by
 * exact timestamps where the page has them. Linear between samples, so a 100 000-step episode
 * maps time to step before any of its steps arrive (alignment by time, playback, the readout).
 */
export interface TimeSamples {
  step: number[];
  t_us: (number | null)[];
}

function usable(samples: TimeSamples): { step: number[]; t: number[] } {
  const step: number[] = [];
  const t: number[] = [];
  for (let i = 0; i < samples.step.length; i++) {
    const value = samples.t_us[i];
    if (value !== null && value !== undefined && Number.isFinite(value)) {
      step.push(samples.step[i]!);
      t.push(value);
    }
  }
  return { step, t };
}

export class TimeMap {
  private readonly steps: number[];
  private readonly times: number[];

  /** `periodUs` is used where the samples say nothing (no clock, or outside them). */
  constructor(
    samples: TimeSamples,
    readonly stepCount: number,
    readonly periodUs: number,
    readonly firstUs: number | null,
  ) {
    const { step, t } = usable(samples);
    this.steps = step;
    this.times = t;
  }

  /** The time origin: the first step's time (0 when the episode has no clock). */
  get origin(): number {
    return this.times[0] ?? this.firstUs ?? 0;
  }

  /** Estimated time of a step (µs on the episode's clock). */
  timeOf(step: number): number {
    const { steps, times } = this;
    if (steps.length === 0) return this.origin + step * this.periodUs;
    if (steps.length === 1 || step <= steps[0]!) return times[0]! + (step - steps[0]!) * this.periodUs;
    const last = steps.length - 1;
    if (step >= steps[last]!) return times[last]! + (step - steps[last]!) * this.periodUs;
    let lo = 0;
    let hi = last;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (steps[mid]! <= step) lo = mid;
      else hi = mid;
    }
    const s0 = steps[lo]!;
    const s1 = steps[hi]!;
    return times[lo]! + ((times[hi]! - times[lo]!) * (step - s0)) / (s1 - s0);
  }

  /** Estimated step at a time (the last step at or before it), clamped to the episode. */
  stepAt(t: number): number {
    const { steps, times } = this;
    let estimate: number;
    if (steps.length < 2) {
      estimate = (t - this.origin) / this.periodUs;
    } else if (t <= times[0]!) {
      estimate = steps[0]! + (t - times[0]!) / this.periodUs;
    } else if (t >= times[times.length - 1]!) {
      estimate = steps[steps.length - 1]! + (t - times[times.length - 1]!) / this.periodUs;
    } else {
      let lo = 0;
      let hi = times.length - 1;
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (times[mid]! <= t) lo = mid;
        else hi = mid;
      }
      const span = times[hi]! - times[lo]!;
      estimate = steps[lo]! + (span > 0 ? ((steps[hi]! - steps[lo]!) * (t - times[lo]!)) / span : 0);
    }
    return Math.min(this.stepCount - 1, Math.max(0, Math.floor(estimate + 1e-9)));
  }
}

/** `mm:ss.mmm` (or `h:mm:ss.mmm`) of a duration in µs. */
export function formatClock(us: number): string {
  const negative = us < 0;
  let ms = Math.round(Math.abs(us) / 1000);
  const hours = Math.floor(ms / 3_600_000);
  ms -= hours * 3_600_000;
  const minutes = Math.floor(ms / 60_000);
  ms -= minutes * 60_000;
  const seconds = Math.floor(ms / 1000);
  ms -= seconds * 1000;
  const mm = String(minutes).padStart(2, "0");
  const ss = String(seconds).padStart(2, "0");
  const mmm = String(ms).padStart(3, "0");
  return `${negative ? "-" : ""}${hours > 0 ? `${hours}:` : ""}${mm}:${ss}.${mmm}`;
}
