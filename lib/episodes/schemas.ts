import { z } from "zod";
import { defineCollection } from "@/lib/storage/typed";

/**
 * `rlds_episodes/{episode_id}` — PRODUCT.md §4. The seed's fields keep their names; the rest are
 * additions. Lifecycle: raw (upload pending or uploaded) → validated | rejected (quarantine);
 * validated → training (in a job) → trained (a model came out of it).
 */
export const ZEpisodeStatus = z.enum(["raw", "validated", "rejected", "training", "trained"]);
export type EpisodeStatus = z.infer<typeof ZEpisodeStatus>;

export const ZValidationIssue = z.object({
  code: z.string(),
  message: z.string(),
  step: z.number().int().nullable().default(null),
  field: z.string().nullable().default(null),
  line: z.number().int().nullable().default(null),
  /** The file of the upload the issue is in (`steps/000000.jsonl`), when it is about one. */
  file: z.string().nullable().optional(),
});
export type ValidationIssue = z.infer<typeof ZValidationIssue>;

/** Upload formats a robot may ask for (PRODUCT.md §6.2). */
export const UPLOAD_FORMATS = ["tar.gz", "zip", "json", "tfrecord", "files"] as const;
export const ZUploadFormat = z.enum(UPLOAD_FORMATS);
export type UploadFormat = z.infer<typeof ZUploadFormat>;

export const ZDeclaredFile = z.object({
  path: z.string(),
  size_bytes: z.number().int().nonnegative(),
  sha256: z.string(),
});
export type DeclaredFile = z.infer<typeof ZDeclaredFile>;

/** How an episode's bytes come in. */
export const ZEpisodeUpload = z.object({
  format: ZUploadFormat,
  /** `signed_url` (the robot API), `xr_zip` (the XR app's POST), `direct_put` (robot-signed PUTs, the Flutter flow). */
  via: z.enum(["signed_url", "xr_zip", "direct_put"]),
  /** The raw object (archive or JSON), or the folder of a `files` upload. */
  raw_key: z.string(),
  /**
   * Where ingest moved the raw upload when it claimed it (`…/ingested/…`), or null before: from
   * then on the upload URLs (which address `raw_key`) can no longer change what was ingested.
   */
  claimed_key: z.string().nullable().default(null),
  content_type: z.string(),
  max_size_bytes: z.number().int().positive(),
  /** The files of a `files` upload, as declared. */
  files: z.array(ZDeclaredFile).default([]),
  /** What the robot declared (`metadata` of the signed-url request), compared with the content at ingest. */
  declared: z.object({ step_count: z.number().int().nullable(), duration_ms: z.number().nullable() }),
  requested_at: z.string(),
  expires_at: z.string().nullable(),
  /** Last time bytes arrived through a server route (direct PUT, XR POST). */
  last_put_at: z.string().nullable().default(null),
  puts: z.number().int().default(0),
  /** The server ingests by itself once PUTs stop for `ingestSettleS` (clients that never call ingest). */
  auto_ingest: z.boolean().default(false),
  /** `X-Continuon-Tag-*` headers of an XR upload (`xr_mode`, `control_role`, `environment_id`, `list`). */
  declared_tags: z.record(z.string(), z.string()).default({}),
});
export type EpisodeUpload = z.infer<typeof ZEpisodeUpload>;

export const INGEST_STATES = ["awaiting_upload", "processing", "promoting", "done"] as const;

/** The document fields a verdict sets, kept under `ingest.result` while promoting. */
export const ZIngestResult = z.object({
  status: z.enum(["validated", "rejected"]),
  checksum: z.string().nullable(),
  size_bytes: z.number().int().nullable(),
  schema_variant: z.string().nullable(),
  schema_version: z.string().nullable(),
  validation: z.object({ errors: z.array(ZValidationIssue), warnings: z.array(ZValidationIssue) }),
  issue_counts: z.record(z.string(), z.number().int()),
  issues_truncated: z.boolean(),
  training_eligible: z.boolean(),
  quality: z.object({ score: z.number().min(0).max(1), flags: z.array(z.string()) }),
  stats: z.object({
    step_count: z.number().int(),
    duration_ms: z.number().nullable(),
    action_dim: z.number().int().nullable(),
    observation_keys: z.array(z.string()),
    reward_sum: z.number(),
  }),
  metadata: z.record(z.string(), z.unknown()),
  blobs: z.object({ count: z.number().int(), bytes: z.number() }),
  files: z.array(z.object({ path: z.string(), size_bytes: z.number(), content_type: z.string() })),
});
export type IngestResult = z.infer<typeof ZIngestResult>;

