/**
 * Episodes for the replay specs and their helpers. Two sources, both through the product's code:
 * - a simulator episode, recorded by the simulator's episodes behaviour (real PNG frames, 10 Hz)
 *   and uploaded through the robot API (signed-url → PUT → ingest) by a registered robot;
 * - generated fixtures (`scripts/replay/seed-episodes.ts`: `processEpisode` into the running
 *   server's store), for the 100 000-step episode and frames that carry their number in pixels.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect, type APIRequestContext, type Page } from "@playwright/test";
import { recordEpisode, uploadEpisode } from "../../tools/simulator/behaviors/episodes";
import { createToken, registeredRobot } from "../support/robots";

const run = promisify(execFile);

/** The data folder of the server Playwright started (see playwright.config.ts). */
export function e2eDataDir(): string {
  return process.env.E2E_DATA_DIR ?? `/tmp/continuon-e2e-${process.env.E2E_PORT ?? 3210}`;
}

export const runTag = () => `${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`;

/** Seed generated episodes (`id:steps[:frame pool]`) into the shared server; returns how long each took. */
export async function seedReplayEpisodes(
  specs: string[],
  options: { robotId?: string; ownerUid?: string; warnAt?: number } = {},
): Promise<{ episode_id: string; steps: number; ms: number }[]> {
  const args = ["tsx", "scripts/replay/seed-episodes.ts", "--data-dir", e2eDataDir()];
  for (const spec of specs) args.push("--episode", spec);
  if (options.robotId) args.push("--robot-id", options.robotId);
  if (options.ownerUid) args.push("--owner-uid", options.ownerUid);
  if (options.warnAt !== undefined) args.push("--warn-at", String(options.warnAt));
  const { stdout } = await run("npx", args, { maxBuffer: 16 * 1024 * 1024 });
  return (
    JSON.parse(stdout.trim().split("\n").pop() as string) as {
      episodes: { episode_id: string; steps: number; ms: number }[];
    }
  ).episodes;
}

/** A simulated robot records `steps` steps with camera frames and uploads them as a tar.gz through the robot API. */
export async function uploadSimulatorEpisode(
  baseURL: string,
  admin: APIRequestContext,
  episodeId: string,
  steps = 100,
): Promise<{ episodeId: string; robotId: string }> {
  const { token } = await createToken(admin, { label: "replay e2e" });
  const robot = await registeredRobot(baseURL, token);
  const episode = await recordEpisode({
    robotId: robot.deviceId,
    robotModel: "companion-v1",
    episodeId,
    steps,
    seed: 7,
    startTimeMs: Date.UTC(2026, 0, 5, 10, 0, 0),
  });
  const outcome = await uploadEpisode(robot, episode, "tar.gz");
  expect(outcome.status, JSON.stringify(outcome.answer)).toBe("validated");
  return { episodeId, robotId: robot.deviceId };
}

export function replayPath(episodeId: string, query = ""): string {
  return `/console/episodes/${encodeURIComponent(episodeId)}/replay${query}`;
}

/** Wait until the frame view has painted the exact frame of `step`. */
export async function waitPainted(page: Page, step: number, timeout = 15_000): Promise<void> {
  await expect(page.locator("[data-testid=replay-frame] canvas").first()).toHaveAttribute(
    "data-painted-step",
    String(step),
    {
      timeout,
    },
  );
}

export async function readoutStep(page: Page): Promise<number> {
  return Number(await page.getByTestId("replay-readout").getAttribute("data-step"));
}

/**
 * The number a fixture frame carries in its pixels (see lib/replay/testing/render-frame.ts), read
 * from the canvas; null where the pixels cannot be read (cloud mode: frames come from a bucket
 * without CORS, which taints the canvas).
 */
export async function paintedFrameCode(page: Page): Promise<number | null> {
  return page.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>("[data-testid=replay-frame] canvas");
    if (!canvas) return -1;
    let data: Uint8ClampedArray;
    try {
      data = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
    } catch {
      return null;
    }
    const bits = 20;
    const cell = Math.floor(canvas.width / bits);
    let code = 0;
    for (let k = 0; k < bits; k++) {
      const i = (4 * canvas.width + k * cell + Math.floor(cell / 2)) * 4;
      if ((data[i]! + data[i + 1]! + data[i + 2]!) / 3 > 128) code |= 1 << k;
    }
    return code;
  });
}

/** The page's JS heap in use (CDP Performance.getMetrics), in MB; `live`: after a garbage collection. */
export async function jsHeapMb(page: Page, live = false): Promise<number> {
  const session = await page.context().newCDPSession(page);
  if (live) await session.send("HeapProfiler.collectGarbage");
  await session.send("Performance.enable");
  const { metrics } = await session.send("Performance.getMetrics");
  await session.detach();
  const used = metrics.find((metric) => metric.name === "JSHeapUsedSize")?.value ?? 0;
  return used / (1024 * 1024);
}

/** Wait until the page's player is hydrated (its controls are on `window.__replay`). */
export async function replayReady(page: Page): Promise<void> {
  await page.waitForFunction(() => window.__replay !== undefined);
}
