import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { APIRequestContext } from "@playwright/test";

const run = promisify(execFile);

/** The data folder of the server Playwright started (see playwright.config.ts). */
export function e2eDataDir(): string {
  return process.env.E2E_DATA_DIR ?? `/tmp/continuon-e2e-${process.env.E2E_PORT ?? 3210}`;
}

/** A robot model name of its own for one test, so tests sharing the server do not see each other's episodes. */
export function uniqueRobotModel(label: string): string {
  return `${label}-${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`;
}

/**
 * Put validated episodes in the running server's store, as ingestion would (scripts/training/seed-episodes.ts).
 * When ingestion and the simulator land, the notebook end-to-end run uses real uploads instead.
 */
export async function seedEpisodes(count: number, robotModel: string, steps = 20): Promise<string[]> {
  const { stdout } = await run("npx", [
    "tsx",
    "scripts/training/seed-episodes.ts",
    "--data-dir",
    e2eDataDir(),
    "--count",
    String(count),
    "--robot-model",
    robotModel,
    "--steps",
    String(steps),
  ]);
  return (JSON.parse(stdout.trim().split("\n").pop() as string) as { episode_ids: string[] }).episode_ids;
}

export async function createToken(
  admin: APIRequestContext,
  name: string,
  scopes: string[] = ["training"],
): Promise<{ token: string; id: string }> {
  const response = await admin.post("/api/console/training-tokens", { data: { name, scopes } });
  if (response.status() !== 201)
    throw new Error(`token creation failed: ${response.status()} ${await response.text()}`);
  const body = (await response.json()) as { token: string; id: string };
  return { token: body.token, id: body.id };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
