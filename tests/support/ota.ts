/**
 * OTA helpers for API and browser specs: production models written through the ports into the
 * server's data folder (the training verbs that create them are another feature), a fleet of
 * robots registered through the real endpoints with real signatures, an operator, and polling
 * for background work.
 */
import { request as playwrightRequest, type APIRequestContext } from "@playwright/test";
import { Models } from "../../lib/models/schemas";
import { createRuntime, type Runtime } from "../../server/runtime";
import { createRobotIdentity, RobotClient } from "../../tools/robot-client";
import { cloudDeploymentFor, isCloudMode } from "../../tools/cloud-emulators/deployment";
import { changeRoleAndSignInAgain, signUpAndSignIn, type SignedInUser } from "./users";

/** The data folder of the server Playwright started (see playwright.config.ts). */
export function e2eDataDir(): string {
  const port = Number(process.env.E2E_PORT ?? 3210);
  return process.env.E2E_DATA_DIR ?? `/tmp/continuon-e2e-${port}`;
}

/**
 * The store and blobs of a data folder's deployment, opened beside the running server: the SQLite
 * file and blob folder on the embedded default, or in cloud mode the Firestore database and GCS
 * bucket the server of that folder uses (`cloudDeploymentFor`).
 */
export async function openDataDir(dataDir = e2eDataDir()): Promise<Runtime> {
  return createRuntime({
    ...(process.env as Record<string, string>),
    ...(isCloudMode(process.env) ? cloudDeploymentFor(dataDir) : { STORAGE_DRIVER: "sqlite", BLOB_DRIVER: "local" }),
    CONTINUON_DATA_DIR: dataDir,
    CONTINUON_WORKERS: "0",
    LOG_LEVEL: "silent",
  });
}

let seq = 0;

/** A unique robot model per test, so rollouts of different tests never meet. */
export function uniqueRobotModel(label: string): string {
  return `${label}-${Date.now().toString(36)}${(++seq).toString(36)}`;
}

/** A production model with weights and a config, as the training feature would register it. */
export async function seedProductionModel(
  robotModel: string,
  version: string,
  options: { dataDir?: string; files?: Record<string, string> } = {},
): Promise<string> {
  const runtime = await openDataDir(options.dataDir);
  try {
    const id = `mdl_e2e_${robotModel}_${version.replaceAll(".", "_")}`;
    const prefix = `models/production/${robotModel}/v${version}/`;
    const files = options.files ?? {
      "seed_model.npz": `weights ${robotModel} ${version} `.repeat(4000),
      "config/model_config.json": JSON.stringify({ obs_dim: 128, action_dim: 32 }),
    };
    for (const [path, content] of Object.entries(files))
      await runtime.blobs.put(`${prefix}${path}`, Buffer.from(content));
    const at = new Date().toISOString();
    await runtime.db.set(Models, id, {
      name: "seed",
      version,
      robot_model: robotModel,
      stage: "production",
      storage_ref: prefix,
      training_job_id: null,
      dataset: { episode_count: 3, episode_set_sha256: "cd".repeat(32) },
      metrics: { loss: 0.02 },
      created_at: at,
      created_by: null,
      promoted_at: at,
      promoted_by: null,
      parent_model_id: null,
      origin_stage: null,
      retired_at: null,
      files: [],
    });
    return id;
  } finally {
    await runtime.close();
  }
}

/** Overwrite stored bytes (to prove robots refuse a tampered bundle). */
export async function tamperBlob(key: string, dataDir?: string): Promise<void> {
  const runtime = await openDataDir(dataDir);
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of (await runtime.blobs.get(key)).stream as AsyncIterable<Buffer>) chunks.push(chunk);
    const bytes = Buffer.concat(chunks);
    bytes[bytes.length - 30] = (bytes[bytes.length - 30] as number) ^ 0xff;
    await runtime.blobs.put(key, bytes, { contentType: "application/gzip" });
  } finally {
    await runtime.close();
  }
}

/** A signed-in operator (promoted by the admin through the real endpoint). */
export async function operatorUser(baseURL: string, admin: APIRequestContext): Promise<SignedInUser> {
  return changeRoleAndSignInAgain(admin, await signUpAndSignIn(baseURL, "operator"), "operator");
}

/** `count` robots of `robotModel`, registered with one provisioning token. */
export async function registerFleet(
  baseURL: string,
  admin: APIRequestContext,
  robotModel: string,
  count: number,
): Promise<RobotClient[]> {
  const created = await admin.post("/api/console/provisioning-tokens", {
    data: { model: robotModel, label: `ota e2e ${robotModel}` },
  });
  if (created.status() !== 201) throw new Error(`provisioning token: ${created.status()} ${await created.text()}`);
  const { token } = (await created.json()) as { token: string };
  const robots: RobotClient[] = [];
  for (let i = 0; i < count; i++) {
    const client = new RobotClient({ identity: createRobotIdentity({ model: robotModel }), baseUrl: baseURL });
    await client.requestJson("POST", "/api/rcan/register", {
      json: {
        provisioning_token: token,
        ruri: client.ruri,
        public_key: client.identity.publicKey,
        name: `ota robot ${i}`,
      },
    });
    robots.push(client);
  }
  return robots;
}

export interface BundleJson {
  bundle_id: string;
  version: string;
  storage_ref: string;
  signature: string;
  key_id: string;
  build: { status: string; error: string | null };
  manifest: { checksum: string; size_bytes: number };
  rollout: {
    status: string;
    target_percentage: number;
    deployed_count: number;
    error_count: number;
    counts: Record<string, number>;
    paused_reason: string | null;
    auto_paused: boolean;
  };
}

/** Ask for a bundle and wait until the background build signed it. */
export async function buildBundle(
  api: APIRequestContext,
  body: { model_id: string; version: string; requires_version?: string },
  timeoutMs = 30_000,
): Promise<BundleJson> {
  const queued = await api.post("/api/console/ota/bundles", { data: body });
  if (queued.status() !== 202) throw new Error(`build: ${queued.status()} ${await queued.text()}`);
  const { bundle_id } = (await queued.json()) as { bundle_id: string };
  return waitFor(
    async () => {
      const bundle = await getBundle(api, bundle_id);
      if (bundle.build.status === "failed") throw new Error(`build failed: ${bundle.build.error}`);
      return bundle.build.status === "ready" ? bundle : null;
    },
    `bundle ${bundle_id} to build`,
    timeoutMs,
  );
}

export async function getBundle(api: APIRequestContext, bundleId: string): Promise<BundleJson> {
  const response = await api.get(`/api/console/ota/bundles/${encodeURIComponent(bundleId)}`);
  if (!response.ok()) throw new Error(`bundle: ${response.status()} ${await response.text()}`);
  return (await response.json()) as BundleJson;
}

export async function rollout(
  api: APIRequestContext,
  bundleId: string,
  action: string,
  body: Record<string, unknown> = {},
): Promise<BundleJson> {
  const response = await api.post(`/api/console/ota/bundles/${encodeURIComponent(bundleId)}/rollout/${action}`, {
    data: body,
  });
  if (!response.ok()) throw new Error(`${action}: ${response.status()} ${await response.text()}`);
  return (await response.json()) as BundleJson;
}

/** Poll until `probe` returns a value (background work), or fail naming what was awaited. */
export async function waitFor<T>(probe: () => Promise<T | null>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A request context without cookies (what a field robot has). */
export async function anonymousApi(baseURL: string): Promise<APIRequestContext> {
  return playwrightRequest.newContext({ baseURL });
}
