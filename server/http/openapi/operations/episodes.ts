import { z } from "zod";
import { ZIngestEpisodeInput } from "@/lib/episodes/ingest-episode";
import { ZListEpisodesInput } from "@/lib/episodes/list-episodes";
import { ZRequestEpisodeUploadInput } from "@/lib/episodes/request-episode-upload";
import { ZEpisodeListPage, ZEpisodePutAnswer, ZEpisodeUploadGrant, ZIngestAnswer } from "@/lib/episodes/schemas";
import { ZReplayFrameQuery, ZReplaySeriesQuery, ZReplayStepsQuery } from "@/lib/replay/schemas";
import type { OperationSpec } from "../types";
import { EXAMPLE, EXAMPLE_ROBOT, ZErrorBody, pathParams } from "./common";

const robot = EXAMPLE_ROBOT.deviceId;
const episode = EXAMPLE.episodeId;
const ref = `episodes/raw/${robot}/${episode}`;
const archiveKey = `${ref}/episode.tar.gz`;
const archiveSize = 48_213;
const expires = 1_780_318_800;
const archiveSig = "WuSZiahhkVq40H3I64y9TYSkBpzbgdkSfqygkHkDVsA";
const archiveQuery = {
  method: "PUT",
  expires: String(expires),
  type: "application/gzip",
  max: String(archiveSize),
  sig: archiveSig,
};
/** The upload URL of the examples: the embedded default's HMAC-signed blob URL. */
export const EXAMPLE_UPLOAD_URL = `${EXAMPLE.origin}/api/blobs/${archiveKey}?${new URLSearchParams(archiveQuery)}`;
const jsonEpisode = "ep_kitchen_0002";
const xrEpisode = "ep_kitchen_0003";

const issue = (code: string, message: string, field: string | null) => ({
  code,
  message,
  step: null,
  field,
  line: null,
  file: null,
});

/** A validated episode's verdict (the real answer for the seed's `autonomous_learning_…` fixture). */
function verdict(episodeId: string, format: string, checksum: string, sizeBytes: number) {
  return {
    status: "validated",
    episode_id: episodeId,
    training_eligible: false,
    episode_ref: `episodes/raw/${robot}/${episodeId}`,
    robot_id: robot,
    checksum,
    size_bytes: sizeBytes,
    format,
    variant: "rlds_v1",
    quality: { score: 0.48, flags: ["short", "incomplete_metadata"] },
    stats: { step_count: 1, duration_ms: 0, action_dim: 0, observation_keys: ["learning"], reward_sum: 0 },
    errors: [],
    warnings: [
      issue("missing_metadata", "metadata.robot_model is missing (recommended).", "metadata.robot_model"),
      issue("short_episode", "The episode has 1 step (fewer than 10).", null),
    ],
    issue_counts: { missing_metadata: 1, short_episode: 1 },
    storage_ref: `episodes/validated/${robot}/${episodeId}/`,
    device_signature_verified: false,
  };
}

const ZBlobPutAnswer = z.object({ key: z.string(), size: z.number().int(), etag: z.string() });
/** The query of a signed blob URL (the signature covers every other parameter). */
const ZBlobUrlQuery = z.object({
  method: z.enum(["GET", "PUT"]).describe("The one method the URL allows"),
  expires: z.string().describe("Unix seconds after which the URL is refused"),
  type: z.string().optional().describe("The Content-Type a PUT must send / a GET answers with"),
  max: z.string().optional().describe("The largest body a PUT may send, in bytes"),
  name: z.string().optional().describe("The download's file name"),
  sig: z.string().describe("HMAC over the key and the other parameters"),
});
const blobKey = z.object({ key: z.string().min(1).describe("The object key, slashes included") });

const replayParams = pathParams("episodeId");

