import { z } from "zod";
import { ZListBundlesInput } from "@/lib/ota/list-bundles";
import { ZListDeploymentsInput } from "@/lib/ota/list-deployments";
import {
  ZApproveInput,
  ZBuildBundleInput,
  ZCheckAnswer,
  ZCheckQuery,
  ZFieldIndex,
  ZOtaBundle,
  ZOtaDeployment,
  ZOtaPublicKey,
  ZOtaTrack,
  ZPauseInput,
  ZRaiseInput,
  ZReportAnswer,
  ZReportInput,
  ZResumeInput,
  ZRollbackInput,
  ZStageInput,
  ZUpdatePolicyInput,
} from "@/lib/ota/schemas";
import type { OperationSpec } from "../types";
import { EXAMPLE, EXAMPLE_ROBOT, ZErrorBody, page, pathParams } from "./common";

const robot = EXAMPLE_ROBOT.deviceId;
const bundle = EXAMPLE.bundleId;
const size = 5_243_904;
const signature = "pq8Jb1v3xJ0ElT6m9mJ3u8vIh7Fq2o0Lx6n1q3Zr5bYkVw2sC8dE4fG6hJ8kL0mN2pQ4rS6tU8vW0xY2zA4bCg==";
const downloadQuery = {
  bundle_id: bundle,
  device: robot,
  expires: "1780318800",
  sig: "k1Yw9xQm3rT5vB7nD2fH4jL6pS8uZ0cE",
};
/** The signed download link of the examples. */
export const EXAMPLE_DOWNLOAD_URL = `${EXAMPLE.origin}/api/ota/download?${new URLSearchParams(downloadQuery)}`;

const offer = {
  bundle_id: bundle,
  version: "1.1.0",
  download_url: EXAMPLE_DOWNLOAD_URL,
  expires_at: "2026-06-01T13:00:00.000Z",
  checksum: EXAMPLE.checksum,
  signature,
  key_id: EXAMPLE.otaKeyId,
  size_bytes: size,
  requires_version: ">=1.0.0",
  min_brain_version: "0.0.0",
  release_notes: "Smoother grasping",
  rollback: false,
};

const jwk = {
  kty: "OKP",
  crv: "Ed25519",
  x: EXAMPLE.otaPublicKeyUrl,
  kid: EXAMPLE.otaKeyId,
  use: "sig",
  alg: "EdDSA",
  key_ops: ["verify"],
};

const ZJwk = ZOtaPublicKey.shape.jwk;
const ZPublicKeys = ZOtaPublicKey.omit({ status: true }).extend({ keys: z.array(ZOtaPublicKey) });
const ZJwks = z.object({
  keys: z.array(ZJwk.extend({ "x-status": ZOtaPublicKey.shape.status, "x-raw-base64": z.string() })),
});
const ZDownloadQuery = z.object({
  bundle_id: z.string().describe("The bundle (`<robot_model>@<version>`)"),
  device: z.string().describe("The robot the link was made for"),
  expires: z.string().describe("Unix seconds; the link lives one hour"),
  sig: z.string().describe("The link's signature"),
});
const bundleParams = pathParams("bundle_id");
const ZBundleView = ZOtaBundle.extend({ bundle_id: z.string() });
const ROLLOUT_ACTIONS = ["stage", "approve", "raise", "pause", "resume", "rollback", "policy"] as const;
const withoutBundle = { bundle_id: true } as const;

