/**
 * `npm run bench:replay` — the episode replay in a real browser (Debian's Chromium through
 * Playwright) against the built server (`npm run build` first), on a fresh data folder seeded with
 * a 100-step and a 100 000-step episode (a frame on every step; `writeReplayFixture`, the product's
 * `processEpisode`). Measures, each beside a floor measured in the same run:
 *
 * | figure | how | floor |
 * | --- | --- | --- |
 * | time to first frame, 100 and 100 000 steps | navigation start → the first frame painted (Element Timing), median of `BENCH_RUNS` cold loads | a bare page on the same origin that only shows the same frame |
 * | scrub latency p50 / p95 | `BENCH_SEEKS` random seeks on the 100 000-step episode to steps whose frame is not in the page's cache (HTTP cache off): cursor moved → that step's frame painted | a bare page fetching and painting random frames of the same episode |
 * | peak JS heap | CDP `Performance.getMetrics` while seeking | the same page on the 100-step episode after load |
 *
 * Targets: first frame < 1 s, p95 scrub < 100 ms, heap < 200 MB. Env: BENCH_PORT (4330), BENCH_RUNS
 * (5), BENCH_SEEKS (200), BENCH_POOL (1000 distinct frame images for the long episode, step i
 * showing frame i mod pool; fewer files to write, the same per-step work to fetch and paint).
 * Prints a table, then one JSON line per figure.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import { chromium, type BrowserContext, type Page } from "@playwright/test";
import { writeReplayFixture } from "@/lib/replay/testing/write-replay-fixture";
import { createRuntime } from "@/server/runtime";

const PORT = Number(process.env.BENCH_PORT ?? 4330);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SEEKS = Number(process.env.BENCH_SEEKS ?? 200);
const POOL = Number(process.env.BENCH_POOL ?? 1000);
const ROOT = `/tmp/replay-bench-${PORT}`;
const BASE = `http://127.0.0.1:${PORT}`;
const SHORT = "bench_100";
const LONG = "bench_100000";
const STREAM = "observation.video_frame_id";
const TARGETS = { firstFrameMs: 1000, scrubP95Ms: 100, heapMb: 200 };
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--enable-precise-memory-info",
];

const median = (values: number[]) => percentile(values, 50);
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
const frameUrl = (episodeId: string, query: string) =>
  `/api/console/episodes/${episodeId}/replay/frames?stream=${encodeURIComponent(STREAM)}&${query}`;
const frameId = (n: number) => `frame_${String(n).padStart(6, "0")}`;

async function seed(): Promise<void> {
  rmSync(ROOT, { recursive: true, force: true });
  const runtime = await createRuntime({
    ...process.env,
    CONTINUON_DATA_DIR: ROOT,
    CONTINUON_WORKERS: "0",
    LOG_LEVEL: "warn",
  });
  const ctx = runtime.contextFor({ kind: "system", name: "bench-replay" });
  const started = performance.now();
  await writeReplayFixture(ctx, { episodeId: SHORT, steps: 100 });
  await writeReplayFixture(ctx, { episodeId: LONG, steps: 100_000, frames: { pool: POOL } });
  console.log(`seeded ${SHORT} and ${LONG} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  await runtime.close();
}

async function startServer(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["dist/server/index.js"], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(PORT),
      HOST: "127.0.0.1",
      PUBLIC_URL: BASE,
      CONTINUON_DATA_DIR: ROOT,
      NEXT_TELEMETRY_DISABLED: "1",
      METADATA_SERVER_DETECTION: "none",
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${BASE}/api/ready`)).ok) return child;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error("server did not become ready");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function signIn(context: BrowserContext): Promise<void> {
  const account = { email: "bench@example.test", password: "bench password 123", display_name: "Bench" };
  const signup = await context.request.post(`${BASE}/api/auth/signup`, { data: account });
  if (signup.status() !== 202) throw new Error(`sign-up: ${signup.status()} ${await signup.text()}`);
  const { csrfToken } = (await (await context.request.get(`${BASE}/api/auth/csrf`)).json()) as { csrfToken: string };
  await context.request.post(`${BASE}/api/auth/callback/credentials`, {
    form: { csrfToken, email: account.email, password: account.password, json: "true", callbackUrl: "/console" },
    maxRedirects: 0,
  });
}

/** Navigation start → the element `identifier` painted (Element Timing), in ms. */
async function elementPaint(page: Page, identifier: string): Promise<number> {
  return page.evaluate(
    (id) =>
      new Promise<number>((resolve, reject) => {
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries() as (PerformanceEntry & {
            identifier: string;
            renderTime: number;
            loadTime: number;
          })[]) {
            if (entry.identifier === id) resolve(entry.renderTime || entry.loadTime);
          }
        }).observe({ type: "element", buffered: true });
        setTimeout(() => reject(new Error(`no paint of ${id} within 30 s`)), 30_000);
      }),
    identifier,
  );
}