/**
 * The ingest state machine, one small map on the episode document (`lib/episodes/ingest-state.ts`
 * explains the transitions and why a crash at any point leaves the old or the new state).
 */
export const ZIngestState = z.object({
  state: z.enum(INGEST_STATES),
  /** Attempts started (each gets its own staging prefix). */
  attempt: z.number().int().default(0),
  /** The attempt holding the processing lease, and until when (renewed while it works). */
  holder: z.string().nullable().default(null),
  lease_expires_at: z.string().nullable().default(null),
  /** Where the attempt writes before promotion; null once cleaned up. */
  staging_prefix: z.string().nullable().default(null),
  /** The checksum the ingest was asked for (`sha256:<hex>`), null when the server ingests by itself. */
  requested_checksum: z.string().nullable().default(null),
  /** The verdict waiting to be applied by the promotion. */
  result: ZIngestResult.nullable().default(null),
  /** Why the last attempt failed for a reason other than the episode (a store error), if it did. */
  last_error: z.string().nullable().default(null),
  /**
   * Attempts since the last verdict that failed or stopped without finishing (a throw, a crash).
   * At `MAX_INGEST_FAILURES` the episode is quarantined with `ingest_failed` instead of retried.
   */
  failures: z.number().int().nonnegative().default(0),
  /** Who started the last attempt: the robot, an operator (re-validate), or the server (auto-ingest, sweep). */
  requested_by: z.string().nullable().default(null),
  updated_at: z.string(),
});
export type IngestState = z.infer<typeof ZIngestState>;

export const ZTfrecordState = z.object({
  state: z.enum(["queued", "converting", "done", "failed"]),
  records: z.number().int().nullable().default(null),
  bytes: z.number().int().nullable().default(null),
  attempts: z.number().int().default(0),
  error: z.string().nullable().default(null),
  updated_at: z.string(),
});
export type TfrecordState = z.infer<typeof ZTfrecordState>;

export const ZEpisode = z.object({
  robot_id: z.string(),
  /** Denormalized from the registry at upload, for fleet-wide filters. */
  robot_model: z.string().nullable().default(null),
  status: ZEpisodeStatus,
  created_at: z.string(),
  /** When the uploaded object was ingested (the seed's `uploaded_at`). */
  uploaded_at: z.string().nullable().default(null),
  metadata: z
    .object({
      duration_ms: z.number().nullable().default(null),
      step_count: z.number().int().nullable().default(null),
      capabilities: z.array(z.string()).default([]),
      tags: z.array(z.string()).default([]),
    })
    .catchall(z.unknown()),
  storage_ref: z.string().nullable().default(null),
  training_job_id: z.string().nullable().default(null),
  contributed_to_models: z.array(z.string()).default([]),
  checksum: z.string().nullable().default(null),
  size_bytes: z.number().int().nullable().default(null),
  format: z.enum(["tar.gz", "zip", "json", "tfrecord", "files"]).default("tar.gz"),
  schema_variant: z.string().nullable().default(null),
  validation: z
    .object({ errors: z.array(ZValidationIssue).default([]), warnings: z.array(ZValidationIssue).default([]) })
    .default({ errors: [], warnings: [] }),
  training_eligible: z.boolean().default(false),
  quality: z
    .object({ score: z.number().min(0).max(1), flags: z.array(z.string()) })
    .nullable()
    .default(null),
  stats: z
    .object({
      step_count: z.number().int(),
      duration_ms: z.number().nullable(),
      action_dim: z.number().int().nullable(),
      observation_keys: z.array(z.string()),
      reward_sum: z.number(),
    })
    .nullable()
    .default(null),
  produced_by_bundle: z.string().nullable().default(null),
  tfrecord_ref: z.string().nullable().default(null),
  device_signature: z.string().nullable().default(null),
  // ---- ingestion (lib/episodes); optional so documents written before these fields still parse
  /** What the robot asked to upload and how (set at signed-url time). */
  upload: ZEpisodeUpload.optional(),
  /** The ingest state machine (see `lib/episodes/ingest-state.ts`). */
  ingest: ZIngestState.optional(),
  /** `episodes/raw/{robot_id}/{episode_id}` (the seed's `episode_ref`). */
  raw_ref: z.string().nullable().optional(),
  schema_version: z.string().nullable().optional(),
  /** Issues of each code found at ingest, including those past the recorded cap. */
  issue_counts: z.record(z.string(), z.number().int()).optional(),
  issues_truncated: z.boolean().optional(),
  /** Camera frames and other blobs copied to `blobs/`. */
  blobs: z.object({ count: z.number().int(), bytes: z.number() }).optional(),
  /** Canonical and index files under `storage_ref` (blobs are listed in `index/blobs.tsv`). */
  files: z.array(z.object({ path: z.string(), size_bytes: z.number(), content_type: z.string() })).optional(),
  /** When the last ingest reached its verdict. */
  verdict_at: z.string().nullable().optional(),
  /** When the device-signed manifest (`device_signature`) was verified against the robot's key. */
  device_signature_verified_at: z.string().nullable().optional(),
  /** TFRecord conversion (background work item `tfrecord_{episode_id}`). */
  tfrecord: ZTfrecordState.optional(),
});
export type Episode = z.infer<typeof ZEpisode>;
export const Episodes = defineCollection("rlds_episodes", ZEpisode);

