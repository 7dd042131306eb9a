import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { EpisodeSource, WINDOW_SIZE } from "@/components/replay/episode-source";
import type { ReplayStep, ReplaySummary } from "./schemas";

/**
 * The replay page's client cache, driven with a fake network: what it asks for and in which
 * order, what it cancels when the cursor jumps, and that it stays within its budgets.
 */
const STEPS = 10_000;

function summary(): ReplaySummary {
  return {
    episode_id: "ep",
    robot_id: "r",
    robot_model: null,
    status: "validated",
    uploaded_at: null,
    schema_variant: null,
    tags: [],
    quality: null,
    step_count: STEPS,
    clock_source: "timestamp_us",
    first_us: 0,
    last_us: (STEPS - 1) * 10_000,
    duration_us: (STEPS - 1) * 10_000,
    period_us: 10_000,
    time_samples: { step: [0, STEPS - 1], t_us: [0, (STEPS - 1) * 10_000] },
    fields: [],
    fields_not_indexed: 0,
    frame_streams: [{ field: "observation.video_frame_id", kind: "video", steps: STEPS, included: true }],
    markers: [],
    markers_truncated: false,
  };
}

const step = (index: number): ReplayStep => ({
  index,
  t_us: index * 10_000,
  json: `{"observation":{"video_frame_id":"f${index}"},"pad":"${"x".repeat(200)}"}`,
  frames: [`f${index}`],
});

interface Call {
  url: string;
  signal: AbortSignal;
  resolve: () => void;
}

let calls: Call[];
const fakeFetch = (url: string, init: { signal: AbortSignal }) =>
  new Promise<Response>((resolve, reject) => {
    const call: Call = {
      url,
      signal: init.signal,
      resolve: () => {
        const query = new URL(url, "http://x").searchParams;
        if (url.includes("/steps?")) {
          const from = Number(query.get("from"));
          const to = Number(query.get("to"));
          const steps = Array.from({ length: to - from }, (_, i) => step(from + i));
          resolve(Response.json({ episode_id: "ep", from, to, step_count: STEPS, steps }));
        } else if (url.includes("/frames/pack?")) {
          const from = Number(query.get("from"));
          const to = Number(query.get("to"));
          const frames = Array.from({ length: to - from }, (_, i) => ({
            id: `f${from + i}`,
            steps: [from + i],
            offset: i * 3,
            length: 3,
            content_type: "image/png",
          }));
          const header = new TextEncoder().encode(JSON.stringify({ episode_id: "ep", stream: "s", from, to, frames }));
          const bytes = new Uint8Array(4 + header.length + frames.length * 3);
          new DataView(bytes.buffer).setUint32(0, header.length, true);
          bytes.set(header, 4);
          resolve(new Response(bytes));
        } else {
          resolve(new Response(new Uint8Array([1, 2, 3])));
        }
      },
    };
    init.signal.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
    calls.push(call);
  });

/** Let answered requests run their continuations (timers are fake; setImmediate is real). */
const flush = async () => {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
};
/** Let the cursor rest: the settle delay passes, and what it starts gets under way. */
async function rest(): Promise<void> {
  vi.advanceTimersByTime(150);
  await flush();
}
/** Answer every open request until none is left (as a fast network would). */
async function settle(): Promise<void> {
  for (let round = 0; round < 50; round++) {
    const open = calls.filter((call) => !call.signal.aborted && !(call as Call & { done?: boolean }).done);
    if (open.length === 0) return;
    for (const call of open) {
      (call as Call & { done?: boolean }).done = true;
      call.resolve();
    }
    await flush();
  }
}

beforeEach(() => {
  // The source's settle and retry delays run on a fake clock, so no assertion races a real timer.
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
  calls = [];
  (globalThis as { createImageBitmap?: unknown }).createImageBitmap = async () => ({
    width: 64,
    height: 48,
    close() {},
  });
});
afterEach(() => {
  vi.useRealTimers();
  delete (globalThis as { createImageBitmap?: unknown }).createImageBitmap;
});

