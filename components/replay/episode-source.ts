import { BudgetCache } from "@/lib/replay/budget-cache";
import { planFrameSteps, planWindows, windowOf } from "@/lib/replay/prefetch-plan";
import type { ReplayFramePackHeader, ReplayStep, ReplayStepWindow, ReplaySummary } from "@/lib/replay/schemas";
import { TimeMap } from "@/lib/replay/time-map";
import { replayUrls } from "./replay-urls";

/**
 * The replay page's data for one episode, loaded lazily around the cursor with a fixed memory
 * budget, whatever the episode's length:
 *
 * - Step windows of {@link WINDOW_SIZE} steps (JSON lines, clock, frame ids) come from the steps
 *   API; the cursor's window first, then ahead in the play direction (further the faster it
 *   plays), then one behind. Up to {@link STEP_BUDGET_BYTES} of step text is kept; past that the
 *   windows farthest from the cursor go.
 * - Frames load as images (the browser decodes them off the main thread; in the cloud the frame
 *   route redirects to a signed bucket URL, which an image follows without CORS), the cursor's
 *   first, then the next ones in the play direction. Up to {@link FRAME_BUDGET_BYTES} of decoded
 *   pixels are kept, farthest first out. When the cursor's window is not loaded yet, its frame is
 *   asked for by step, so a far seek paints after one round trip.
 * - Every update cancels what the cursor has moved away from (aborted window fetches, image loads
 *   whose `src` is cleared), so fast scrubbing never queues up stale work.
 * - Until the exact frame is there, {@link frameAt} answers the nearest loaded one, so the view
 *   never blanks.
 *
 * Framework-free: React subscribes through {@link subscribe} / {@link version}.
 */
export const WINDOW_SIZE = 64;
export const STEP_BUDGET_BYTES = 16 * 1024 * 1024;
export const FRAME_BUDGET_BYTES = 48 * 1024 * 1024;
/** Compressed frames from packs, decoded when the cursor comes near (much smaller than decoded pixels). */
export const ENCODED_BUDGET_BYTES = 32 * 1024 * 1024;
const MAX_WINDOW_REQUESTS = 3;
const MAX_PACK_REQUESTS = 2;
const MAX_DECODES = 4;
const RETRY_AFTER_MS = 2000;
/**
 * While scrubbing (paused, the cursor moved less than this long ago) only the cursor's frame and
 * window are fetched; the neighbours and the frames around wait until the cursor rests, so they do
 * not compete with the next position of a scrub.
 */
const SETTLE_MS = 120;
const NEAREST_SEARCH_STEPS = 2048;
/** How far back a step without its own frame id borrows the latest earlier frame (the camera is slower). */
const HOLD_FRAME_STEPS = 256;

export interface LoadedFrame {
  key: string;
  /** Decoded pixels: an ImageBitmap (fetched) or an image element (the fallback). */
  image: ImageBitmap | HTMLImageElement;
  width: number;
  height: number;
  frameId: string | null;
}

export interface FrameLookup {
  frame: LoadedFrame | null;
  /** True when `frame` is the one the step shows (its own or the camera's latest before it). */
  exact: boolean;
  /** The frame id the step shows, when known. */
  frameId: string | null;
}

export interface CacheStats {
  windows: number;
  stepBytes: number;
  frames: number;
  frameBytes: number;
  windowRequests: number;
  frameRequests: number;
  cancelled: number;
}

interface PendingFrame {
  cancel(): void;
  cancelled: boolean;
}

type Fetch = (url: string, init: { signal: AbortSignal }) => Promise<Response>;

/** A refused request to try again later (429 says when; other failures after a short pause). */
class RetryLater extends Error {
  readonly afterMs: number;
  constructor(response: Response) {
    super(`HTTP ${response.status}`);
    const seconds = Number(response.headers.get("retry-after"));
    this.afterMs = response.status === 429 && Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : RETRY_AFTER_MS;
  }
}

