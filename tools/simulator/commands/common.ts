import type { ParseArgsConfig } from "node:util";
import { SimulatedRobot } from "../simulated-robot";
import type { CommandValues } from "./types";

export const DEFAULT_URL = "http://localhost:3000";
export const DEFAULT_ROBOT_DIR = ".data/simulator/robot";
export const DEFAULT_FLEET_DIR = ".data/simulator/fleet";

/** Options most commands take. */
export const COMMON_OPTIONS: NonNullable<ParseArgsConfig["options"]> = {
  url: { type: "string" },
  dir: { type: "string" },
};

export function text(values: CommandValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === "string" ? value : undefined;
}

/** The server origin: `--url`, else `CONTINUON_URL`, else the local default. It must be the server's PUBLIC_URL. */
export function baseUrl(values: CommandValues): string {
  return text(values, "url") ?? process.env.CONTINUON_URL ?? DEFAULT_URL;
}

/** The provisioning token: `--token`, else `CONTINUON_PROVISIONING_TOKEN`. */
export function provisioningToken(values: CommandValues): string | undefined {
  return text(values, "token") ?? process.env.CONTINUON_PROVISIONING_TOKEN;
}

export function positiveNumber(values: CommandValues, name: string, fallback: number): number {
  const raw = text(values, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number, got "${raw}"`);
  return value;
}

/** The robot of `--dir` (created there on first use). */
export function openRobot(values: CommandValues, print: (line: string) => void): Promise<SimulatedRobot> {
  return SimulatedRobot.open({
    dir: text(values, "dir") ?? DEFAULT_ROBOT_DIR,
    baseUrl: baseUrl(values),
    name: text(values, "name"),
    model: text(values, "model"),
    manufacturer: text(values, "manufacturer"),
    deviceId: text(values, "device-id"),
    output: print,
  });
}
