import { z } from "zod";
import { ISSUE_CODES, type IssueCode } from "@/lib/rlds/issue-codes";

/**
 * The canonical step: one line of the canonical `steps.jsonl`, whatever variant the robot sent.
 *
 * ```jsonc
 * {
 *   "is_first": true,             // added when the source lacks it: true on the first step only
 *   "reward": 0,                  // added as 0 when the source lacks it
 *   "is_terminal": false,         // added as false when the source lacks it
 *   "observation": { … },         // any JSON object, kept byte for byte (XR camelCase keys → snake_case)
 *   "action": { … },              // any JSON object, same
 *   "discount": 1.0,              // optional, kept when present
 *   "step_metadata": { "k": "v" }, // optional string map, kept when present
 *   "timestamp_us": 1765…,        // v2.0 only, kept as sent
 *   "step_idx": 12,               // v2.0 only, kept as sent
 *   "is_truncated": false,        // v2.0 only, kept as sent
 *   "info": { … },                // v2.0 only, kept as sent; any other top-level member is kept too
 *   "is_last": false              // added when the source lacks it: true on the last step only
 * }
 * ```
 *
 * Why this shape: the canonical line is the source text of the step with the missing canonical
 * members spliced around it, never a re-serialization. Numbers therefore keep their exact lexemes
 * (`0.0` stays `0.0`, a 19-digit `timestamp_nanos` is not rounded to a double), which the replay
 * view shows and the TFRecord converter needs to write the same bytes as the robot runtime's
 * Python converter. Derived members go first, except `is_last`, which goes last: whether a step
 * is the last one is known only when the next one arrives (or the input ends), and writing the
 * head of a step before knowing it keeps one step, not the episode, in memory. Single-JSON
 * episodes are minified (whitespace outside strings removed) so each step fits one line.
 *
 * The position of a line in `steps.jsonl` is the step index (0-based); `step_idx` is the robot's
 * own numbering and may have gaps. Timestamps are left where the robot put them; the replay index
 * holds one normalized clock per step (see `replay-index/format.ts`).
 */
export const ZCanonicalStep = z
  .object({
    is_first: z.boolean(),
    is_last: z.boolean(),
    reward: z.number(),
    is_terminal: z.boolean(),
    observation: z.record(z.string(), z.unknown()),
    action: z.record(z.string(), z.unknown()),
    discount: z.number().optional(),
    step_metadata: z.record(z.string(), z.unknown()).optional(),
    timestamp_us: z.number().optional(),
    step_idx: z.number().optional(),
    is_truncated: z.boolean().optional(),
  })
  .loose();
export type CanonicalStep = z.infer<typeof ZCanonicalStep>;

/**
 * The variant an episode arrived in, recorded on the episode:
 * - `rlds_v1`: directory with `metadata.json` + `steps.jsonl` or `steps/NNNNNN.jsonl` (schema 1.0/1.1)
 * - `rlds_v2`: the same directory in the v2.0 unified schema (`schema_version: "2.0"`, `step_idx`, `timestamp_us`)
 * - `single_json`: one JSON document `{metadata, steps: […]}`
 * - `flutter_record`: a single-JSON episode from the Flutter app (`assets[]`, `task_classification`, `source_context`)
 * - `xr_app`: the XR app's directory with camelCase keys
 * - `robot_package`: the runtime's `<episode_id>/episode.json` + `upload_manifest.json` archive
 * - `tfrecord`: one `tf.train.Example` per step, plain or gzip-compressed (the runtime's converter, training datasets)
 */
export const VARIANTS = [
  "rlds_v1",
  "rlds_v2",
  "single_json",
  "flutter_record",
  "xr_app",
  "robot_package",
  "tfrecord",
] as const;
export const ZVariant = z.enum(VARIANTS);
export type Variant = z.infer<typeof ZVariant>;