export class EpisodeSource {
  readonly time: TimeMap;
  /** Indexes (into `summary.frame_streams`) of the streams whose frames were uploaded. */
  readonly streams: number[];
  private readonly windows: BudgetCache<ReplayStep[]>;
  private readonly frames: BudgetCache<LoadedFrame>;
  private readonly windowRequests = new Map<number, AbortController>();
  private readonly frameRequests = new Map<string, PendingFrame>();
  private readonly encoded: BudgetCache<{ blob: Blob; frameId: string }>;
  private readonly packRequests = new Map<string, AbortController>();
  private readonly decoding = new Set<string>();
  private readonly failedUntil = new Map<string, number>();
  private readonly lastShown = new Map<number, LoadedFrame>();
  private readonly listeners = new Set<() => void>();
  private currentVersion = 0;
  private cancelledCount = 0;
  private plan = { cursor: 0, direction: 1 as 1 | -1, playing: false, stepsPerSecond: 0 };
  /** Set while the cursor has moved within the last SETTLE_MS (the user is scrubbing). */
  private settleTimer: ReturnType<typeof setTimeout> | null = null;
  private disposed = false;
  /** Last error of a window fetch, for the page to show. */
  error: string | null = null;

  constructor(
    readonly episodeId: string,
    readonly summary: ReplaySummary,
    options: {
      initialWindow?: ReplayStepWindow | null;
      fetch?: Fetch;
      /** Budgets (defaults {@link STEP_BUDGET_BYTES}, {@link FRAME_BUDGET_BYTES}). */
      stepBudgetBytes?: number;
      frameBudgetBytes?: number;
      encodedBudgetBytes?: number;
    } = {},
  ) {
    this.fetchImpl = options.fetch ?? ((url, init) => fetch(url, { ...init, credentials: "same-origin" }));
    this.time = new TimeMap(summary.time_samples, summary.step_count, summary.period_us, summary.first_us);
    this.streams = summary.frame_streams.flatMap((stream, index) => (stream.included ? [index] : []));
    this.windows = new BudgetCache<ReplayStep[]>(options.stepBudgetBytes ?? STEP_BUDGET_BYTES);
    this.encoded = new BudgetCache(options.encodedBudgetBytes ?? ENCODED_BUDGET_BYTES);
    this.frames = new BudgetCache<LoadedFrame>(options.frameBudgetBytes ?? FRAME_BUDGET_BYTES, (_key, frame) => {
      // Release the decoded pixels now rather than at the next garbage collection (unless on screen).
      if ([...this.lastShown.values()].includes(frame)) return;
      if ("close" in frame.image) frame.image.close();
      else frame.image.removeAttribute("src");
    });
    if (options.initialWindow) this.addSteps(options.initialWindow.steps);
  }

  private readonly fetchImpl: Fetch;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  version = (): number => this.currentVersion;

  private changed(): void {
    this.currentVersion += 1;
    for (const listener of this.listeners) listener();
  }

  get stepCount(): number {
    return this.summary.step_count;
  }

  /** A loaded step, or undefined while its window is not here. */
  step(index: number): ReplayStep | undefined {
    const window = this.windows.get(String(windowOf(index, WINDOW_SIZE)));
    return window?.[index - windowOf(index, WINDOW_SIZE) * WINDOW_SIZE];
  }

  hasStep(index: number): boolean {
    return this.step(index) !== undefined;
  }

  /** The step's time: exact when loaded, else from the summary's samples. */
  timeOf(index: number): number {
    return this.step(index)?.t_us ?? this.time.timeOf(index);
  }

  /** The last step at or before `t` (µs on the episode clock), exact where the steps are loaded. */
  stepAtTime(t: number): number {
    let step = this.time.stepAt(t);
    // Refine the estimate against exact timestamps of loaded steps.
    for (let guard = 0; guard < 64; guard++) {
      const here = this.step(step)?.t_us;
      if (here === null || here === undefined) break;
      if (here > t && step > 0) {
        const before = this.step(step - 1)?.t_us;
        if (before === null || before === undefined) break;
        step -= 1;
        continue;
      }
      const next = step + 1 < this.stepCount ? this.step(step + 1)?.t_us : undefined;
      if (next !== null && next !== undefined && next <= t) {
        step += 1;
        continue;
      }
      break;
    }
    return step;
  }

  /** Ranges `[from, to)` of loaded steps, for the timeline. */
  loadedRanges(): [number, number][] {
    const windows = [...this.windows.keys()].map(Number).sort((a, b) => a - b);
    const ranges: [number, number][] = [];
    for (const w of windows) {
      const from = w * WINDOW_SIZE;
      const to = Math.min(this.stepCount, from + WINDOW_SIZE);
      const last = ranges[ranges.length - 1];
      if (last && last[1] === from) last[1] = to;
      else ranges.push([from, to]);
    }
    return ranges;
  }

