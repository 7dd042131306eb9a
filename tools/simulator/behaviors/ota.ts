/**
 * The OTA side of a robot, as a robot maker would write it against the signed API (and what the
 * simulator runs): check for an update, download it through its signed link, verify the SHA-256
 * and the Ed25519 signature over the whole file with the platform's raw public key, check that
 * `manifest.json` sits at the archive's root, "install" it, and report each step.
 *
 * `--ota-fail-rate 0.3` makes that share of robots fail their install (chosen by a hash of device
 * and bundle, so the same robots fail every run), which is how the automatic pause can be watched
 * in the demo. `--ota-every <seconds>` sets how often a robot checks (default 60).
 */
import { createHash, createPublicKey, verify } from "node:crypto";
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import tar from "tar-stream";
import type { RobotClient } from "@/tools/robot-client";
import type { SimulatedRobot } from "../simulated-robot";
import type { BehaviorOptions, RobotBehavior } from "./types";

/** The update `GET /api/ota/check` offers. */
export interface OtaOffer {
  bundle_id: string;
  version: string;
  download_url: string;
  checksum: string;
  signature: string;
  key_id: string;
  size_bytes: number;
  rollback: boolean;
}

export type OtaCycleResult =
  | { status: "no_update"; reason: string }
  | { status: "installed"; bundle_id: string; version: string; rollback: boolean }
  | { status: "failed"; bundle_id: string; version: string; error: string };

export interface OtaCycleOptions {
  client: RobotClient;
  /** The version installed now (null: none). */
  currentVersion: string | null;
  /** The platform's raw 32-byte Ed25519 public key. */
  publicKey: Uint8Array;
  /** Share of robots (0–1) whose install fails. */
  failRate?: number;
  fetch?: typeof fetch;
  /** Report each step (a real robot reports; set false to act like the field runtime). */
  report?: boolean;
}

/** Whether this robot fails this bundle's install: a stable choice, so runs repeat. */
export function failsInstall(deviceId: string, bundleId: string, failRate: number): boolean {
  if (failRate <= 0) return false;
  const value = createHash("sha256").update(`fail:${bundleId}:${deviceId}`).digest().readUInt32BE(0) / 0x1_0000_0000;
  return value < failRate;
}

async function rootHasManifest(bytes: Buffer): Promise<boolean> {
  const extract = tar.extract();
  Readable.from([bytes]).pipe(createGunzip()).pipe(extract);
  let found = false;
  for await (const entry of extract) {
    if (entry.header.name === "manifest.json" || entry.header.name === "./manifest.json") found = true;
    entry.resume();
  }
  return found;
}

/** One check → download → verify → install → report round. */
export async function runOtaCycle(options: OtaCycleOptions): Promise<OtaCycleResult> {
  const { client } = options;
  const query = options.currentVersion ? `?current_version=${encodeURIComponent(options.currentVersion)}` : "";
  const answer = await client.requestJson<{ update: OtaOffer | null; reason?: string }>(
    "GET",
    `/api/ota/check${query}`,
  );
  if (!answer.update) return { status: "no_update", reason: answer.reason ?? "none" };
  const offer = answer.update;
  const report = async (status: string, error?: string) => {
    if (options.report === false) return;
    await client.requestJson("POST", "/api/ota/report", {
      json: { bundle_id: offer.bundle_id, status, ...(error ? { error } : {}) },
    });
  };
  const fail = async (error: string): Promise<OtaCycleResult> => {
    await report("failed", error);
    return { status: "failed", bundle_id: offer.bundle_id, version: offer.version, error };
  };
  // The link is the credential: no signature, as the field runtime downloads too.
  const response = await (options.fetch ?? fetch)(offer.download_url);
  if (response.status !== 200) return fail(`download answered ${response.status}`);
  const bytes = Buffer.from(await response.arrayBuffer());
  const digest = createHash("sha256").update(bytes).digest("hex");
  if (`sha256:${digest}` !== offer.checksum.replace(/^(?!sha256:)/, "sha256:"))
    return fail(`checksum mismatch: got sha256:${digest}`);
  const key = createPublicKey({
    key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(options.publicKey).toString("base64url") },
    format: "jwk",
  });
  if (!verify(null, bytes, key, Buffer.from(offer.signature, "base64")))
    return fail("Ed25519 signature does not verify");
  await report("downloaded");
  if (!(await rootHasManifest(bytes))) return fail("manifest.json is not at the bundle's root");
  if (failsInstall(client.deviceId, offer.bundle_id, options.failRate ?? 0)) {
    return fail("simulated install failure (--ota-fail-rate)");
  }
  await report("installed");
  return { status: "installed", bundle_id: offer.bundle_id, version: offer.version, rollback: offer.rollback };
}

/** Fetch the platform's OTA public key (a real robot gets it at provisioning, not at update time). */
export async function fetchOtaPublicKey(client: RobotClient, fetchImpl: typeof fetch = fetch): Promise<Uint8Array> {
  const response = await fetchImpl(client.url("/api/ota/public-key?format=raw"));
  if (!response.ok) throw new Error(`/api/ota/public-key answered ${response.status}`);
  const raw = new Uint8Array(await response.arrayBuffer());
  if (raw.length !== 32) throw new Error(`the OTA public key is ${raw.length} bytes, not 32`);
  return raw;
}

function numberOption(options: BehaviorOptions, name: string, fallback: number): number {
  const value = Number(options[name] ?? fallback);
  return Number.isFinite(value) ? value : fallback;
}

/** Check for updates, verify and install them, report; a share of robots can be told to fail. */
export const otaBehavior: RobotBehavior = {
  name: "ota",
  description: "Check for OTA updates, verify checksum and signature, install, report.",
  enabledByDefault: true,
  options: {
    "ota-fail-rate": "share of robots whose installs fail, 0–1 (0)",
    "ota-every": "seconds between update checks (60, at least 5)",
  },
  start(robot: SimulatedRobot, options: BehaviorOptions) {
    const failRate = Math.min(1, Math.max(0, numberOption(options, "otaFailRate", 0)));
    const everyS = Math.max(5, numberOption(options, "otaEvery", 60));
    let publicKey: Uint8Array | null = null;
    robot.contributeToHeartbeat(() => ({ current_bundle: robot.state.currentBundle }));
    robot.scheduler.every(
      "ota",
      () => everyS * 1000,
      async () => {
        publicKey ??= await fetchOtaPublicKey(robot.client);
        const result = await runOtaCycle({
          client: robot.client,
          currentVersion: robot.state.currentBundle,
          publicKey,
          failRate,
        });
        if (result.status === "installed") {
          robot.state.currentBundle = result.version;
          robot.log(`OTA: installed ${result.version}${result.rollback ? " (rollback)" : ""}`);
        } else if (result.status === "failed") {
          robot.log(`OTA: ${result.version} failed: ${result.error}`);
        }
      },
      { jitter: 0.2, initialDelayMs: 2000 + Math.random() * 3000 },
    );
  },
};
