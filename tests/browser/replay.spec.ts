import { expect, test } from "../support/browser-test";
import { keepScreenshot } from "../support/screens";
import { adminApi, useAdminSession } from "../support/users";
import {
  jsHeapMb,
  paintedFrameCode,
  readoutStep,
  replayPath,
  replayReady,
  runTag,
  seedReplayEpisodes,
  uploadSimulatorEpisode,
  waitPainted,
} from "./replay-support";

const tag = runTag();
const SIM = `replay_sim_${tag}`;
const SHORT = `replay_short_${tag}`;
const LONG = `replay_long_${tag}`;
/** JS heap the replay page may use while scrubbing a 100 000-step episode end to end. */
const HEAP_BUDGET_MB = 150;

test.describe.configure({ mode: "serial" });

test.beforeAll(async ({ baseURL }) => {
  test.setTimeout(180_000);
  const admin = await adminApi(baseURL!);
  await uploadSimulatorEpisode(baseURL!, admin, SIM, 100);
  await admin.dispose();
  const seeded = await seedReplayEpisodes([`${SHORT}:100`, `${LONG}:100000:1000`], { warnAt: 40 });
  console.log(`seeded: ${seeded.map((e) => `${e.episode_id} ${e.steps} steps in ${e.ms} ms`).join(", ")}`);
});

test("a simulator episode: play advances steps and frames, pause stops, scrubbing shows that step's frame and JSON, keys and speed", async ({
  page,
  context,
}) => {
  test.setTimeout(120_000);
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await useAdminSession(page);
  await page.goto(replayPath(SIM));
  await waitPainted(page, 0);
  await expect(page.getByTestId("replay-readout")).toHaveText("Step 0 / 99");
  await expect(page.getByTestId("series-panel")).toHaveCount(4);
  await keepScreenshot(page, "replay-sim-start");

  // Play: steps and frames advance; pause: they stop.
  await page.getByTestId("play-pause").click();
  await expect.poll(() => readoutStep(page), { timeout: 10_000 }).toBeGreaterThanOrEqual(12);
  const canvas = page.locator("[data-testid=replay-frame] canvas").first();
  expect(Number(await canvas.getAttribute("data-painted-step"))).toBeGreaterThan(0);
  await page.getByTestId("play-pause").click();
  const paused = await readoutStep(page);
  await page.waitForTimeout(600);
  expect(await readoutStep(page)).toBe(paused);

  // Scrub: drag along the timeline; the frame and the JSON are the step's own.
  const timeline = page.getByTestId("timeline");
  const box = (await timeline.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.1, box.y + box.height / 2);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) await page.mouse.move(box.x + box.width * (0.1 + i * 0.06), box.y + box.height / 2);
  await page.mouse.up();
  const scrubbed = await readoutStep(page);
  expect(scrubbed).toBeGreaterThan(60);
  const id = `frame_${String(scrubbed).padStart(6, "0")}`;
  await waitPainted(page, scrubbed);
  await expect(canvas).toHaveAttribute("data-frame-id", id);
  await expect(canvas).toHaveAttribute("data-frame-key", new RegExp(`\\|${id}$`));
  await expect(page.getByTestId("replay-step-json")).toContainText(`"video_frame_id": "${id}"`);
  await expect(page.getByTestId("replay-frame").first()).toContainText(id);

  // Keyboard: arrows, shift+arrows (one second = 10 steps at 10 Hz), home/end, speed, help.
  await page.keyboard.press("ArrowRight");
  await expect(page.getByTestId("replay-readout")).toHaveAttribute("data-step", String(scrubbed + 1));
  await page.keyboard.press("Shift+ArrowLeft");
  await expect(page.getByTestId("replay-readout")).toHaveAttribute("data-step", String(scrubbed - 9));
  await page.keyboard.press("Home");
  await expect(page.getByTestId("replay-readout")).toHaveAttribute("data-step", "0");
  await page.keyboard.press("End");
  await expect(page.getByTestId("replay-readout")).toHaveAttribute("data-step", "99");
  await waitPainted(page, 99);
  await page.keyboard.press("]");
  await expect(page.getByLabel("Speed")).toHaveValue("2");
  await page.keyboard.press("[");
  await page.keyboard.press("[");
  await expect(page.getByLabel("Speed")).toHaveValue("0.5");
  await page.keyboard.press("?");
  await expect(page.getByRole("dialog", { name: "Keyboard shortcuts" })).toContainText("Slower / faster");
  await keepScreenshot(page, "replay-help");
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog")).toHaveCount(0);

  // Speed follows the steps' own clock (10 Hz): 0.5× and 2× over the same wall time.
  await replayReady(page);
  const rate = async (speed: string) => {
    await page.keyboard.press("Home");
    await page.getByLabel("Speed").selectOption(speed);
    return page.evaluate(async () => {
      const replay = window.__replay!;
      replay.play();
      const t0 = performance.now();
      const s0 = replay.state().position;
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const s1 = replay.state().position;
      const t1 = performance.now();
      replay.pause();
      return (s1 - s0) / ((t1 - t0) / 1000);
    });
  };
  const slow = await rate("0.5");
  const fast = await rate("2");
  console.log(
    `playback: ${slow.toFixed(1)} steps/s at 0.5×, ${fast.toFixed(1)} steps/s at 2× (ratio ${(fast / slow).toFixed(2)})`,
  );
  expect(slow).toBeGreaterThan(3);
  expect(slow).toBeLessThan(7);
  expect(fast / slow).toBeGreaterThan(3);
  expect(fast / slow).toBeLessThan(5);

  // Copy link: the address carries the step and the fields.
  await page.keyboard.press("End");
  await page.getByRole("button", { name: "Copy link" }).click();
  await expect(page.getByTestId("copy-status")).toBeVisible();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toContain(replayPath(SIM));
  expect(copied).toContain("step=99");
  expect(copied).toContain("fields=");
});