  stats(): CacheStats {
    return {
      windows: this.windows.count,
      stepBytes: this.windows.size,
      frames: this.frames.count,
      frameBytes: this.frames.size,
      windowRequests: this.windowRequests.size,
      frameRequests: this.frameRequests.size + this.packRequests.size,
      cancelled: this.cancelledCount,
    };
  }

  private addSteps(steps: ReplayStep[]): void {
    const byWindow = new Map<number, ReplayStep[]>();
    for (const step of steps) {
      const w = windowOf(step.index, WINDOW_SIZE);
      const list = byWindow.get(w) ?? [];
      list[step.index - w * WINDOW_SIZE] = step;
      byWindow.set(w, list);
    }
    for (const [w, list] of byWindow) {
      const expected = Math.min(WINDOW_SIZE, this.stepCount - w * WINDOW_SIZE);
      let complete = list.length === expected;
      for (let i = 0; complete && i < expected; i++) complete = list[i] !== undefined;
      // A partial window (the page's first slice) is kept only until the full one arrives.
      if (!complete && this.windows.has(String(w))) continue;
      const bytes = list.reduce((sum, step) => sum + (step ? step.json.length + 64 : 0), 0);
      if (complete) this.windows.set(String(w), list, w * WINDOW_SIZE + WINDOW_SIZE / 2, bytes);
      else this.partial.set(w, list);
    }
  }

  /** Windows that arrived incomplete with the page (served until the full window loads). */
  private readonly partial = new Map<number, ReplayStep[]>();

  private windowSteps(w: number): ReplayStep[] | undefined {
    return this.windows.get(String(w)) ?? this.partial.get(w);
  }

  /** The frame id a step names in a stream: a string, null (none), or undefined (not loaded yet). */
  frameIdAt(stream: number, index: number): string | null | undefined {
    const w = windowOf(index, WINDOW_SIZE);
    const step = this.windowSteps(w)?.[index - w * WINDOW_SIZE];
    return step === undefined ? undefined : (step.frames[stream] ?? null);
  }

  /** The frame a step shows: its own id, or the latest earlier one within a hold span (undefined: unknown yet). */
  private shownFrameId(stream: number, index: number): string | null | undefined {
    for (let s = index; s >= 0 && s > index - HOLD_FRAME_STEPS; s--) {
      const id = this.frameIdAt(stream, s);
      if (id === undefined) return s === index ? undefined : null;
      if (id !== null) return id;
    }
    return null;
  }

  private frameKey(stream: number, id: string): string {
    return `${stream}|${id}`;
  }

  private stepKey(stream: number, index: number): string {
    return `${stream}@${index}`;
  }

  /** What to draw for a step: the exact frame when loaded, else the nearest loaded one (never nothing once anything loaded). */
  frameAt(stream: number, index: number): FrameLookup {
    const id = this.shownFrameId(stream, index);
    const exact =
      (id ? this.frames.get(this.frameKey(stream, id)) : undefined) ?? this.frames.get(this.stepKey(stream, index));
    if (exact) {
      this.lastShown.set(stream, exact);
      return { frame: exact, exact: true, frameId: id ?? exact.frameId };
    }
    for (let d = 1; d <= NEAREST_SEARCH_STEPS; d++) {
      for (const s of [index - d, index + d]) {
        if (s < 0 || s >= this.stepCount) continue;
        const near = this.frameIdAt(stream, s);
        const frame =
          (near ? this.frames.get(this.frameKey(stream, near)) : undefined) ?? this.frames.get(this.stepKey(stream, s));
        if (frame) {
          this.lastShown.set(stream, frame);
          return { frame, exact: false, frameId: id ?? null };
        }
      }
    }
    return { frame: this.lastShown.get(stream) ?? null, exact: false, frameId: id ?? null };
  }