async function coldPage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  return page;
}

async function firstFrame(context: BrowserContext, episodeId: string): Promise<number> {
  const page = await coldPage(context);
  await page.goto(`${BASE}/console/episodes/${episodeId}/replay`, { waitUntil: "commit" });
  const ms = await elementPaint(page, "replay-first-frame");
  await page.close();
  return ms;
}

async function floorFirstFrame(context: BrowserContext, episodeId: string): Promise<number> {
  const page = await coldPage(context);
  // A bare page of our origin holding only the same frame, so the floor pays the same frame request.
  await page.route(`${BASE}/bench-floor`, (route) =>
    route.fulfill({
      contentType: "text/html",
      body: `<!doctype html><html><body style="margin:0"><img elementtiming="floor" src="${frameUrl(episodeId, `id=${frameId(0)}`)}" style="width:640px"></body></html>`,
    }),
  );
  await page.goto(`${BASE}/bench-floor`, { waitUntil: "commit" });
  const ms = await elementPaint(page, "floor");
  await page.close();
  return ms;
}

async function heapMb(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  const { metrics } = await cdp.send("Performance.getMetrics");
  await cdp.detach();
  return (metrics.find((m) => m.name === "JSHeapUsedSize")?.value ?? 0) / (1024 * 1024);
}

function randomSteps(count: number, steps: number, seed = 12345): number[] {
  let state = seed;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  return Array.from({ length: count * 3 }, () => Math.floor(next() * steps));
}

async function scrub(context: BrowserContext): Promise<{ latencies: number[]; peakHeap: number; skipped: number }> {
  const page = await coldPage(context);
  await page.goto(`${BASE}/console/episodes/${LONG}/replay`);
  await page.waitForSelector("[data-testid=replay-frame] canvas[data-painted-step]", { timeout: 30_000 });
  const candidates = randomSteps(SEEKS, 100_000);
  const latencies: number[] = [];
  let peakHeap = await heapMb(page);
  let skipped = 0;
  for (const step of candidates) {
    if (latencies.length >= SEEKS) break;
    const ms = await page.evaluate(
      (s) =>
        new Promise<number | null>((resolve, reject) => {
          const replay = window.__replay!;
          // Only seeks whose frame the page does not hold yet: each one fetches and paints.
          if (replay.hasFrame(s)) return resolve(null);
          const timer = setTimeout(() => reject(new Error(`step ${s} was not painted within 10 s`)), 10_000);
          const started = performance.now();
          window.__replayPainted = (info) => {
            if (info.step !== s) return;
            clearTimeout(timer);
            window.__replayPainted = undefined;
            resolve(info.at - started);
          };
          replay.seek(s);
        }),
      step,
    );
    if (ms === null) {
      skipped += 1;
      continue;
    }
    latencies.push(ms);
    if (latencies.length % 20 === 0) peakHeap = Math.max(peakHeap, await heapMb(page));
  }
  peakHeap = Math.max(peakHeap, await heapMb(page));
  await page.close();
  return { latencies, peakHeap, skipped };
}