export const EPISODE_OPERATIONS: OperationSpec[] = [
  {
    method: "POST",
    path: "/api/rlds/signed-url",
    operationId: "requestEpisodeUpload",
    summary: "Ask for upload URL(s) for one episode",
    description:
      "The episode is recorded as `raw` (upload pending). Archive and JSON uploads get one URL (`tar.gz` default, `zip`, `json`, `tfrecord` — plain or gzip-compressed), a `files` upload one URL per declared file. URLs expire within an hour, bind the content type and a maximum size (`size_bytes`, else the per-episode cap `EPISODE_MAX_BYTES`), and may be PUT again until ingest claims the upload. The robot's open URLs and stored episodes must fit its quota (`ROBOT_STORAGE_QUOTA_BYTES`). Without an `episode_id` (the Flutter app's shape) the answer is a robot-signed route of this server and the server ingests once the PUTs stop.",
    area: "episodes",
    auth: ["robot"],
    body: { schema: ZRequestEpisodeUploadInput },
    responses: {
      200: ZEpisodeUploadGrant,
      413: { schema: ZErrorBody, description: "Larger than one episode may be (`episode_too_large`)" },
      507: {
        schema: ZErrorBody,
        description: "The robot's episode storage quota is used up (`storage_quota_exceeded`)",
      },
    },
    examples: [
      {
        id: "archive",
        title: "An archive upload (tar.gz)",
        body: {
          robot_id: robot,
          episode_id: episode,
          format: "tar.gz",
          size_bytes: archiveSize,
          metadata: { step_count: 1, duration_ms: 0 },
        },
        status: 200,
        response: {
          episode_id: episode,
          episode_ref: ref,
          format: "tar.gz",
          upload_url: EXAMPLE_UPLOAD_URL,
          method: "PUT",
          headers: { "content-type": "application/gzip" },
          max_size_bytes: archiveSize,
          expires_at: "2026-06-01T13:00:00.000Z",
          uploads: [],
          ingest_url: `${EXAMPLE.origin}/api/rlds/ingest`,
          auto_ingest_after_s: null,
        },
        note: "In the cloud the URL is a Cloud Storage signed URL; send the headers it lists.",
      },
      {
        id: "direct",
        title: "The Flutter app's shape: metadata only",
        body: { metadata: { episode_id: jsonEpisode, xr_mode: "trainer" } },
        status: 200,
        response: {
          episode_id: jsonEpisode,
          episode_ref: `episodes/raw/${robot}/${jsonEpisode}`,
          format: "json",
          upload_url: `${EXAMPLE.origin}/api/rlds/upload/${jsonEpisode}`,
          method: "PUT",
          headers: { "content-type": "application/json" },
          max_size_bytes: 4_294_967_296,
          expires_at: null,
          uploads: [],
          ingest_url: `${EXAMPLE.origin}/api/rlds/ingest`,
          auto_ingest_after_s: 120,
        },
        note: "PUT the episode document to upload_url, signed like every robot request.",
      },
    ],
    robotFacing: true,
  },
  {
    method: "PUT",
    path: "/api/blobs/{key}",
    operationId: "putSignedBlob",
    summary: "Upload to a signed URL of the embedded default (the URL is the credential)",
    description:
      "Streams the body to the object the URL names. The Content-Type must be the one the URL binds, the body at most its maximum size. On Google Cloud the signed URLs point at Cloud Storage instead and this route answers 404 `local_blobs_disabled`.",
    area: "episodes",
    auth: ["signed-url"],
    params: blobKey,
    query: ZBlobUrlQuery,
    body: { contentType: "application/gzip", description: "The bytes (any Content-Type the URL binds)" },
    responses: {
      200: { schema: ZBlobPutAnswer, description: "Stored" },
      403: {
        schema: ZErrorBody,
        description: "The signature is invalid or expired (`signed_url_invalid`, `signed_url_expired`)",
      },
      409: {
        schema: ZErrorBody,
        description: "Ingest already claimed this upload; the URL is dead and nothing is stored (`upload_closed`)",
      },
      413: { schema: ZErrorBody, description: "Larger than the URL allows (`body_too_large`)" },
      415: { schema: ZErrorBody, description: "Another Content-Type than the URL binds (`content_type_mismatch`)" },
    },
    examples: [
      {
        id: "archive",
        title: "PUT the archive to the upload URL",
        params: { key: archiveKey },
        query: archiveQuery,
        headers: { "Content-Type": "application/gzip" },
        rawBody: "<the episode.tar.gz bytes>",
        status: 200,
        response: { key: archiveKey, size: archiveSize, etag: "9ae335cd-32e6-4e96-8fe2-859f6279e283" },
      },
    ],
    robotFacing: true,
  },
  {
    method: "GET",
    path: "/api/blobs/{key}",
    operationId: "getSignedBlob",
    summary: "Download through a signed URL of the embedded default (Range and ETag supported)",
    description:
      "Download links the API hands out (episode files, training data, model files) on the embedded default. On Google Cloud they point at Cloud Storage.",
    area: "episodes",
    auth: ["signed-url"],
    params: blobKey,
    query: ZBlobUrlQuery,
    headers: {
      Range: { description: "One byte range (`bytes=0-1023`): answers 206" },
      "If-None-Match": { description: "The ETag you hold: answers 304 when unchanged" },
    },
    responses: {
      200: {
        contentType: "*/*",
        description: "The object (Content-Type as stored or bound by the URL)",
        headers: { ETag: "The object's version", "Content-Length": "Its size" },
      },
      206: { contentType: "*/*", description: "The requested range" },
      304: "Not modified",
      403: { schema: ZErrorBody, description: "The signature is invalid or expired" },
      404: { schema: ZErrorBody, description: "No such object (`blob_missing`)" },
      416: { schema: ZErrorBody, description: "The range is outside the object (`range_not_satisfiable`)" },
    },
    examples: [
      {
        id: "range",
        title: "The first 64 bytes of an episode file",
        params: { key: `episodes/validated/${robot}/${xrEpisode}/metadata.json` },
        query: { method: "GET", expires: String(expires), sig: archiveSig },
        headers: { Range: "bytes=0-63" },
        status: 206,
        responseText: "<64 bytes>",
        responseHeaders: { "content-range": "bytes 0-63/412" },
      },
    ],
    robotFacing: true,
  },
  {
    method: "HEAD",
    path: "/api/blobs/{key}",
    operationId: "headSignedBlob",
    summary: "Size, type and ETag of an object behind a signed URL",
    area: "episodes",
    auth: ["signed-url"],
    params: blobKey,
    query: ZBlobUrlQuery,
    responses: {
      200: { description: "Headers only", headers: { ETag: "The object's version", "Content-Length": "Its size" } },
      403: "The signature is invalid or expired",
      404: "No such object",
    },
    examples: [
      {
        id: "head",
        title: "Ask for the size of an episode file",
        params: { key: `episodes/validated/${robot}/${xrEpisode}/metadata.json` },
        query: { method: "GET", expires: String(expires), sig: archiveSig },
        status: 200,
        responseHeaders: { etag: '"0d6c2f1e-…"', "accept-ranges": "bytes" },
      },
    ],
    robotFacing: true,
  },
  {
    method: "POST",
    path: "/api/rlds/ingest",
    operationId: "ingestEpisode",
    summary: "Validate an uploaded episode and promote it (or quarantine it)",
    description:
      "Streams the object once, recomputes its SHA-256 and compares it with `checksum`, unpacks it safely, normalizes, validates and indexes it, then promotes it to `episodes/validated/` and queues the TFRecord conversion — or keeps it in quarantine with its reasons. Idempotent: the same object again gets the same answer; other bytes for a validated episode are 409 `checksum_conflict`.",
    area: "episodes",
    auth: ["robot"],
    body: { schema: ZIngestEpisodeInput },
    responses: {
      200: { schema: ZIngestAnswer, description: "The verdict: `validated` or `rejected` with errors and warnings" },
      409: { schema: ZErrorBody, description: "`upload_missing`, `checksum_conflict`, `ingest_in_progress`" },
      503: {
        schema: ZErrorBody,
        description:
          "The attempt failed for a reason other than the episode (`ingest_failed`, with Retry-After); after three the episode is rejected with `ingest_failed`",
      },
    },
    examples: [
      {
        id: "archive",
        title: "Ingest the uploaded archive",
        body: { episode_ref: ref, checksum: EXAMPLE.checksum },
        status: 200,
        response: verdict(episode, "tar.gz", EXAMPLE.checksum, archiveSize),
      },
    ],
    robotFacing: true,
  },
  {
    method: "GET",
    path: "/api/rlds/list",
    operationId: "listRobotEpisodes",
    summary: "Episodes a robot (its own) or a user may see, newest first",
    area: "episodes",
    auth: ["robot", "user"],
    query: ZListEpisodesInput,
    responses: { 200: ZEpisodeListPage },
    examples: [
      {
        id: "validated",
        title: "The robot's validated episodes",
        query: { status: "validated", limit: "1" },
        status: 200,
        response: {
          episodes: [
            {
              episode_id: episode,
              robot_id: robot,
              robot_model: "companion-v1",
              status: "validated",
              created_at: EXAMPLE.time,
              uploaded_at: "2026-06-01T12:00:04.000Z",
              format: "tar.gz",
              variant: "rlds_v1",
              step_count: 1,
              duration_ms: 0,
              quality: 0.48,
              quality_flags: ["short", "incomplete_metadata"],
              training_eligible: false,
              tags: ["autonomous_learning", "curiosity"],
              error_count: 0,
              warning_count: 2,
              first_error: null,
              ingest_state: "done",
              tfrecord_state: "done",
              metadata: {
                duration_ms: 0,
                step_count: 1,
                capabilities: [],
                tags: ["autonomous_learning", "curiosity"],
                xr_mode: "autonomous",
                environment_id: "pi5-dev",
              },
              storage_ref: `episodes/validated/${robot}/${episode}/`,
              checksum: EXAMPLE.checksum,
            },
          ],
          next_cursor: null,
          partial: false,
        },
      },
    ],
    robotFacing: true,
  },
  {
    method: "POST",
    path: "/api/rlds/upload",
    operationId: "uploadXrEpisode",
    summary: "The XR app's upload: a ZIP of the episode directory, ingested at once",
    description:
      "One signed POST with the ZIP as body (its Content-Digest covers it). `X-Continuon-Tag-<name>` headers add metadata the archive lacks (`xr_mode`, `control_role`, `environment_id`, `list` = comma-separated tags).",
    area: "episodes",
    auth: ["robot"],
    query: z.object({ episode_id: z.string().max(200).optional() }),
    headers: {
      "X-Continuon-Episode-Id": { description: "The episode id (else `?episode_id=`, else derived from the digest)" },
      "X-Continuon-Tag-xr_mode": { description: "Any `X-Continuon-Tag-*` header: metadata for the episode" },
    },
    body: { contentType: "application/zip", description: "The episode directory as a ZIP" },
    responses: { 200: ZIngestAnswer },
    examples: [
      {
        id: "zip",
        title: "Upload a ZIP with tags",
        query: { episode_id: xrEpisode },
        headers: { "Content-Type": "application/zip", "X-Continuon-Tag-xr_mode": "trainer" },
        rawBody: "<the episode directory, zipped>",
        status: 200,
        response: {
          ...verdict(xrEpisode, "zip", "sha256:c8e9c012e62cab09932de2032f554ef50bf4109fca1b6e18f728ef0b5312ec92", 684),
        },
      },
    ],
    robotFacing: true,
  },
  {
    method: "PUT",
    path: "/api/rlds/upload/{episodeId}",
    operationId: "putEpisodeUpload",
    summary: "Upload a whole JSON episode document, robot-signed (the Flutter flow)",
    description:
      "May be repeated until the ingest starts (then 409 `upload_closed`); the server ingests `auto_ingest_after_s` after the last PUT. The document is `{metadata, steps: […]}`, validated at ingest (see /docs/formats).",
    area: "episodes",
    auth: ["robot"],
    params: pathParams("episodeId"),
    body: { contentType: "application/json", description: "The episode document `{metadata, steps}`, streamed" },
    responses: { 200: ZEpisodePutAnswer },
    examples: [
      {
        id: "json",
        title: "PUT the episode document",
        params: { episodeId: jsonEpisode },
        headers: { "Content-Type": "application/json" },
        rawBody: '{"metadata": {"episode_id": "ep_kitchen_0002", …}, "steps": [ … ]}',
        status: 200,
        response: { episode_id: jsonEpisode, size_bytes: 8878, puts: 1, ingest_after: "2026-06-01T12:02:00.000Z" },
      },
    ],
    robotFacing: true,
  },
  {
    method: "GET",
    path: "/api/console/episodes",
    operationId: "listEpisodes",
    summary: "Episodes the user may see, filtered, a page at a time",
    area: "episodes",
    auth: ["user"],
    query: ZListEpisodesInput,
    responses: { 200: ZEpisodeListPage },
  },
  {
    method: "GET",
    path: "/api/console/episodes/{episodeId}",
    operationId: "getEpisode",
    summary: "One episode: metadata, stats, validation report, provenance, files, TFRecord state",
    area: "episodes",
    auth: ["user"],
    params: pathParams("episodeId"),
    responses: {
      200: "`{episode_id, episode, episode_ref, robot, provenance, files[], raw, tfrecord, storage, replay_url}` with short-lived download links",
    },
  },
  {
    method: "DELETE",
    path: "/api/console/episodes/{episodeId}",
    operationId: "deleteEpisode",
    summary: "Delete a quarantined episode and its raw upload (audited)",
    area: "episodes",
    auth: ["operator"],
    params: pathParams("episodeId"),
    responses: { 200: "`{deleted: true, blobs}`: how many objects were removed" },
  },
  {
    method: "POST",
    path: "/api/console/episodes/{episodeId}/revalidate",
    operationId: "revalidateEpisode",
    summary: "Re-validate a quarantined episode from its raw upload (audited)",
    area: "episodes",
    auth: ["operator"],
    params: pathParams("episodeId"),
    responses: { 200: ZIngestAnswer },
  },
  {
    method: "GET",
    path: "/api/console/episodes/{episodeId}/replay",
    operationId: "getReplaySummary",
    summary: "Replay summary: steps, clock, chartable fields, frame streams, timeline markers",
    area: "replay",
    auth: ["user"],
    params: replayParams,
    responses: { 200: "The replay summary (`ReplaySummary` of lib/replay/schemas.ts)" },
  },
  {
    method: "GET",
    path: "/api/console/episodes/{episodeId}/replay/steps",
    operationId: "getReplaySteps",
    summary: "Steps [from, to) as stored, with clock and frame ids",
    area: "replay",
    auth: ["user"],
    params: replayParams,
    query: ZReplayStepsQuery,
    responses: { 200: "A step window (`ReplayStepWindow`)" },
  },
  {
    method: "GET",
    path: "/api/console/episodes/{episodeId}/replay/series",
    operationId: "getReplaySeries",
    summary: "Numeric fields in min/max buckets (every step when zoomed in)",
    area: "replay",
    auth: ["user"],
    params: replayParams,
    query: ZReplaySeriesQuery,
    responses: { 200: "The series (`ReplaySeriesAnswer`)" },
  },
  {
    method: "GET",
    path: "/api/console/episodes/{episodeId}/replay/frames",
    operationId: "getReplayFrame",
    summary: "One camera frame (ETag, Range; a signed URL redirect in the cloud)",
    area: "replay",
    auth: ["user"],
    params: replayParams,
    query: ZReplayFrameQuery,
    responses: {
      200: { contentType: "image/jpeg", description: "The frame's bytes (its stored type)" },
      206: { contentType: "image/jpeg", description: "A range of them" },
      302: "On Google Cloud: a redirect to a short-lived signed URL",
      304: "Not modified",
      416: { schema: ZErrorBody, description: "The range is outside the frame" },
    },
  },
  {
    method: "GET",
    path: "/api/console/episodes/{episodeId}/replay/frames/pack",
    operationId: "getReplayFramePack",
    summary: "The frames of steps [from, to) of one stream in one answer",
    description:
      "Query: `stream` (default: the first stream with frames), `from` and `to` (step indexes). The body is a 4-byte little-endian header length, the JSON header `{episode_id, stream, from, to, frames: [{id, steps, offset, length, content_type}]}`, then the frames' bytes; `to` may be less than asked when the pack reached its size cap.",
    area: "replay",
    auth: ["user"],
    params: replayParams,
    responses: { 200: { contentType: "application/vnd.continuon.frame-pack", description: "The frame pack" } },
  },
];