  /** Tell the source where the cursor is and how it moves; it fetches, prefetches, cancels and evicts. */
  update(cursor: number, direction: 1 | -1, playing: boolean, stepsPerSecond: number): void {
    if (this.disposed || this.stepCount === 0) return;
    const next = Math.min(Math.max(0, cursor), this.stepCount - 1);
    if (next !== this.plan.cursor && !playing) {
      if (this.settleTimer !== null) clearTimeout(this.settleTimer);
      this.settleTimer = setTimeout(() => {
        this.settleTimer = null;
        if (!this.disposed) this.pump();
      }, SETTLE_MS);
    }
    this.plan = { cursor: next, direction, playing, stepsPerSecond };
    this.pump();
  }

  private pump(): void {
    const { cursor, direction, playing, stepsPerSecond } = this.plan;
    const now = Date.now();
    // The settle timer, not a clock comparison, says when the cursor rests: a timer may fire a
    // millisecond before Date.now() says SETTLE_MS passed, and the neighbours must load then.
    const scrubbing = !playing && this.settleTimer !== null;
    // Frames first (the cursor's picture gates a scrub), then step windows.
    const ahead = playing ? Math.min(90, Math.max(4, Math.ceil(stepsPerSecond * 1.5))) : 3;
    const desired: { key: string; url: string; position: number; frameId: string | null }[] = [];
    const seen = new Set<string>();
    for (const stream of this.streams) {
      const field = this.summary.frame_streams[stream]!.field;
      for (const s of planFrameSteps(cursor, this.stepCount, direction, ahead, playing ? 2 : 1)) {
        const id = this.shownFrameId(stream, s);
        const byStep = this.stepKey(stream, s);
        let key: string;
        let url: string;
        if (id === undefined || this.frames.has(byStep) || this.frameRequests.has(byStep)) {
          // Unknown id (window not here): only the cursor's own frame is worth asking by step.
          if (id === undefined && s !== cursor) continue;
          key = byStep;
          url = replayUrls.frameByStep(this.episodeId, field, s);
        } else if (id === null) {
          continue;
        } else {
          key = this.frameKey(stream, id);
          url = replayUrls.frameById(this.episodeId, field, id);
        }
        if (seen.has(key)) continue;
        seen.add(key);
        desired.push({ key, url, position: s, frameId: id ?? null });
      }
    }
    // The cursor's frame is one request of its own (by step until its id is known). While
    // scrubbing, one such request at a time: the next starts when it lands, from wherever the
    // cursor is then, so a drag costs one request per round trip, not one per mouse move.
    const cursorItem = desired[0] !== undefined && desired[0].position === cursor ? desired[0] : undefined;
    const cursorLoaded = cursorItem === undefined || this.frames.has(cursorItem.key);
    for (const [key, pending] of this.frameRequests) {
      if (key === cursorItem?.key) continue;
      if (scrubbing && !cursorLoaded) continue;
      pending.cancel();
      this.frameRequests.delete(key);
      this.cancelledCount += 1;
    }
    if (cursorItem && !cursorLoaded && !this.frameRequests.has(cursorItem.key) && !this.decoding.has(cursorItem.key)) {
      const held = this.encoded.get(cursorItem.key);
      if (held) this.decode(cursorItem.key, held.blob, cursorItem.position, held.frameId);
      else if (this.frameRequests.size === 0 && (this.failedUntil.get(cursorItem.key) ?? 0) <= now) {
        this.loadFrame(cursorItem.key, cursorItem.url, cursorItem.position, cursorItem.frameId);
      }
    }
    // The frames around come decoded from packs already held, else in packs of a window's steps.
    const packs: { key: string; stream: number; window: number }[] = [];
    for (const item of desired) {
      if (item === cursorItem || this.frames.has(item.key)) {
        this.frames.touch(item.key, item.position);
        continue;
      }
      const held = this.encoded.get(item.key);
      if (held) {
        if (this.decoding.size < MAX_DECODES && !this.decoding.has(item.key)) {
          this.decode(item.key, held.blob, item.position, held.frameId);
        }
        continue;
      }
      const stream = Number(item.key.slice(0, item.key.search(/[|@]/)));
      const window = windowOf(item.position, WINDOW_SIZE);
      const packKey = `${stream}:${window}`;
      if (!packs.some((pack) => pack.key === packKey)) packs.push({ key: packKey, stream, window });
    }
    const wantedPacks = new Set(packs.map((pack) => pack.key));
    for (const [key, controller] of this.packRequests) {
      if (!wantedPacks.has(key)) {
        controller.abort();
        this.packRequests.delete(key);
        this.cancelledCount += 1;
      }
    }
    if (!scrubbing && cursorLoaded) {
      for (const pack of packs) {
        if (this.packRequests.size >= (playing ? MAX_PACK_REQUESTS : 1)) break;
        if (this.packRequests.has(pack.key) || (this.failedUntil.get(`p${pack.key}`) ?? 0) > now) continue;
        this.fetchPack(pack.key, pack.stream, pack.window);
      }
    }
    this.frames.evict(cursor, (key) => seen.has(key) || [...this.lastShown.values()].some((f) => f.key === key));
    this.encoded.evict(cursor, (key) => seen.has(key));

    // Step windows.
    const wanted = planWindows({
      cursor,
      stepCount: this.stepCount,
      windowSize: WINDOW_SIZE,
      direction,
      playing,
      stepsPerSecond,
    });
    const wantedSet = new Set(wanted);
    for (const [w, controller] of this.windowRequests) {
      if (!wantedSet.has(w)) {
        controller.abort();
        this.windowRequests.delete(w);
        this.cancelledCount += 1;
      }
    }
    // While the cursor's own window is missing, it is the only one asked for: a scrub pays one round
    // trip. While the cursor's frame is being asked for by step, even that waits: the picture is what
    // a scrubbing user looks at, and the two would only slow each other down on the server.
    const cursorWindowMissing = !this.windows.has(String(wanted[0]));
    // And while scrubbing, none at all: the step text follows once the cursor rests.
    if (scrubbing || (!cursorLoaded && this.frameRequests.size > 0)) wanted.length = 0;
    for (const w of cursorWindowMissing || scrubbing ? wanted.slice(0, 1) : wanted) {
      if (this.windowRequests.size >= MAX_WINDOW_REQUESTS) break;
      if (this.windows.has(String(w)) || this.windowRequests.has(w)) continue;
      if ((this.failedUntil.get(`w${w}`) ?? 0) > now) continue;
      this.fetchWindow(w);
    }
    this.windows.evict(cursor, (key) => wantedSet.has(Number(key)));
  }

