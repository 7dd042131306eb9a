/**
 * Helpers for the episode specs: a registered robot, uploads through the real routes (signed-url →
 * PUT → ingest), the console view of an episode, downloads, TFRecord polling.
 */
import { createHash } from "node:crypto";
import { expect, type APIRequestContext } from "@playwright/test";
import type { RobotClient } from "../../tools/robot-client";
import { createToken, registeredRobot } from "../support/robots";

export interface ErrorBody {
  error: { code: string; reason?: string; message: string };
}

export interface IngestAnswer {
  status: "validated" | "rejected";
  episode_id: string;
  training_eligible: boolean;
  checksum: string | null;
  variant: string | null;
  format: string;
  stats: { step_count: number; duration_ms: number | null; action_dim: number | null } | null;
  errors: { code: string; message: string; step: number | null; field: string | null; line: number | null }[];
  warnings: { code: string; message: string }[];
  storage_ref: string | null;
}

export interface EpisodeDetail {
  episode_id: string;
  episode: Record<string, unknown> & {
    status: string;
    ingest?: { state: string; attempt: number; staging_prefix: string | null };
    tfrecord?: { state: string; records: number | null };
    files?: { path: string }[];
    metadata: Record<string, unknown> & { tags: string[] };
  };
  files: { path: string; size_bytes: number; download_url: string | null }[];
  raw: { key: string; size_bytes: number | null; download_url: string | null } | null;
  tfrecord: { state: string | null; records: number | null; download_url: string | null };
  storage: { raw_objects: number; staging_objects: number; validated_objects: number; tfrecord: boolean };
  replay_url: string;
}

export const sha256 = (bytes: Uint8Array | string) => createHash("sha256").update(bytes).digest("hex");

let tokenPromise: Promise<string> | null = null;

/** A fresh registered robot (provisioning tokens are shared by the specs of a file). */
export async function episodeRobot(admin: APIRequestContext, base: string): Promise<RobotClient> {
  tokenPromise ??= createToken(admin, { max_uses: 200, label: "episodes e2e" }).then((created) => created.token);
  return registeredRobot(base, await tokenPromise);
}

export async function expectError(
  response: Response,
  status: number,
  code: string,
  reason: string,
): Promise<ErrorBody> {
  const text = await response.text();
  expect({ status: response.status, body: text }).toMatchObject({ status });
  const body = JSON.parse(text) as ErrorBody;
  expect({ code: body.error.code, reason: body.error.reason }).toEqual({ code, reason });
  return body;
}

export interface Grant {
  episode_id: string;
  episode_ref: string;
  upload_url: string;
  headers: Record<string, string>;
  expires_at: string;
  max_size_bytes: number;
  uploads: { path: string; upload_url: string; headers: Record<string, string> }[];
}

export async function requestUpload(robot: RobotClient, body: Record<string, unknown>): Promise<Grant> {
  return robot.requestJson<Grant>("POST", "/api/rlds/signed-url", { json: { robot_id: robot.deviceId, ...body } });
}

/** PUT bytes to a signed upload URL (the URL is the credential: no robot signature). */
export async function putTo(url: string, headers: Record<string, string>, bytes: Uint8Array): Promise<Response> {
  return fetch(url, { method: "PUT", headers, body: new Uint8Array(bytes) });
}

export async function ingest(robot: RobotClient, body: Record<string, unknown>): Promise<Response> {
  return robot.request("POST", "/api/rlds/ingest", { json: body });
}

/** signed-url → PUT → ingest; returns the ingest answer (status 200 expected). */
export async function uploadAndIngest(
  robot: RobotClient,
  episodeId: string,
  bytes: Uint8Array,
  format: "tar.gz" | "zip" | "json" | "tfrecord",
  extra: Record<string, unknown> = {},
): Promise<IngestAnswer> {
  const grant = await requestUpload(robot, { episode_id: episodeId, format, ...extra });
  const put = await putTo(grant.upload_url, grant.headers, bytes);
  expect(put.status, await put.clone().text()).toBe(200);
  const response = await ingest(robot, { episode_ref: grant.episode_ref, checksum: `sha256:${sha256(bytes)}` });
  const text = await response.text();
  expect(response.status, text).toBe(200);
  return JSON.parse(text) as IngestAnswer;
}

export async function episodeDetail(api: APIRequestContext, episodeId: string): Promise<EpisodeDetail> {
  const response = await api.get(`/api/console/episodes/${episodeId}`);
  expect(response.status(), await response.text()).toBe(200);
  return (await response.json()) as EpisodeDetail;
}

export async function download(url: string): Promise<Buffer> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

/** Poll the console view until the TFRecord conversion (background work) is done. */
export async function waitForTfrecord(
  api: APIRequestContext,
  episodeId: string,
  timeoutMs = 60_000,
): Promise<EpisodeDetail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const detail = await episodeDetail(api, episodeId);
    if (detail.tfrecord.state === "done" && detail.tfrecord.download_url) return detail;
    if (detail.tfrecord.state === "failed" || Date.now() > deadline) {
      throw new Error(`TFRecord of ${episodeId}: ${JSON.stringify(detail.tfrecord)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The file of the canonical episode, downloaded through its signed link. */
export async function canonicalFile(detail: EpisodeDetail, path: string): Promise<Buffer> {
  const file = detail.files.find((candidate) => candidate.path === path);
  expect(file, `${path} in ${detail.files.map((f) => f.path).join(", ")}`).toBeDefined();
  return download(file!.download_url!);
}
