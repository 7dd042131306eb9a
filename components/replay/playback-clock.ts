/**
 * Playback on a timeline of positions (steps, or a compare page's shared ticks) that follows the
 * recording's own clock: at speed s, one wall-clock second moves the cursor to the position whose
 * time is s seconds later (0.1×–8×), so uneven step rates replay as recorded. When the data for
 * the next position has not arrived it waits there ("buffering") instead of skipping ahead; a
 * loop range wraps around. Framework-free; the page renders from `onChange`.
 */
export const SPEEDS = [0.1, 0.25, 0.5, 1, 2, 4, 8] as const;

export interface PlaybackState {
  position: number;
  playing: boolean;
  speed: number;
  buffering: boolean;
  /** Loop range (inclusive positions) and whether playback wraps around in it. */
  loop: { start: number; end: number } | null;
  looping: boolean;
  /** +1 after moving forward, -1 after moving back (for prefetching). */
  direction: 1 | -1;
}

export interface PlaybackTimeline {
  count: number;
  /** Time of a position in µs. */
  timeOf(position: number): number;
  /** The last position at or before a time. */
  positionAt(t: number): number;
  /** Whether the data for a position is loaded (playback waits for it). */
  isReady(position: number): boolean;
}

export class PlaybackClock {
  state: PlaybackState;
  private anchor = { wall: 0, t: 0 };
  private frame: number | null = null;

  constructor(
    private timeline: PlaybackTimeline,
    initial: Partial<PlaybackState>,
    private readonly onChange: (state: PlaybackState) => void,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.state = {
      position: 0,
      playing: false,
      speed: 1,
      buffering: false,
      loop: null,
      looping: false,
      direction: 1,
      ...initial,
    };
  }

  setTimeline(timeline: PlaybackTimeline): void {
    this.timeline = timeline;
    if (this.state.position >= timeline.count) this.seek(timeline.count - 1);
  }

  private emit(patch: Partial<PlaybackState>): void {
    this.state = { ...this.state, ...patch };
    this.onChange(this.state);
  }

  private clamp(position: number): number {
    return Math.min(Math.max(0, Math.round(position)), Math.max(0, this.timeline.count - 1));
  }

  private reanchor(): void {
    this.anchor = { wall: this.now(), t: this.timeline.timeOf(this.state.position) };
  }

  private bounds(): { start: number; end: number } {
    const last = Math.max(0, this.timeline.count - 1);
    return this.state.looping && this.state.loop ? this.state.loop : { start: 0, end: last };
  }

  seek(position: number): void {
    const next = this.clamp(position);
    const direction = next < this.state.position ? -1 : next > this.state.position ? 1 : this.state.direction;
    this.emit({ position: next, direction });
    this.reanchor();
  }

  stepBy(delta: number): void {
    this.seek(this.state.position + delta);
  }

  play(): void {
    if (this.state.playing || this.timeline.count === 0) return;
    const { start, end } = this.bounds();
    if (this.state.position >= end || this.state.position < start) this.emit({ position: start });
    this.emit({ playing: true, direction: 1 });
    this.reanchor();
    this.schedule();
  }

  pause(): void {
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    this.frame = null;
    this.emit({ playing: false, buffering: false });
  }

  toggle(): void {
    if (this.state.playing) this.pause();
    else this.play();
  }

  setSpeed(speed: number): void {
    this.emit({ speed: Math.min(8, Math.max(0.1, speed)) });
    this.reanchor();
  }

  /** One step up or down the speed ladder. */
  nudgeSpeed(up: boolean): void {
    const index = SPEEDS.findIndex((speed) => speed >= this.state.speed - 1e-9);
    const current = index === -1 ? SPEEDS.length - 1 : index;
    this.setSpeed(SPEEDS[Math.min(SPEEDS.length - 1, Math.max(0, current + (up ? 1 : -1)))]!);
  }

  setLoop(loop: { start: number; end: number } | null, looping = loop !== null): void {
    const normalized = loop && {
      start: this.clamp(Math.min(loop.start, loop.end)),
      end: this.clamp(Math.max(loop.start, loop.end)),
    };
    this.emit({ loop: normalized, looping: normalized !== null && looping });
  }

  setLooping(looping: boolean): void {
    if (looping && !this.state.loop) {
      this.emit({ loop: { start: 0, end: Math.max(0, this.timeline.count - 1) } });
    }
    this.emit({ looping });
  }

  private schedule(): void {
    this.frame = requestAnimationFrame(this.tick);
  }

  /** Advance to where the clock says, in steps the data allows. Public for tests. */
  tick = (): void => {
    this.frame = null;
    if (!this.state.playing) return;
    const { start, end } = this.bounds();
    const target = this.anchor.t + (this.now() - this.anchor.wall) * 1000 * this.state.speed;
    let next = Math.max(this.state.position, this.timeline.positionAt(target));
    let wrapped = false;
    if (next >= end && this.timeline.timeOf(end) <= target) {
      if (this.state.looping && this.state.loop) {
        next = start;
        wrapped = true;
      } else {
        next = end;
      }
    }
    next = Math.min(next, end);
    if (!wrapped && next > this.state.position && !this.timeline.isReady(next)) {
      // Hold here until the data arrives, then carry on from this point (no jump ahead).
      let ready = this.state.position;
      while (ready + 1 <= next && this.timeline.isReady(ready + 1)) ready += 1;
      this.emit({ position: ready, buffering: true, direction: 1 });
      this.reanchor();
      this.schedule();
      return;
    }
    if (next !== this.state.position || this.state.buffering) {
      this.emit({ position: next, buffering: false, direction: 1 });
    }
    if (wrapped) this.reanchor();
    if (!wrapped && next >= end && !this.state.looping) {
      this.pause();
      return;
    }
    this.schedule();
  };

  dispose(): void {
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    this.frame = null;
  }
}