describe("EpisodeSource", () => {
  it("asks for the cursor's frame first, then (once the cursor rests) its window, neighbours and the frames around", async () => {
    const source = new EpisodeSource("ep", summary(), { fetch: fakeFetch });
    source.update(5000, 1, false, 0);
    expect(calls.map((call) => call.url)).toEqual([
      "/api/console/episodes/ep/replay/frames?stream=observation.video_frame_id&step=5000",
    ]);
    calls[0]!.resolve();
    await flush();
    expect(source.frameAt(0, 5000)).toMatchObject({ exact: true });
    // Still scrubbing (the cursor moved a moment ago): nothing competes with the next position yet.
    expect(calls).toHaveLength(1);
    await rest();
    expect(calls[1]!.url).toBe(`/api/console/episodes/ep/replay/steps?from=${78 * WINDOW_SIZE}&to=${79 * WINDOW_SIZE}`);
    calls[1]!.resolve();
    await flush();
    expect(source.step(5000)?.json).toContain('"f5000"');
    const next = calls.slice(2).map((call) => call.url);
    expect(next).toContain(`/api/console/episodes/ep/replay/steps?from=${79 * WINDOW_SIZE}&to=${80 * WINDOW_SIZE}`);
    // The frames around come in one pack for the window's steps, not one request each.
    expect(next).toContain(
      `/api/console/episodes/ep/replay/frames/pack?stream=observation.video_frame_id&from=${78 * WINDOW_SIZE}&to=${79 * WINDOW_SIZE}`,
    );
    expect(next.filter((url) => url.includes("&id="))).toEqual([]);
    source.dispose();
  });

  it("keeps one frame request in flight while scrubbing, shows the nearest frame meanwhile, and cancels what a jump leaves behind", async () => {
    const source = new EpisodeSource("ep", summary(), { fetch: fakeFetch });
    source.update(100, 1, false, 0);
    await settle();
    expect(source.frameAt(0, 100).exact).toBe(true);
    calls = [];
    source.update(9000, 1, false, 0);
    source.update(9001, 1, false, 0);
    expect(calls.map((call) => call.url)).toEqual([
      "/api/console/episodes/ep/replay/frames?stream=observation.video_frame_id&step=9000",
    ]);
    // Nothing of step 9001 yet: the last picture stays, marked as not exact.
    expect(source.frameAt(0, 9001)).toMatchObject({ exact: false, frame: expect.anything() });
    calls[0]!.resolve();
    await flush();
    expect(calls[1]!.url).toBe("/api/console/episodes/ep/replay/frames?stream=observation.video_frame_id&step=9001");
    expect(source.frameAt(0, 9001).frame?.key).toBe("0@9000");
    await settle();
    expect(source.frameAt(0, 9001).exact).toBe(true);
    // At rest the page fetches around the cursor; a jump away aborts those requests.
    await rest();
    const around = calls.filter((call) => call.url.includes("/steps?") && !(call as { done?: boolean }).done);
    expect(around.length).toBeGreaterThan(0);
    source.update(300, 1, false, 0);
    for (const call of around) expect(call.signal.aborted).toBe(true);
    expect(source.stats().cancelled).toBeGreaterThan(0);
    source.dispose();
  });

  it("stays within its budgets while scrubbing end to end, keeping what is near the cursor", async () => {
    const windowBytes = WINDOW_SIZE * (step(0).json.length + 64);
    const source = new EpisodeSource("ep", summary(), {
      fetch: fakeFetch,
      stepBudgetBytes: windowBytes * 4,
      frameBudgetBytes: 64 * 48 * 4 * 10,
    });
    for (let cursor = 0; cursor < STEPS; cursor += 800) {
      source.update(cursor, 1, false, 0);
      await settle();
      // Resting at each position: the step text and the frames around arrive too.
      await rest();
      await settle();
      const stats = source.stats();
      expect(stats.stepBytes).toBeLessThanOrEqual(windowBytes * 4);
      expect(stats.frameBytes).toBeLessThanOrEqual(64 * 48 * 4 * 10);
      expect(source.step(cursor)).toBeDefined();
      expect(source.frameAt(0, cursor).exact).toBe(true);
    }
    expect(source.step(0)).toBeUndefined();
    source.dispose();
  });

  it("prefetches further ahead while playing fast, frames in packs, and keeps scrub requests to one in flight", async () => {
    const source = new EpisodeSource("ep", summary(), { fetch: fakeFetch });
    source.update(0, 1, true, 800);
    await settle();
    const windows = source.loadedRanges();
    expect(windows[0]![0]).toBe(0);
    expect(windows[0]![1]).toBeGreaterThanOrEqual(WINDOW_SIZE * 10);
    for (let s = 1; s <= 60; s++) expect(source.frameAt(0, s).exact).toBe(true);
    const frameRequests = calls.filter((call) => call.url.includes("/frames?"));
    expect(frameRequests.length).toBeLessThanOrEqual(1);
    // A drag across the timeline: many cursor moves, one frame request at a time.
    calls = [];
    for (let s = 5000; s < 5400; s += 20) source.update(s, 1, false, 0);
    expect(calls.filter((call) => call.url.includes("/frames?"))).toHaveLength(1);
    source.dispose();
  });
});
