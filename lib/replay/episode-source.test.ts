import { afterEach, beforeEach, describe, expect, it } from "vitest";
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
        } else {
          resolve(new Response(new Uint8Array([1, 2, 3])));
        }
      },
    };
    init.signal.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
    calls.push(call);
  });

const flush = async () => {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setTimeout(resolve, 0));
};
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
  calls = [];
  (globalThis as { createImageBitmap?: unknown }).createImageBitmap = async () => ({
    width: 64,
    height: 48,
    close() {},
  });
});
afterEach(() => {
  delete (globalThis as { createImageBitmap?: unknown }).createImageBitmap;
});

describe("EpisodeSource", () => {
  it("asks for the cursor's frame first, then its window, then (once the cursor rests) neighbours and frames ahead", async () => {
    const source = new EpisodeSource("ep", summary(), { fetch: fakeFetch });
    source.update(5000, 1, false, 0);
    expect(calls.map((call) => call.url)).toEqual([
      "/api/console/episodes/ep/replay/frames?stream=observation.video_frame_id&step=5000",
    ]);
    calls[0]!.resolve();
    await flush();
    expect(source.frameAt(0, 5000)).toMatchObject({ exact: true });
    expect(calls[1]!.url).toBe(`/api/console/episodes/ep/replay/steps?from=${78 * WINDOW_SIZE}&to=${79 * WINDOW_SIZE}`);
    expect(calls).toHaveLength(2);
    calls[1]!.resolve();
    await flush();
    expect(source.step(5000)?.json).toContain('"f5000"');
    // Still scrubbing (the cursor moved a moment ago): nothing competes with the next position yet.
    expect(calls.slice(2).filter((call) => call.url.includes("/steps?"))).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const next = calls.slice(2).map((call) => call.url);
    expect(next).toContain(`/api/console/episodes/ep/replay/steps?from=${79 * WINDOW_SIZE}&to=${80 * WINDOW_SIZE}`);
    expect(next).toContain("/api/console/episodes/ep/replay/frames?stream=observation.video_frame_id&id=f5001");
    source.dispose();
  });

  it("cancels what the cursor left behind when it jumps, and shows the nearest loaded frame meanwhile", async () => {
    const source = new EpisodeSource("ep", summary(), { fetch: fakeFetch });
    source.update(100, 1, false, 0);
    await settle();
    expect(source.frameAt(0, 100).exact).toBe(true);
    source.update(9000, 1, false, 0);
    source.update(9001, 1, false, 0);
    const stale = calls.filter((call) => call.url.endsWith("step=9000"));
    expect(stale).toHaveLength(1);
    expect(stale[0]!.signal.aborted).toBe(true);
    expect(source.stats().cancelled).toBeGreaterThan(0);
    // Nothing of step 9001 yet: the last picture stays, marked as not exact.
    const meanwhile = source.frameAt(0, 9001);
    expect(meanwhile.exact).toBe(false);
    expect(meanwhile.frame).not.toBeNull();
    await settle();
    expect(source.frameAt(0, 9001).exact).toBe(true);
    source.dispose();
  });

  it("stays within its budgets while scrubbing end to end, keeping what is near the cursor", async () => {
    const windowBytes = WINDOW_SIZE * (step(0).json.length + 64);
    const source = new EpisodeSource("ep", summary(), {
      fetch: fakeFetch,
      stepBudgetBytes: windowBytes * 4,
      frameBudgetBytes: 64 * 48 * 4 * 10,
    });
    for (let cursor = 0; cursor < STEPS; cursor += 400) {
      source.update(cursor, 1, false, 0);
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

  it("prefetches further ahead while playing fast", async () => {
    const source = new EpisodeSource("ep", summary(), { fetch: fakeFetch });
    source.update(0, 1, true, 800);
    await settle();
    const windows = source.loadedRanges();
    expect(windows[0]![0]).toBe(0);
    expect(windows[0]![1]).toBeGreaterThanOrEqual(WINDOW_SIZE * 10);
    source.dispose();
  });
});
