import { z } from "zod";
import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { createId } from "@/lib/ids";
import { bundleIdFor } from "@/lib/ota/build-bundle";
import { requireRobot, requireRobotSelf } from "@/lib/robots/access";
import { Robots } from "@/lib/robots/schemas";
import { contentTypeOf } from "@/lib/rlds/episode-assembler";
import { DEFAULT_LIMITS } from "@/lib/rlds/limits";
import { checkDeclaredFiles } from "@/lib/rlds/process-episode-files";
import { parseInput } from "@/lib/validation";
import { assertEpisodeId, episodeRef, isEpisodeId, rawUploadKey } from "./episode-keys";
import { assertUploadFits } from "./robot-storage";
import { Episodes, ZDeclaredFile, ZUploadFormat, type Episode, type EpisodeUpload, type UploadFormat } from "./schemas";

/** Upload URLs live one hour at most (PRODUCT.md §6.2). */
export const UPLOAD_URL_TTL_S = 3600;
/**
 * The largest `size_bytes` a request may declare at all; what an upload may really take is the
 * per-episode cap (`EPISODE_MAX_BYTES`, at most this) and the robot's quota.
 */
export const MAX_UPLOAD_BYTES = DEFAULT_LIMITS.maxObjectBytes;
/** URLs one `files` request may ask for. */
export const MAX_UPLOAD_FILES = 5000;

export const UPLOAD_CONTENT_TYPES: Record<Exclude<UploadFormat, "files">, string> = {
  "tar.gz": "application/gzip",
  zip: "application/zip",
  json: "application/json",
  // Plain or gzip-compressed: the ingest tells them apart by their first bytes.
  tfrecord: "application/octet-stream",
};

const sha256Hex = z
  .string()
  .transform((value) =>
    value
      .trim()
      .toLowerCase()
      .replace(/^sha256:/, ""),
  )
  .pipe(z.string().regex(/^[0-9a-f]{64}$/, "must be a SHA-256: 64 hex digits, optionally prefixed sha256:"));

export const ZRequestEpisodeUploadInput = z.object({
  robot_id: z.string().max(64).optional(),
  episode_id: z.string().max(200).optional(),
  metadata: z
    .object({
      duration_ms: z.number().nonnegative().optional(),
      step_count: z.number().int().nonnegative().optional(),
    })
    .loose()
    .default({}),
  format: ZUploadFormat.optional(),
  /** For `files`: every file of the episode directory, with its size and SHA-256. */
  files: z
    .array(ZDeclaredFile.extend({ sha256: sha256Hex }))
    .max(MAX_UPLOAD_FILES)
    .optional(),
  /** The exact size of the archive, when known: the URL then takes nothing larger. */
  size_bytes: z.number().int().positive().max(MAX_UPLOAD_BYTES).optional(),
});
export type RequestEpisodeUploadInput = z.input<typeof ZRequestEpisodeUploadInput>;

export interface UploadTarget {
  path?: string;
  upload_url: string;
  method: "PUT";
  headers: Record<string, string>;
  max_size_bytes: number;
}

export interface EpisodeUploadGrant {
  episode_id: string;
  episode_ref: string;
  format: UploadFormat;
  /** Where to PUT the archive or JSON document (null for `files`: see `uploads`). */
  upload_url: string | null;
  method: "PUT";
  headers: Record<string, string>;
  max_size_bytes: number | null;
  expires_at: string | null;
  uploads: UploadTarget[];
  /** Where to ask for validation once the upload is complete. */
  ingest_url: string;
  /** Direct uploads (the Flutter flow) are ingested by the server this long after the last PUT. */
  auto_ingest_after_s: number | null;
}