test("a deep link opens at its step with its fields; loop range and markers; a phone-sized layout", async ({
  page,
}) => {
  test.setTimeout(90_000);
  await useAdminSession(page);
  const fields = encodeURIComponent("action.command[0],reward");
  await page.goto(replayPath(SHORT, `?step=42&fields=${fields}&loop=40-45`));
  await waitPainted(page, 42);
  await expect(page.getByTestId("replay-readout")).toHaveText("Step 42 / 99");
  const code = await paintedFrameCode(page);
  if (code !== null) expect(code).toBe(42);
  await expect(page.locator("[data-testid=replay-frame] canvas")).toHaveAttribute("data-frame-id", "frame_000042");
  await expect(page.getByTestId("replay-step-json")).toContainText('"video_frame_id": "frame_000042"');
  await expect(page.getByTestId("series-panel")).toHaveCount(2);
  await expect(page.locator("[data-testid=series-panel][data-title=Actions]")).toContainText("command[0]");
  await expect(page.locator("[data-testid=series-panel][data-title=Reward]")).toBeVisible();
  await expect(page.getByTestId("series-cursor").first()).toHaveAttribute("data-step", "42");
  // The warning at step 40 is a marker; clicking it jumps there.
  await page.getByTestId("timeline-marker").first().click();
  await expect(page.getByTestId("replay-readout")).toHaveAttribute("data-step", "40");
  // The loop from the link: playback wraps within steps 40–45.
  await expect(page.getByRole("button", { name: "Loop" })).toHaveAttribute("aria-pressed", "true");
  await page.getByLabel("Speed").selectOption("4");
  await page.getByTestId("play-pause").click();
  const seen = new Set<number>();
  for (let i = 0; i < 25; i++) {
    seen.add(await readoutStep(page));
    await page.waitForTimeout(60);
  }
  await page.getByTestId("play-pause").click();
  expect(Math.min(...seen)).toBeGreaterThanOrEqual(40);
  expect(Math.max(...seen)).toBeLessThanOrEqual(45);
  expect(seen.size).toBeGreaterThan(3);
  await keepScreenshot(page, "replay-deep-link");

  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(replayPath(SHORT, "?step=10"));
  await waitPainted(page, 10);
  const frame = (await page.getByTestId("replay-frame").first().boundingBox())!;
  const chart = (await page.getByTestId("series-panel").first().boundingBox())!;
  expect(chart.y).toBeGreaterThan(frame.y + frame.height);
  expect(frame.width).toBeLessThanOrEqual(390);
  await keepScreenshot(page, "replay-phone");
});

