/**
 * A small task scheduler for one simulated robot: repeating and one-off tasks, never overlapping
 * themselves, with jitter (a fleet started at once must not heartbeat in lockstep), and one `stop()`
 * that cancels what is waiting and waits for what is running. Behaviors use it instead of raw timers
 * so a robot (and a fleet) always stops cleanly.
 */
export interface EveryOptions {
  /** Run once right away (after `initialDelayMs`), then every interval. Default true. */
  runNow?: boolean;
  /** Delay before the first run. Default 0. */
  initialDelayMs?: number;
  /** Random extra delay, as a fraction of the interval (0–1). Default 0.1. */
  jitter?: number;
}

export type TaskErrorHandler = (task: string, error: unknown) => void;

export class Scheduler {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly onError: TaskErrorHandler = () => undefined) {}

  get isStopped(): boolean {
    return this.stopped;
  }

  /**
   * Run `task` repeatedly. `intervalMs` may be a function, read before each wait (a heartbeat
   * follows the interval the server last asked for).
   */
  every(
    name: string,
    intervalMs: number | (() => number),
    task: () => Promise<void> | void,
    options: EveryOptions = {},
  ) {
    const interval = typeof intervalMs === "function" ? intervalMs : () => intervalMs;
    const jitter = options.jitter ?? 0.1;
    const loop = async () => {
      await this.run(name, task);
      if (!this.stopped) this.after(name, interval() * (1 + Math.random() * jitter), loop);
    };
    if (options.runNow ?? true) this.after(name, options.initialDelayMs ?? 0, loop);
    else this.after(name, (options.initialDelayMs ?? 0) + interval() * (1 + Math.random() * jitter), loop);
  }

  /** Run `task` once after `delayMs`. */
  after(name: string, delayMs: number, task: () => Promise<void> | void): void {
    if (this.stopped) return;
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        void this.run(name, task);
      },
      Math.max(0, delayMs),
    );
    this.timers.add(timer);
  }

  private async run(name: string, task: () => Promise<void> | void): Promise<void> {
    if (this.stopped) return;
    const running = (async () => {
      try {
        await task();
      } catch (error) {
        this.onError(name, error);
      }
    })();
    this.running.add(running);
    await running;
    this.running.delete(running);
  }

  /** Cancel waiting tasks and wait for running ones. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.all([...this.running]);
  }
}