export const OTA_OPERATIONS: OperationSpec[] = [
  {
    method: "GET",
    path: "/api/ota/check",
    operationId: "checkForUpdate",
    summary: "Which bundle to install now, if any",
    description:
      "The robot model comes from the robot's registry entry. `current_version` is the bundle version it runs (plain MAJOR.MINOR.PATCH); without it the version of its last heartbeat is used. The first offer of a bundle to a robot is recorded; checking in with the offered version counts it installed.",
    area: "ota",
    auth: ["robot"],
    query: ZCheckQuery,
    responses: { 200: ZCheckAnswer },
    examples: [
      {
        id: "offer",
        title: "An update is waiting",
        query: { current_version: "1.0.0" },
        status: 200,
        response: { update: offer },
      },
      {
        id: "none",
        title: "Nothing to install",
        query: { current_version: "1.1.0" },
        status: 200,
        response: { update: null, reason: "up_to_date" },
      },
    ],
    direct: true,
    robotFacing: true,
  },
  {
    method: "GET",
    path: "/api/ota/download",
    operationId: "downloadBundle",
    summary: "A bundle through its signed, short-lived link (streamed; Range and conditional requests)",
    description:
      "The `download_url` of a check answer or of the field index: valid one hour, for that bundle and robot. Streamed as the robot reads it. The ETag is the bundle's SHA-256; `If-None-Match` / `If-Modified-Since` answer 304, `If-Range` keeps a resume from splicing a changed file (200 with the whole file), `If-Match` / `If-Unmodified-Since` that no longer hold answer 412. Serving the last byte counts the robot as `downloaded`. Paused and rolled-back bundles are refused.",
    area: "ota",
    auth: ["signed-url"],
    query: ZDownloadQuery,
    headers: {
      Range: { description: "Resume a broken download: `bytes=<received>-`" },
      "If-Range": {
        description: "The ETag of the part already received: the range is served only if the file is unchanged",
      },
      "If-None-Match": { description: "An ETag held: 304 when it still matches" },
    },
    responses: {
      200: {
        contentType: "application/gzip",
        description: "The whole bundle, streamed",
        headers: {
          "x-checksum-sha256": "The bundle's SHA-256 (hex)",
          "x-signature-ed25519": "Ed25519 over the bundle, base64",
          "x-key-id": "The signing key",
        },
      },
      206: { contentType: "application/gzip", description: "One range of it" },
      304: "Not modified: the `If-None-Match` ETag (or `If-Modified-Since` date) still matches",
      403: { schema: ZErrorBody, description: "`download_link_invalid`, `download_link_expired`: ask check again" },
      409: { schema: ZErrorBody, description: "`rollout_paused`, `rollout_rolled_back`" },
      412: {
        schema: ZErrorBody,
        description: "`precondition_failed`: `If-Match` / `If-Unmodified-Since` no longer hold",
      },
      416: { schema: ZErrorBody, description: "`range_not_satisfiable`: the range is past the end" },
    },
    examples: [
      {
        id: "resume",
        title: "Resume a broken download after its first 100 bytes",
        query: downloadQuery,
        headers: { Range: "bytes=100-" },
        status: 206,
        responseText: "<the rest of the bundle>",
        responseHeaders: { "content-range": `bytes 100-${size - 1}/${size}`, "content-type": "application/gzip" },
      },
    ],
    direct: true,
    robotFacing: true,
  },
  {
    method: "HEAD",
    path: "/api/ota/download",
    operationId: "headBundle",
    summary: "The bundle's size, checksum and signature headers, without the bytes",
    area: "ota",
    auth: ["signed-url"],
    query: ZDownloadQuery,
    responses: {
      200: {
        description: "Headers only",
        headers: { "Content-Length": "The bundle's size", "x-checksum-sha256": "Its SHA-256 (hex)" },
      },
      403: "The link is invalid or expired",
    },
    examples: [
      {
        id: "head",
        title: "How large is it?",
        query: downloadQuery,
        status: 200,
        responseHeaders: {
          "x-checksum-sha256": EXAMPLE.checksum.slice("sha256:".length),
          "x-signature-ed25519": signature,
          "accept-ranges": "bytes",
        },
      },
    ],
    direct: true,
    robotFacing: true,
  },
  {
    method: "POST",
    path: "/api/ota/report",
    operationId: "reportDeployment",
    summary: "Report downloaded | installed | failed | rolled_back for an offered bundle",
    description:
      "Repeats and late reports change nothing and answer the current state. Refused: an unknown bundle (404 `bundle_not_found`), another model's bundle (403 `wrong_robot_model`), a bundle never offered to this robot (409 `bundle_not_offered`).",
    area: "ota",
    auth: ["robot"],
    body: { schema: ZReportInput },
    responses: { 200: ZReportAnswer },
    examples: [
      {
        id: "installed",
        title: "Installed",
        body: { bundle_id: bundle, status: "installed" },
        status: 200,
        response: { bundle_id: bundle, state: "installed", changed: true },
      },
    ],
    direct: true,
    robotFacing: true,
  },
  {
    method: "GET",
    path: "/api/ota/{device_id}/registry.json",
    operationId: "getFieldIndex",
    summary: "The field runtime's update index for that robot's cohort (no credentials)",
    description:
      "Exactly the document the robot runtime in the field polls: `Content-Type: application/json`, plain versions, a `sha256:` checksum and a base64 Ed25519 signature over the bundle bytes. It lists the one bundle the robot's cohort should run, under the model id the runtime looks up (`seed`, or `?model_id=`); `{\"models\": {}}` when there is nothing to offer. Timestamps end in `+00:00`, never `Z` (Python 3.10's `datetime.fromisoformat` refuses `Z`). Unknown device ids are 404; 240 polls an hour per robot.",
    area: "ota",
    auth: ["public"],
    params: z.object({ device_id: z.string().max(64) }),
    query: z.object({ model_id: z.string().max(64).optional() }),
    responses: { 200: ZFieldIndex },
    examples: [
      {
        id: "index",
        title: "A robot's index",
        params: { device_id: robot },
        status: 200,
        response: {
          models: {
            seed: {
              latest_version: "1.1.0",
              versions: {
                "1.1.0": {
                  download_url: EXAMPLE_DOWNLOAD_URL,
                  checksum: EXAMPLE.checksum,
                  signature,
                  size_bytes: size,
                  release_notes: "Smoother grasping",
                  min_brain_version: "0.0.0",
                  created_at: EXAMPLE.time.replace(/Z$/, "+00:00"),
                  metadata: {
                    bundle_id: bundle,
                    robot_model: "companion-v1",
                    model_name: "seed",
                    key_id: EXAMPLE.otaKeyId,
                    requires_version: null,
                    rollout_status: "production",
                  },
                },
              },
            },
          },
        },
      },
    ],
    robotFacing: true,
  },
  {
    method: "GET",
    path: "/api/ota/public-key",
    operationId: "getOtaPublicKey",
    summary: "The key robots verify bundles with: JSON (with the JWK and older keys), raw or base64",
    area: "ota",
    auth: ["public"],
    query: z.object({ format: z.enum(["json", "raw", "base64"]).optional() }),
    responses: {
      200: {
        schema: ZPublicKeys,
        description: "The key: JSON by default, else as `?format=` asks (with an `x-key-id` header)",
        alternatives: {
          "application/octet-stream": "`?format=raw`: the 32 key bytes",
          "text/plain; charset=utf-8": "`?format=base64`: the key as base64 and a newline",
        },
        headers: { "x-key-id": "The key's id (raw and base64 answers)" },
      },
    },
    examples: [
      {
        id: "json",
        title: "The current key and the keys kept after rotations",
        status: 200,
        response: {
          key_id: EXAMPLE.otaKeyId,
          public_key: EXAMPLE.otaPublicKey,
          jwk,
          keys: [{ key_id: EXAMPLE.otaKeyId, public_key: EXAMPLE.otaPublicKey, jwk, status: "current" }],
        },
      },
      {
        id: "base64",
        title: "The raw key as base64 (what the field runtime loads)",
        query: { format: "base64" },
        status: 200,
        responseText: `${EXAMPLE.otaPublicKey}\n`,
        responseHeaders: { "content-type": "text/plain; charset=utf-8", "x-key-id": EXAMPLE.otaKeyId },
      },
    ],
    robotFacing: true,
  },
  {
    method: "GET",
    path: "/.well-known/ota-keys.json",
    operationId: "getOtaJwks",
    summary: "The OTA verification keys as a JWK Set (current first)",
    area: "ota",
    auth: ["public"],
    responses: { 200: ZJwks },
    examples: [
      {
        id: "jwks",
        title: "The key set",
        status: 200,
        response: { keys: [{ ...jwk, "x-status": "current", "x-raw-base64": EXAMPLE.otaPublicKey }] },
      },
    ],
    robotFacing: true,
  },
  {
    method: "GET",
    path: "/api/console/ota/bundles",
    operationId: "listBundles",
    summary: "Bundles, newest first",
    area: "ota",
    auth: ["operator"],
    query: ZListBundlesInput,
    responses: { 200: page("bundles", ZBundleView) },
  },
  {
    method: "POST",
    path: "/api/console/ota/bundles",
    operationId: "buildBundle",
    summary: "Build a bundle from a production model (the build runs in the background)",
    area: "ota",
    auth: ["operator"],
    body: { schema: ZBuildBundleInput },
    responses: { 202: ZBundleView },
  },
  {
    method: "GET",
    path: "/api/console/ota/bundles/{bundle_id}",
    operationId: "getBundle",
    summary: "One bundle: manifest, signature, rollout, approvals, health",
    area: "ota",
    auth: ["operator"],
    params: bundleParams,
    responses: { 200: "The bundle document with `bundle_id`, `health`, `track` and `rollback_target`" },
  },
  {
    method: "GET",
    path: "/api/console/ota/bundles/{bundle_id}/audit",
    operationId: "listRolloutAudit",
    summary: "The bundle's audit trail: build, approvals, pauses, rollback",
    area: "ota",
    auth: ["operator"],
    params: bundleParams,
    query: z.object({ cursor: z.string().max(2000).optional() }),
    responses: { 200: "`{entries: [audit entries with id], next_cursor}`" },
  },
  {
    method: "GET",
    path: "/api/console/ota/bundles/{bundle_id}/deployments",
    operationId: "listDeployments",
    summary: "The per-robot table of a rollout",
    area: "ota",
    auth: ["operator"],
    params: bundleParams,
    query: ZListDeploymentsInput.omit(withoutBundle),
    responses: { 200: page("deployments", ZOtaDeployment) },
  },
  {
    method: "POST",
    path: "/api/console/ota/bundles/{bundle_id}/rollout/{action}",
    operationId: "moveRollout",
    summary: "Move a rollout: stage, approve, raise, pause, resume, rollback, or change its policy (audited)",
    area: "ota",
    auth: ["operator"],
    params: bundleParams.extend({ action: z.enum(ROLLOUT_ACTIONS) }),
    body: {
      schema: z.union([
        ZStageInput.omit(withoutBundle),
        ZApproveInput.omit(withoutBundle),
        ZRaiseInput.omit(withoutBundle),
        ZPauseInput.omit(withoutBundle),
        ZResumeInput.omit(withoutBundle),
        ZRollbackInput.omit(withoutBundle),
        ZUpdatePolicyInput.omit(withoutBundle),
      ]),
      description:
        "The action's input: stage `{policy?, note?}`, approve `{to, target_percentage?, note?}`, raise `{target_percentage, note?}`, pause/rollback `{reason?}`, resume `{note?}`, policy `{policy}`",
    },
    responses: { 200: "The bundle after the move (as `GET /api/console/ota/bundles/{bundle_id}`)" },
  },
  {
    method: "GET",
    path: "/api/console/ota/bundles/{bundle_id}/series",
    operationId: "getRolloutSeries",
    summary: "offered/downloaded/installed/failed/rolled_back over time",
    area: "ota",
    auth: ["operator"],
    params: bundleParams,
    responses: {
      200: "`{points: [{at, status, target_percentage, offered, downloaded, installed, failed, rolled_back}]}`",
    },
  },
  {
    method: "POST",
    path: "/api/console/ota/bundles/{bundle_id}/retry-build",
    operationId: "retryBundleBuild",
    summary: "Build a failed bundle again (audited); 409 `build_not_failed` for a bundle whose build has not failed",
    area: "ota",
    auth: ["operator"],
    params: bundleParams,
    responses: { 202: ZBundleView },
  },
  {
    method: "POST",
    path: "/api/console/ota/bundles/{bundle_id}/verify",
    operationId: "verifyBundle",
    summary: "Re-read the stored bundle and check size, checksum and signature",
    area: "ota",
    auth: ["operator"],
    params: bundleParams,
    responses: { 200: "The verification: size, checksum and signature, each checked" },
  },
  {
    method: "GET",
    path: "/api/console/ota/models",
    operationId: "listBuildableModels",
    summary: "Production models a bundle can be built from",
    area: "ota",
    auth: ["operator"],
    responses: { 200: "`{models: [model documents with model_id]}`" },
  },
  {
    method: "GET",
    path: "/api/console/ota/robots",
    operationId: "listRobotBundles",
    summary: "Which bundle each of the caller's robots runs, and its latest offer",
    area: "ota",
    auth: ["user"],
    responses: { 200: "`{robots: [{device_id, name, model, current_bundle, latest offer…}]}`" },
  },
  {
    method: "GET",
    path: "/api/console/ota/tracks",
    operationId: "listTracks",
    summary: "Per robot model: the production bundle and the rollout in flight",
    area: "ota",
    auth: ["operator"],
    responses: { 200: z.object({ tracks: z.array(ZOtaTrack) }) },
  },
];