/**
 * `POST /api/rlds/signed-url` — a robot asks to upload an episode. Creates (or refreshes) the
 * `rlds_episodes` document in status `raw` with the ingest state `awaiting_upload`, and answers
 * upload URLs scoped to `episodes/raw/{robot_id}/{episode_id}/…`: one archive (`tar.gz` default,
 * `zip`, `json`) or one URL per declared file (`files`). URLs expire within an hour, bind the
 * content type and a maximum size, and may be PUT again until the episode is ingested.
 *
 * The Flutter app's shape — `{metadata}` without an `episode_id` — gets an id (the metadata's
 * `episode_id` when valid, else a new one) and a robot-signed upload route of this server instead
 * of a storage URL, because that app never calls ingest: the server ingests once its PUTs stop.
 *
 * A robot may ask only for itself (`robot_mismatch`); an id another robot uses is `conflict` /
 * `episode_id_taken`; a validated episode cannot be uploaded again (`episode_already_validated`);
 * while an ingest runs, `ingest_in_progress`.
 */
export async function requestEpisodeUpload(ctx: Ctx, raw: unknown): Promise<EpisodeUploadGrant> {
  const signer = requireRobot(ctx);
  const input = parseInput(ZRequestEpisodeUploadInput, raw, "body");
  const robotId = input.robot_id ?? signer.deviceId;
  requireRobotSelf(ctx, robotId, "robot_id");
  const direct = input.episode_id === undefined;
  const fromMetadata = input.metadata.episode_id;
  const episodeId = direct
    ? isEpisodeId(fromMetadata)
      ? fromMetadata
      : createId("ep", ctx.now())
    : assertEpisodeId(input.episode_id);
  const format: UploadFormat = direct ? "json" : (input.format ?? (input.files ? "files" : "tar.gz"));
  if (format === "files") {
    if (!input.files || input.files.length === 0) {
      throw new DomainError("invalid", "Invalid body: files: a files upload lists at least one file.", {
        reason: "invalid_input",
      });
    }
    checkDeclaredFiles(input.files);
  } else if (input.files) {
    throw new DomainError("invalid", `Invalid body: files: only a "files" upload lists files (format is ${format}).`, {
      reason: "invalid_input",
    });
  }

  const robot = await ctx.db.require(Robots, robotId, "Robot");
  const now = ctx.now();
  const nowIso = now.toISOString();
  const rawKey = rawUploadKey(robotId, episodeId, format);
  const contentType = format === "files" ? "multipart/mixed" : UPLOAD_CONTENT_TYPES[format];
  // Without a declared size an upload URL takes up to the per-episode cap; either way the robot's
  // quota must hold it (stored episodes + open URLs + this one).
  const maxSize =
    format === "files"
      ? (input.files ?? []).reduce((sum, file) => sum + file.size_bytes, 0)
      : (input.size_bytes ?? ctx.config.episodeMaxBytes);
  await assertUploadFits(ctx, robotId, episodeId, maxSize);
  const expiresAt = new Date(now.getTime() + UPLOAD_URL_TTL_S * 1000).toISOString();
  const upload: EpisodeUpload = {
    format,
    via: direct ? "direct_put" : "signed_url",
    raw_key: rawKey,
    claimed_key: null,
    content_type: contentType,
    max_size_bytes: maxSize,
    files: format === "files" ? (input.files ?? []) : [],
    declared: { step_count: input.metadata.step_count ?? null, duration_ms: input.metadata.duration_ms ?? null },
    requested_at: nowIso,
    expires_at: direct ? null : expiresAt,
    last_put_at: null,
    puts: 0,
    auto_ingest: direct,
    declared_tags: {},
  };
  await openEpisodeUpload(ctx, episodeId, robotId, upload, {
    robot_model: robot.data.model,
    produced_by_bundle: robot.data.current_bundle ? bundleIdFor(robot.data.model, robot.data.current_bundle) : null,
    tags: Array.isArray(input.metadata.tags)
      ? input.metadata.tags.filter((tag): tag is string => typeof tag === "string")
      : [],
  });

  const grant: EpisodeUploadGrant = {
    episode_id: episodeId,
    episode_ref: episodeRef(robotId, episodeId),
    format,
    upload_url: null,
    method: "PUT",
    headers: {},
    max_size_bytes: format === "files" ? null : maxSize,
    expires_at: direct ? null : expiresAt,
    uploads: [],
    ingest_url: `${ctx.config.publicUrl}/api/rlds/ingest`,
    auto_ingest_after_s: direct ? ctx.config.ingestSettleS : null,
  };
  if (direct) {
    grant.upload_url = `${ctx.config.publicUrl}/api/rlds/upload/${episodeId}`;
    grant.headers = { "content-type": contentType };
  } else if (format === "files") {
    for (const file of input.files ?? []) {
      const signed = await ctx.blobs.signUrl({
        key: `${rawKey}${file.path}`,
        method: "PUT",
        contentType: contentTypeOf(file.path),
        maxSizeBytes: file.size_bytes,
        expiresInS: UPLOAD_URL_TTL_S,
      });
      grant.uploads.push({
        path: file.path,
        upload_url: signed.url,
        method: "PUT",
        headers: signed.headers,
        max_size_bytes: file.size_bytes,
      });
      grant.expires_at = signed.expiresAt;
    }
  } else {
    const signed = await ctx.blobs.signUrl({
      key: rawKey,
      method: "PUT",
      contentType,
      maxSizeBytes: maxSize,
      expiresInS: UPLOAD_URL_TTL_S,
    });
    grant.upload_url = signed.url;
    grant.headers = signed.headers;
    grant.expires_at = signed.expiresAt;
  }
  return grant;
}