  private fetchWindow(w: number): void {
    const controller = new AbortController();
    this.windowRequests.set(w, controller);
    const from = w * WINDOW_SIZE;
    const to = Math.min(this.stepCount, from + WINDOW_SIZE);
    void (async () => {
      try {
        const response = await this.fetchImpl(replayUrls.steps(this.episodeId, from, to), {
          signal: controller.signal,
        });
        if (response.status === 429) throw new RetryLater(response);
        if (!response.ok) {
          const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
          throw new Error(body?.error?.message ?? `The steps could not be loaded (HTTP ${response.status}).`);
        }
        const window = (await response.json()) as ReplayStepWindow;
        if (this.windowRequests.get(w) !== controller) return;
        this.windowRequests.delete(w);
        this.partial.delete(w);
        this.addSteps(window.steps);
        this.error = null;
      } catch (error) {
        if (controller.signal.aborted) return;
        this.windowRequests.delete(w);
        if (error instanceof RetryLater) {
          this.retryLater(`w${w}`, error.afterMs);
        } else {
          this.retryLater(`w${w}`, RETRY_AFTER_MS);
          this.error = error instanceof Error ? error.message : String(error);
        }
      }
      if (!this.disposed) {
        this.pump();
        this.changed();
      }
    })();
  }

  /** After a fetch fails for a reason other than an abort (a cross-origin redirect without CORS), images load as elements. */
  private fetchFrames = typeof createImageBitmap === "function";

  private retryLater(key: string, ms: number): void {
    this.failedUntil.set(key, Date.now() + ms);
    setTimeout(() => {
      if (!this.disposed) this.pump();
    }, ms + 10);
  }

  private settled(key: string, frame: LoadedFrame | null, position: number): void {
    if (frame) this.frames.set(key, frame, position, Math.max(1, frame.width * frame.height * 4));
    else this.retryLater(key, RETRY_AFTER_MS);
    this.pump();
    this.changed();
  }