test("a 100 000-step episode opens with its first frame as fast as a 100-step one; scrubbing end to end keeps the heap bounded", async ({
  page,
}) => {
  test.setTimeout(180_000);
  await useAdminSession(page);
  const firstFrameMs = async (episodeId: string) => {
    const started = Date.now();
    await page.goto(replayPath(episodeId), { waitUntil: "commit" });
    await waitPainted(page, 0, 30_000);
    // Element Timing of the server-rendered first frame: its paint time since navigation start.
    const paint = await page.evaluate(
      () =>
        new Promise<number | null>((resolve) => {
          const observer = new PerformanceObserver((list) => {
            const entry = list
              .getEntries()
              .find((e) => (e as PerformanceEntry & { identifier?: string }).identifier === "replay-first-frame") as
              (PerformanceEntry & { renderTime: number; loadTime: number }) | undefined;
            if (entry) resolve(entry.renderTime || entry.loadTime);
          });
          observer.observe({ type: "element", buffered: true });
          setTimeout(() => resolve(null), 1000);
        }),
    );
    return paint ?? Date.now() - started;
  };
  // Warm both routes once, then take the best of three each.
  await firstFrameMs(SHORT);
  await firstFrameMs(LONG);
  const short: number[] = [];
  const long: number[] = [];
  for (let i = 0; i < 3; i++) {
    short.push(await firstFrameMs(SHORT));
    long.push(await firstFrameMs(LONG));
  }
  const best = (values: number[]) => Math.min(...values);
  const ratio = best(long) / best(short);
  console.log(
    `first frame: 100 steps ${best(short).toFixed(0)} ms, 100 000 steps ${best(long).toFixed(0)} ms, ratio ${ratio.toFixed(2)} (runs ${short.map(Math.round).join("/")} vs ${long.map(Math.round).join("/")})`,
  );
  expect(ratio).toBeLessThan(2);

  await replayReady(page);
  // Scrub from the first step to the last in 50 jumps, each painting its own frame (checked in pixels).
  const heap: number[] = [await jsHeapMb(page)];
  const live: number[] = [await jsHeapMb(page, true)];
  for (let k = 0; k <= 50; k++) {
    const step = Math.min(99_999, k * 2000 + ((k * 37) % 1000));
    await page.evaluate((s) => window.__replay!.seek(s), step);
    await waitPainted(page, step, 20_000);
    if (k % 10 === 3) {
      const code = await paintedFrameCode(page);
      if (code !== null) expect(code).toBe(step % 1000);
      await expect(page.locator("[data-testid=replay-frame] canvas")).toHaveAttribute(
        "data-frame-id",
        `frame_${String(step % 1000).padStart(6, "0")}`,
      );
    }
    if (k % 5 === 0) heap.push(await jsHeapMb(page));
    if (k % 10 === 9) live.push(await jsHeapMb(page, true));
  }
  const stats = await page.evaluate(() => window.__replay!.stats());
  const peak = Math.max(...heap);
  const livePeak = Math.max(...live);
  console.log(
    `heap while scrubbing 100 000 steps: peak ${peak.toFixed(1)} MB in use, ${livePeak.toFixed(1)} MB live after collection (budget ${HEAP_BUDGET_MB} MB); cache ${JSON.stringify(stats)}`,
  );
  // What the page holds (live objects) is what must stay bounded; garbage waits for the collector.
  expect(livePeak).toBeLessThan(HEAP_BUDGET_MB);
  expect(stats.stepBytes).toBeLessThanOrEqual(16 * 1024 * 1024);
  expect(stats.frameBytes).toBeLessThanOrEqual(48 * 1024 * 1024);
  await keepScreenshot(page, "replay-long");
});

test("compare: two episodes on one timeline stay in sync, by step and by time", async ({ page }) => {
  test.setTimeout(90_000);
  await useAdminSession(page);
  await page.goto(`/console/episodes/compare?a=${SIM}&b=${SHORT}&align=step`);
  const panes = page.getByTestId("compare-pane");
  await expect(panes).toHaveCount(2);
  await replayReady(page);
  const stepOf = async (index: number) =>
    Number(await panes.nth(index).getByTestId("compare-step").getAttribute("data-step"));
  await page.evaluate(() => window.__replay!.seek(37));
  await expect.poll(() => stepOf(0)).toBe(37);
  expect(await stepOf(1)).toBe(37);
  await expect(panes.nth(0).locator("canvas")).toHaveAttribute("data-painted-step", "37", { timeout: 15_000 });
  await expect(panes.nth(1).locator("canvas")).toHaveAttribute("data-painted-step", "37", { timeout: 15_000 });
  await page.getByTestId("play-pause").click();
  await page.waitForTimeout(700);
  await page.getByTestId("play-pause").click();
  const [a, b] = [await stepOf(0), await stepOf(1)];
  expect(a).toBeGreaterThan(37);
  expect(b).toBe(a);
  await keepScreenshot(page, "replay-compare-step");

  // By time: the simulator runs at 10 Hz, the fixture at 30 Hz, so the same moment is step s and ~3s.
  await page.getByRole("radio", { name: "By time" }).click();
  await expect(page.getByTestId("compare-player")).toHaveAttribute("data-align", "time");
  await page.evaluate(() => window.__replay!.seek(45));
  await expect.poll(() => stepOf(0)).toBe(15);
  expect(Math.abs((await stepOf(1)) - 45)).toBeLessThanOrEqual(1);
  await page.getByTestId("play-pause").click();
  await page.waitForTimeout(500);
  await page.getByTestId("play-pause").click();
  const [ta, tb] = [await stepOf(0), await stepOf(1)];
  expect(ta).toBeGreaterThan(15);
  expect(Math.abs(tb - 3 * ta)).toBeLessThanOrEqual(3);
  await keepScreenshot(page, "replay-compare-time");
});