async function scrubFloor(context: BrowserContext): Promise<number[]> {
  const page = await coldPage(context);
  await page.route(`${BASE}/bench-floor`, (route) =>
    route.fulfill({
      contentType: "text/html",
      body: `<!doctype html><html><body><canvas width="160" height="120"></canvas></body></html>`,
    }),
  );
  await page.goto(`${BASE}/bench-floor`);
  const urls = randomSteps(SEEKS, POOL, 777)
    .slice(0, SEEKS)
    .map((n) => frameUrl(LONG, `id=${frameId(n)}`));
  const latencies = await page.evaluate(async (list) => {
    const canvas = document.querySelector("canvas")!;
    const ctx = canvas.getContext("2d")!;
    const out: number[] = [];
    for (const url of list) {
      const started = performance.now();
      const image = new Image();
      image.src = url;
      await image.decode();
      ctx.drawImage(image, 0, 0);
      await new Promise((resolve) => requestAnimationFrame(resolve));
      out.push(performance.now() - started);
    }
    return out;
  }, urls);
  await page.close();
  return latencies;
}

async function main(): Promise<void> {
  await seed();
  const server = await startServer();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    await signIn(context);
    // Warm the server's routes and caches once (a deployment serves many pages, not its first).
    await firstFrame(context, SHORT);
    await firstFrame(context, LONG);
    const short: number[] = [];
    const long: number[] = [];
    const floor: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      floor.push(await floorFirstFrame(context, SHORT));
      short.push(await firstFrame(context, SHORT));
      long.push(await firstFrame(context, LONG));
    }
    const heapPage = await coldPage(context);
    await heapPage.goto(`${BASE}/console/episodes/${SHORT}/replay`);
    await heapPage.waitForSelector("[data-testid=replay-frame] canvas[data-painted-step]");
    const heapFloor = await heapMb(heapPage);
    await heapPage.close();
    const floorSeeks = await scrubFloor(context);
    const { latencies, peakHeap, skipped } = await scrub(context);

    const rows = [
      {
        metric: "first_frame_ms_100_steps",
        value: median(short),
        unit: "ms",
        floor: median(floor),
        target: TARGETS.firstFrameMs,
      },
      {
        metric: "first_frame_ms_100000_steps",
        value: median(long),
        unit: "ms",
        floor: median(floor),
        target: TARGETS.firstFrameMs,
      },
      {
        metric: "scrub_p50_ms",
        value: percentile(latencies, 50),
        unit: "ms",
        floor: percentile(floorSeeks, 50),
        target: null,
      },
      {
        metric: "scrub_p95_ms",
        value: percentile(latencies, 95),
        unit: "ms",
        floor: percentile(floorSeeks, 95),
        target: TARGETS.scrubP95Ms,
      },
      { metric: "peak_js_heap_mb", value: peakHeap, unit: "MB", floor: heapFloor, target: TARGETS.heapMb },
    ];
    console.log(
      `\nreplay in Chromium: first frame median of ${RUNS} cold loads; ${latencies.length} random seeks on ${LONG} (${skipped} skipped: frame already held)`,
    );
    console.log(
      `first frame runs (ms): 100 steps ${short.map(Math.round).join(" ")}; 100 000 steps ${long.map(Math.round).join(" ")}; bare page ${floor.map(Math.round).join(" ")}`,
    );
    console.log(`100 000 / 100 steps first-frame ratio: ${(median(long) / median(short)).toFixed(2)}`);
    console.log("metric                            value     floor   ratio   target");
    for (const row of rows) {
      console.log(
        `${row.metric.padEnd(30)} ${row.value.toFixed(1).padStart(9)} ${row.floor.toFixed(1).padStart(9)} ${(row.value / row.floor).toFixed(2).padStart(7)} ${String(row.target ?? "—").padStart(8)}`,
      );
    }
    console.log("");
    for (const row of rows) {
      console.log(
        JSON.stringify({
          bench: "replay",
          metric: row.metric,
          value: Number(row.value.toFixed(1)),
          unit: row.unit,
          floor: Number(row.floor.toFixed(1)),
          ratio: Number((row.value / row.floor).toFixed(3)),
          target: row.target,
        }),
      );
    }
  } finally {
    await browser.close();
    server.kill("SIGTERM");
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