// ── Answers (what the verbs return; the API reference and its tests use these) ──────────────────

const ZEpisodeStats = ZEpisode.shape.stats.unwrap().unwrap();

/** `UploadTarget` (request-episode-upload.ts): one URL to PUT to. */
export const ZUploadTarget = z.object({
  path: z.string().optional(),
  upload_url: z.string(),
  method: z.literal("PUT"),
  headers: z.record(z.string(), z.string()),
  max_size_bytes: z.number().int(),
});

/** `EpisodeUploadGrant` (request-episode-upload.ts): the answer of `POST /api/rlds/signed-url`. */
export const ZEpisodeUploadGrant = z.object({
  episode_id: z.string(),
  episode_ref: z.string(),
  format: ZUploadFormat,
  upload_url: z.string().nullable(),
  method: z.literal("PUT"),
  headers: z.record(z.string(), z.string()),
  max_size_bytes: z.number().int().nullable(),
  expires_at: z.string().nullable(),
  uploads: z.array(ZUploadTarget),
  ingest_url: z.string(),
  auto_ingest_after_s: z.number().nullable(),
});

/** `IngestAnswer` (views.ts): the verdict `POST /api/rlds/ingest` and the upload routes answer. */
export const ZIngestAnswer = z.object({
  status: z.enum(["validated", "rejected"]),
  episode_id: z.string(),
  training_eligible: z.boolean(),
  episode_ref: z.string(),
  robot_id: z.string(),
  checksum: z.string().nullable(),
  size_bytes: z.number().int().nullable(),
  format: z.string(),
  variant: z.string().nullable(),
  quality: z.object({ score: z.number(), flags: z.array(z.string()) }).nullable(),
  stats: ZEpisodeStats.nullable(),
  errors: z.array(ZValidationIssue),
  warnings: z.array(ZValidationIssue),
  issue_counts: z.record(z.string(), z.number().int()),
  storage_ref: z.string().nullable(),
  device_signature_verified: z.boolean(),
});

/** `putEpisodeUpload`'s answer (`PUT /api/rlds/upload/{episode_id}`). */
export const ZEpisodePutAnswer = z.object({
  episode_id: z.string(),
  size_bytes: z.number().int(),
  puts: z.number().int(),
  ingest_after: z.string().nullable(),
});

/** `EpisodeSummary` (views.ts): one row of an episode list. */
export const ZEpisodeSummary = z.object({
  episode_id: z.string(),
  robot_id: z.string(),
  robot_model: z.string().nullable(),
  status: ZEpisodeStatus,
  created_at: z.string(),
  uploaded_at: z.string().nullable(),
  format: z.string(),
  variant: z.string().nullable(),
  step_count: z.number().int().nullable(),
  duration_ms: z.number().nullable(),
  quality: z.number().nullable(),
  quality_flags: z.array(z.string()),
  training_eligible: z.boolean(),
  tags: z.array(z.string()),
  error_count: z.number().int(),
  warning_count: z.number().int(),
  first_error: ZValidationIssue.nullable(),
  ingest_state: z.string(),
  tfrecord_state: z.string().nullable(),
  metadata: ZEpisode.shape.metadata,
  storage_ref: z.string().nullable(),
  checksum: z.string().nullable(),
});

/** `EpisodeListPage` (list-episodes.ts): a page of episodes, newest first. */
export const ZEpisodeListPage = z.object({
  episodes: z.array(ZEpisodeSummary),
  next_cursor: z.string().nullable(),
  partial: z.boolean(),
});
