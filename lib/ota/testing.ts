/**
 * Test helpers for OTA (used by `lib/ota/*.test.ts`): a production model with files in the blob
 * store, registered robots, and a bundle built by the real worker. They write through the ports,
 * as the training and robot verbs do, so the tests do not depend on those features' inputs.
 */
import type { Actor, Ctx } from "@/lib/context";
import { Models, type Model } from "@/lib/models/schemas";
import { Robots, type Robot } from "@/lib/robots/schemas";
import type { Doc } from "@/lib/storage/typed";
import { runNextWork } from "@/lib/work-queue/work-queue";
import { BUILD_QUEUE, buildBundle } from "./build-bundle";
import { runBundleBuild } from "./run-bundle-build";
import { OtaBundles, type OtaBundle } from "./schemas";

export const OPERATOR = { kind: "user", uid: "op-1", role: "operator", email: "op@example.test" } as const;
export const OWNER = { kind: "user", uid: "owner-1", role: "owner", email: "owner@example.test" } as const;

export interface SeedModelOptions {
  id?: string;
  robotModel?: string;
  version?: string;
  stage?: Model["stage"];
  files?: Record<string, Buffer | string>;
  declareFiles?: boolean;
}

/** A model document and its files under `models/production/{robot_model}/v{version}/`. */
export async function seedModel(ctx: Ctx, options: SeedModelOptions = {}): Promise<Doc<Model>> {
  const robotModel = options.robotModel ?? "companion-v1";
  const version = options.version ?? "1.0.0";
  const id = options.id ?? `mdl_${robotModel}_${version}`;
  const prefix = `models/production/${robotModel}/v${version}/`;
  const files = options.files ?? {
    "seed_model.npz": Buffer.from(`weights of ${id} `.repeat(200)),
    "config/model_config.json": JSON.stringify({ obs_dim: 128, action_dim: 32 }),
  };
  for (const [path, content] of Object.entries(files)) await ctx.blobs.put(`${prefix}${path}`, Buffer.from(content));
  const at = ctx.now().toISOString();
  const data: Model = {
    name: "seed",
    version,
    robot_model: robotModel,
    stage: options.stage ?? "production",
    storage_ref: prefix,
    training_job_id: "job_test",
    dataset: { episode_count: 12, episode_set_sha256: "ab".repeat(32) },
    metrics: { loss: 0.01 },
    created_at: at,
    created_by: null,
    promoted_at: at,
    promoted_by: null,
    parent_model_id: null,
    origin_stage: null,
    retired_at: null,
    files: options.declareFiles
      ? Object.entries(files).map(([path, content]) => ({ path, size_bytes: Buffer.from(content).length }))
      : [],
  };
  return ctx.db.set(Models, id, data);
}

let robotCounter = 0;

/** A registered robot (no key needed: tests act as it through `ctx.as({kind: "robot"})`). */
export async function seedRobot(
  ctx: Ctx,
  options: { deviceId?: string; robotModel?: string; ownerUid?: string | null; brainVersion?: string | null } = {},
): Promise<Doc<Robot>> {
  const deviceId = options.deviceId ?? (0x10000000 + ++robotCounter * 7919).toString(16).slice(-8);
  const model = options.robotModel ?? "companion-v1";
  const at = ctx.now().toISOString();
  return ctx.db.set(Robots, deviceId, {
    ruri: `rcan://continuon.cloud/continuon/${model}/${deviceId}`,
    device_id: deviceId,
    registry: "continuon.cloud",
    manufacturer: "continuon",
    model,
    name: `robot ${deviceId}`,
    public_key: null,
    key_fingerprint: null,
    key_registered_at: null,
    key_history: [],
    owner_uid: options.ownerUid ?? null,
    claimed_at: null,
    status: "online",
    last_heartbeat: at,
    offline_after: at,
    heartbeat_interval_s: 60,
    firmware_version: null,
    brain_version: options.brainVersion ?? null,
    current_bundle: null,
    endpoint: null,
    battery: null,
    capabilities: [],
    tags: [],
    registered_at: at,
    updated_at: at,
    legacy_ids: [],
    provisioning_token_id: null,
    name_sort: `robot ${deviceId}`,
    search_terms: [],
  });
}

/** Build a bundle through the real verb and the real worker; returns it ready. */
export async function buildReadyBundle(
  ctx: Ctx & { as(actor: Actor): Ctx },
  input: { model_id: string; version: string; requires_version?: string; min_brain_version?: string },
): Promise<Doc<OtaBundle>> {
  const operator = ctx.as(OPERATOR);
  const queued = await buildBundle(operator, input);
  const system = ctx.as({ kind: "system", name: BUILD_QUEUE });
  while ((await runNextWork(system, BUILD_QUEUE, runBundleBuild)) > 0) {
    // run until the queue is empty
  }
  const built = await ctx.db.require(OtaBundles, queued.id, "Bundle");
  if (built.data.build.status !== "ready") throw new Error(`build failed: ${built.data.build.error}`);
  return built;
}