/**
 * Create the episode document in `raw` / `awaiting_upload`, or point an existing one of the same
 * robot at a new upload (before it is validated). Shared by every upload route.
 */
export async function openEpisodeUpload(
  ctx: Ctx,
  episodeId: string,
  robotId: string,
  upload: EpisodeUpload,
  facts: { robot_model: string | null; produced_by_bundle: string | null; tags: string[] },
): Promise<Episode> {
  const nowIso = ctx.now().toISOString();
  return ctx.db.transaction(async (tx) => {
    const existing = await tx.get(Episodes, episodeId);
    if (existing) {
      const episode = existing.data;
      if (episode.robot_id !== robotId) {
        throw new DomainError(
          "conflict",
          `Episode id ${episodeId} is already used by another robot; choose another id.`,
          {
            reason: "episode_id_taken",
          },
        );
      }
      const state = episode.ingest?.state ?? "done";
      if (state === "processing" || state === "promoting") {
        throw new DomainError("conflict", `Episode ${episodeId} is being ingested; retry when it is done.`, {
          reason: "ingest_in_progress",
          retryAfterS: 5,
        });
      }
      if (episode.status !== "raw" && episode.status !== "rejected") {
        throw new DomainError(
          "conflict",
          `Episode ${episodeId} is already ${episode.status}; a validated episode is never replaced. Upload under a new episode id.`,
          { reason: "episode_already_validated" },
        );
      }
      const ingest = {
        ...(episode.ingest ?? { attempt: 0, holder: null, lease_expires_at: null, staging_prefix: null }),
        state: "awaiting_upload" as const,
        requested_checksum: null,
        result: null,
        last_error: null,
        failures: 0,
        requested_by: null,
        updated_at: nowIso,
      };
      tx.update(Episodes, episodeId, {
        upload,
        ingest,
        format: upload.format,
        raw_ref: episodeRef(robotId, episodeId),
      });
      return { ...episode, upload, ingest };
    }
    const episode: Episode = {
      robot_id: robotId,
      robot_model: facts.robot_model,
      status: "raw",
      created_at: nowIso,
      uploaded_at: null,
      metadata: {
        duration_ms: upload.declared.duration_ms,
        step_count: upload.declared.step_count,
        capabilities: [],
        tags: facts.tags.slice(0, 64),
      },
      storage_ref: null,
      training_job_id: null,
      contributed_to_models: [],
      checksum: null,
      size_bytes: null,
      format: upload.format,
      schema_variant: null,
      validation: { errors: [], warnings: [] },
      training_eligible: false,
      quality: null,
      stats: null,
      produced_by_bundle: facts.produced_by_bundle,
      tfrecord_ref: null,
      device_signature: null,
      upload,
      ingest: {
        state: "awaiting_upload",
        attempt: 0,
        holder: null,
        lease_expires_at: null,
        staging_prefix: null,
        requested_checksum: null,
        result: null,
        last_error: null,
        failures: 0,
        requested_by: null,
        updated_at: nowIso,
      },
      raw_ref: episodeRef(robotId, episodeId),
    };
    tx.create(Episodes, episodeId, episode);
    return episode;
  });
}