  /** Decode a held compressed frame (off the main thread). */
  private decode(key: string, blob: Blob, position: number, frameId: string | null): void {
    this.decoding.add(key);
    createImageBitmap(blob).then(
      (bitmap) => {
        this.decoding.delete(key);
        if (this.disposed) return bitmap.close();
        this.settled(key, { key, image: bitmap, width: bitmap.width, height: bitmap.height, frameId }, position);
      },
      () => {
        this.decoding.delete(key);
        if (!this.disposed) this.settled(key, null, position);
      },
    );
  }

  private fetchPack(packKey: string, stream: number, window: number): void {
    const controller = new AbortController();
    this.packRequests.set(packKey, controller);
    const from = window * WINDOW_SIZE;
    const to = Math.min(this.stepCount, from + WINDOW_SIZE);
    const field = this.summary.frame_streams[stream]!.field;
    void (async () => {
      try {
        const response = await this.fetchImpl(replayUrls.framePack(this.episodeId, field, from, to), {
          signal: controller.signal,
        });
        if (!response.ok) throw new RetryLater(response);
        const bytes = new Uint8Array(await response.arrayBuffer());
        const headerLength = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
        const header = JSON.parse(
          new TextDecoder().decode(bytes.subarray(4, 4 + headerLength)),
        ) as ReplayFramePackHeader;
        const body = bytes.subarray(4 + headerLength);
        if (this.packRequests.get(packKey) !== controller) return;
        this.packRequests.delete(packKey);
        for (const frame of header.frames) {
          const key = this.frameKey(stream, frame.id);
          if (this.frames.has(key)) continue;
          const blob = new Blob([body.slice(frame.offset, frame.offset + frame.length)], { type: frame.content_type });
          this.encoded.set(key, { blob, frameId: frame.id }, frame.steps[0] ?? from, blob.size);
        }
      } catch (error) {
        if (controller.signal.aborted) return;
        this.packRequests.delete(packKey);
        this.retryLater(`p${packKey}`, error instanceof RetryLater ? error.afterMs : RETRY_AFTER_MS);
      }
      if (!this.disposed) {
        this.pump();
        this.changed();
      }
    })();
  }

  private loadFrame(key: string, url: string, position: number, frameId: string | null): void {
    const controller = new AbortController();
    const pending: PendingFrame = {
      cancelled: false,
      cancel() {
        this.cancelled = true;
        controller.abort();
      },
    };
    this.frameRequests.set(key, pending);
    const done = (image: ImageBitmap | HTMLImageElement | null, width = 0, height = 0, retryMs = RETRY_AFTER_MS) => {
      if (pending.cancelled || this.disposed) {
        if (image && "close" in image) image.close();
        return;
      }
      this.frameRequests.delete(key);
      if (image) this.settled(key, { key, image, width, height, frameId }, position);
      else {
        this.retryLater(key, retryMs);
        this.pump();
        this.changed();
      }
    };
    const asElement = () => {
      // Fallback: an image element follows any redirect (a signed bucket URL without CORS); it cannot be aborted.
      const image = new Image();
      image.decoding = "async";
      pending.cancel = () => {
        pending.cancelled = true;
        image.removeAttribute("src");
      };
      image.src = url;
      image.decode().then(
        () => done(image, image.naturalWidth, image.naturalHeight),
        () => done(null),
      );
    };
    if (!this.fetchFrames) return asElement();
    // Fetched, so a scrub really cancels what it left behind; decoded off the main thread.
    this.fetchImpl(url, { signal: controller.signal })
      .then(async (response) => {
        if (!response.ok) return done(null, 0, 0, new RetryLater(response).afterMs);
        const bitmap = await createImageBitmap(await response.blob());
        done(bitmap, bitmap.width, bitmap.height);
      })
      .catch((error: unknown) => {
        if (controller.signal.aborted || pending.cancelled) return;
        if (error instanceof TypeError) {
          this.fetchFrames = false;
          asElement();
        } else {
          done(null);
        }
      });
  }

  dispose(): void {
    this.disposed = true;
    if (this.settleTimer !== null) clearTimeout(this.settleTimer);
    for (const controller of this.windowRequests.values()) controller.abort();
    for (const pending of this.frameRequests.values()) pending.cancel();
    for (const controller of this.packRequests.values()) controller.abort();
    this.packRequests.clear();
    this.windowRequests.clear();
    this.frameRequests.clear();
    this.listeners.clear();
  }
}
