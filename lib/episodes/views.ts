import { ISSUE_CODES, isIssueCode } from "@/lib/rlds/issue-codes";
import type { EpisodeVerdict, Issue } from "@/lib/rlds/schemas";
import { episodeRef } from "./episode-keys";
import type { Episode, IngestResult, ValidationIssue } from "./schemas";

/** Metadata members copied to the episode document (the rest stays in the canonical `metadata.json`). */
const KEPT_METADATA = [
  "schema_version",
  "episode_id",
  "robot_id",
  "robot_model",
  "xr_mode",
  "control_role",
  "environment_id",
  "software",
  "frame_convention",
  "start_time_unix_ms",
  "source",
  "domain",
  "session_id",
  "success",
  "total_reward",
  "start_time",
  "end_time",
  "duration_s",
  "num_steps",
  "task_classification",
  "source_context",
  "safety",
  "provenance",
] as const;
const MAX_MEMBER_BYTES = 2048;
const MAX_METADATA_BYTES = 24 * 1024;

function strings(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === "string").slice(0, 64);
  if (typeof value === "object" && value !== null) return Object.keys(value).slice(0, 64);
  return [];
}

/**
 * The part of an episode's metadata kept on its document. A Firestore document holds at most
 * 1 MiB and Flutter records carry `assets[]` lists of any length, so only known, small members are
 * kept (each at most 2 KiB, all together at most 24 KiB); `owner` is personal data and never
 * copied; `assets` and `upload_manifest` are summarized. The canonical `metadata.json` keeps all.
 */
export function summarizeMetadata(
  metadata: Record<string, unknown>,
  stats: { step_count: number; duration_ms: number | null },
  headerTags: Record<string, string> = {},
): Episode["metadata"] {
  const out: Episode["metadata"] = {
    duration_ms: stats.duration_ms,
    step_count: stats.step_count,
    capabilities: strings(metadata.capabilities),
    tags: strings(metadata.tags),
  };
  let size = JSON.stringify(out).length;
  for (const key of KEPT_METADATA) {
    const value = metadata[key];
    if (value === undefined) continue;
    const bytes = JSON.stringify(value)?.length ?? 0;
    if (bytes > MAX_MEMBER_BYTES || size + bytes > MAX_METADATA_BYTES) continue;
    out[key] = value;
    size += bytes + key.length;
  }
  if (Array.isArray(metadata.assets)) out.assets_count = metadata.assets.length;
  const manifest = metadata.upload_manifest;
  if (typeof manifest === "object" && manifest !== null) {
    const m = manifest as Record<string, unknown>;
    out.upload_manifest = {
      version: m.version ?? null,
      total_steps: m.total_steps ?? null,
      robot_type: m.robot_type ?? null,
      action_source: m.action_source ?? null,
      files:
        typeof m.file_checksums === "object" && m.file_checksums !== null ? Object.keys(m.file_checksums).length : 0,
    };
  }
  // What the XR app sends as X-Continuon-Tag-* headers fills what the metadata lacks.
  for (const [key, value] of Object.entries(headerTags)) {
    if (key === "list") {
      for (const tag of value
        .split(",")
        .map((t) => t.trim())
        .filter(Boolean)) {
        if (!out.tags.includes(tag) && out.tags.length < 64) out.tags.push(tag);
      }
    } else if (out[key] === undefined) {
      out[key] = value;
    }
  }
  return out;
}

export function toValidationIssue(issue: Issue): ValidationIssue {
  return {
    code: issue.code,
    message: issue.message,
    step: issue.step ?? null,
    field: issue.field ?? null,
    line: issue.line ?? null,
    file: issue.file ?? null,
  };
}