/** Container formats the pipeline reads. `auto` sniffs the first bytes. */
export const EPISODE_FORMATS = ["tar.gz", "tar", "zip", "json", "tfrecord", "tfrecord.gz", "auto"] as const;
export const ZEpisodeFormat = z.enum(EPISODE_FORMATS);
export type EpisodeFormat = z.infer<typeof ZEpisodeFormat>;

const issueCodes = Object.keys(ISSUE_CODES) as [IssueCode, ...IssueCode[]];

/** One finding. `step` is the 0-based step index, `line` the 1-based line in `file`. */
export const ZIssue = z.object({
  code: z.enum(issueCodes),
  message: z.string(),
  step: z.number().int().nonnegative().optional(),
  field: z.string().optional(),
  line: z.number().int().positive().optional(),
  file: z.string().optional(),
});
export type Issue = z.infer<typeof ZIssue>;

/** What the robot said about the episode when it asked for the upload URL (all optional). */
export const ZDeclaredMetadata = z
  .object({
    step_count: z.number().int().nonnegative().optional(),
    duration_ms: z.number().nonnegative().optional(),
  })
  .loose();
export type DeclaredMetadata = z.infer<typeof ZDeclaredMetadata>;

export const ZEpisodeStats = z.object({
  step_count: z.number().int().nonnegative(),
  /** Last step time minus first step time; 0 without a clock. */
  duration_ms: z.number().nonnegative(),
  /** Length of `action.command` when it is a numeric array, else the number of numeric action fields. */
  action_dim: z.number().int().nonnegative(),
  /** Top-level keys of the first step's observation, sorted. */
  observation_keys: z.array(z.string()),
  reward_sum: z.number(),
});
export type EpisodeStats = z.infer<typeof ZEpisodeStats>;

export const QUALITY_FLAGS = [
  "short",
  "gaps",
  "frozen_signals",
  "action_jerk",
  "clock_skew",
  "incomplete_metadata",
  "no_timestamps",
] as const;
export const ZQualityFlag = z.enum(QUALITY_FLAGS);
export type QualityFlag = z.infer<typeof ZQualityFlag>;

export const ZQuality = z.object({ score: z.number().min(0).max(1), flags: z.array(ZQualityFlag) });
export type Quality = z.infer<typeof ZQuality>;

export const ZWrittenFile = z.object({
  path: z.string(),
  size_bytes: z.number().int().nonnegative(),
  content_type: z.string(),
});
export type WrittenFile = z.infer<typeof ZWrittenFile>;

/** The outcome of `processEpisode`, stored on the episode document and returned by ingest. */
export const ZEpisodeVerdict = z.object({
  status: z.enum(["validated", "rejected"]),
  variant: ZVariant.nullable(),
  /** The container read; `files` for an episode uploaded one file per URL (`processEpisodeFiles`). */
  format: z.enum(["tar.gz", "tar", "zip", "json", "tfrecord", "tfrecord.gz", "files"]).nullable(),
  schema_version: z.string().nullable(),
  /** `sha256:<hex>` of the object exactly as read; null when it was abandoned (larger than allowed). */
  checksum: z.string().nullable(),
  size_bytes: z.number().int().nonnegative(),
  errors: z.array(ZIssue),
  warnings: z.array(ZIssue),
  /** How many issues of each code were found, including those not recorded past `maxIssues`. */
  issue_counts: z.record(z.string(), z.number().int()),
  issues_truncated: z.boolean(),
  stats: ZEpisodeStats,
  quality: ZQuality,
  training_eligible: z.boolean(),
  /** The canonical metadata as written to `metadata.json`. */
  metadata: z.record(z.string(), z.unknown()),
  /** Files written to the output sink: canonical layout, replay index, then blobs (the first 2000 by path; all are in `index/blobs.tsv`). */
  files: z.array(ZWrittenFile),
  /** Blobs copied to `blobs/` (listed one per line in `index/blobs.tsv`). */
  blobs: z.object({ count: z.number().int().nonnegative(), bytes: z.number().int().nonnegative() }),
});
export type EpisodeVerdict = z.infer<typeof ZEpisodeVerdict>;