/** The document fields a verdict sets (applied when the ingest reaches `done`). */
export function toIngestResult(verdict: EpisodeVerdict, headerTags: Record<string, string> = {}): IngestResult {
  const stats = {
    step_count: verdict.stats.step_count,
    duration_ms: verdict.stats.duration_ms,
    action_dim: verdict.stats.action_dim,
    observation_keys: verdict.stats.observation_keys.slice(0, 200),
    reward_sum: verdict.stats.reward_sum,
  };
  return {
    status: verdict.status,
    checksum: verdict.checksum,
    size_bytes: verdict.size_bytes,
    schema_variant: verdict.variant,
    schema_version: verdict.schema_version,
    validation: { errors: verdict.errors.map(toValidationIssue), warnings: verdict.warnings.map(toValidationIssue) },
    issue_counts: verdict.issue_counts,
    issues_truncated: verdict.issues_truncated,
    training_eligible: verdict.training_eligible,
    quality: verdict.quality,
    stats,
    metadata: summarizeMetadata(verdict.metadata, stats, headerTags),
    blobs: verdict.blobs,
    files: verdict.files,
  };
}

/** What `POST /api/rlds/ingest` (and the upload routes) answer: the seed's fields plus the report. */
export interface IngestAnswer {
  status: "validated" | "rejected";
  episode_id: string;
  training_eligible: boolean;
  episode_ref: string;
  robot_id: string;
  checksum: string | null;
  size_bytes: number | null;
  format: string;
  variant: string | null;
  quality: { score: number; flags: string[] } | null;
  stats: Episode["stats"];
  errors: ValidationIssue[];
  warnings: ValidationIssue[];
  issue_counts: Record<string, number>;
  storage_ref: string | null;
  device_signature_verified: boolean;
}

export function toIngestAnswer(episodeId: string, episode: Episode): IngestAnswer {
  return {
    status: episode.status === "rejected" ? "rejected" : "validated",
    episode_id: episodeId,
    training_eligible: episode.training_eligible,
    episode_ref: episode.raw_ref ?? episodeRef(episode.robot_id, episodeId),
    robot_id: episode.robot_id,
    checksum: episode.checksum,
    size_bytes: episode.size_bytes,
    format: episode.format,
    variant: episode.schema_variant,
    quality: episode.quality,
    stats: episode.stats,
    errors: episode.validation.errors,
    warnings: episode.validation.warnings,
    issue_counts: episode.issue_counts ?? {},
    storage_ref: episode.storage_ref,
    device_signature_verified: Boolean(episode.device_signature_verified_at),
  };
}

/** One row of an episode list (console and `GET /api/rlds/list`). */
export interface EpisodeSummary {
  episode_id: string;
  robot_id: string;
  robot_model: string | null;
  status: Episode["status"];
  created_at: string;
  uploaded_at: string | null;
  format: string;
  variant: string | null;
  step_count: number | null;
  duration_ms: number | null;
  quality: number | null;
  quality_flags: string[];
  training_eligible: boolean;
  tags: string[];
  error_count: number;
  warning_count: number;
  first_error: ValidationIssue | null;
  ingest_state: string;
  tfrecord_state: string | null;
  metadata: Episode["metadata"];
  storage_ref: string | null;
  checksum: string | null;
}

export function toEpisodeSummary(episodeId: string, episode: Episode): EpisodeSummary {
  return {
    episode_id: episodeId,
    robot_id: episode.robot_id,
    robot_model: episode.robot_model,
    status: episode.status,
    created_at: episode.created_at,
    uploaded_at: episode.uploaded_at,
    format: episode.format,
    variant: episode.schema_variant,
    step_count: episode.stats?.step_count ?? episode.metadata.step_count,
    duration_ms: episode.stats?.duration_ms ?? episode.metadata.duration_ms,
    quality: episode.quality?.score ?? null,
    quality_flags: episode.quality?.flags ?? [],
    training_eligible: episode.training_eligible,
    tags: episode.metadata.tags,
    error_count: Math.max(
      episode.validation.errors.length,
      Object.entries(episode.issue_counts ?? {}).reduce(
        (sum, [code, count]) => sum + (isIssueCode(code) && ISSUE_CODES[code] === "error" ? count : 0),
        0,
      ),
    ),
    warning_count: episode.validation.warnings.length,
    first_error: episode.validation.errors[0] ?? null,
    ingest_state: episode.ingest?.state ?? "done",
    tfrecord_state: episode.tfrecord?.state ?? (episode.tfrecord_ref ? "done" : null),
    metadata: episode.metadata,
    storage_ref: episode.storage_ref,
    checksum: episode.checksum,
  };
}
