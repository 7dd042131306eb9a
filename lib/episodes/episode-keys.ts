import { z } from "zod";
import { DomainError } from "@/lib/errors";
import { isDeviceId } from "@/lib/robots/ruri";
import type { UploadFormat } from "./schemas";

/**
 * Episode ids and where an episode's files live (PRODUCT.md §5). Ids become document ids and blob
 * key segments, so they are checked here, once: letters, digits, `_`, `-` and `.` (1–128
 * characters, starting with a letter or digit), never `..`, a slash, a backslash or a control
 * character. `quarantine` and `compare` are taken by console pages.
 */
const EPISODE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const RESERVED_IDS = new Set(["quarantine", "compare"]);

export function isEpisodeId(value: unknown): value is string {
  return typeof value === "string" && EPISODE_ID.test(value) && !value.includes("..") && !RESERVED_IDS.has(value);
}

/** Throws `invalid` / `invalid_episode_id` naming the field. */
export function assertEpisodeId(value: unknown, field = "episode_id"): string {
  if (!isEpisodeId(value)) {
    const shown = typeof value === "string" ? JSON.stringify(value.slice(0, 80)) : String(value);
    throw new DomainError(
      "invalid",
      `${field} ${shown} is not a valid episode id: use 1–128 letters, digits, "_", "-" or "." (no "/", "\\" or "..").`,
      { reason: "invalid_episode_id" },
    );
  }
  return value;
}

export const ZEpisodeId = z.string().refine(isEpisodeId, {
  message: 'use 1–128 letters, digits, "_", "-" or "." (no "/", "\\" or "..")',
});

/** `episodes/raw/{robot_id}/{episode_id}` — the seed's `episode_ref`. */
export function episodeRef(robotId: string, episodeId: string): string {
  return `episodes/raw/${robotId}/${episodeId}`;
}

const RAW_FILE: Record<Exclude<UploadFormat, "files">, string> = {
  "tar.gz": "episode.tar.gz",
  zip: "episode.zip",
  json: "episode.json",
  tfrecord: "episode.tfrecord",
};

/** The raw object of an archive or JSON upload, or the folder of a `files` upload (ends with `/`). */
export function rawUploadKey(robotId: string, episodeId: string, format: UploadFormat): string {
  return format === "files"
    ? `${episodeRef(robotId, episodeId)}/files/`
    : `${episodeRef(robotId, episodeId)}/${RAW_FILE[format]}`;
}

/**
 * Where ingest moves the raw upload when it claims it (see `claimUpload` in `run-ingest.ts`):
 * beside the upload, under `ingested/`, which no upload URL addresses.
 */
export function claimedUploadKey(robotId: string, episodeId: string, format: UploadFormat): string {
  return format === "files"
    ? `${episodeRef(robotId, episodeId)}/ingested/files/`
    : `${episodeRef(robotId, episodeId)}/ingested/${RAW_FILE[format]}`;
}

/** Every staging attempt of an episode lives under this folder (deleted whole once it is done). */
export function stagingRoot(robotId: string, episodeId: string): string {
  return `episodes/staging/${robotId}/${episodeId}/`;
}

export function stagingPrefix(robotId: string, episodeId: string, attempt: number): string {
  return `${stagingRoot(robotId, episodeId)}attempt-${attempt}/`;
}

/** The canonical episode: `metadata.json`, `steps.jsonl`, `blobs/…`, `index/…` (the `storage_ref`). */
export function validatedPrefix(robotId: string, episodeId: string): string {
  return `episodes/validated/${robotId}/${episodeId}/`;
}

export function tfrecordKey(robotId: string, episodeId: string): string {
  return `episodes/tfrecord/${robotId}/${episodeId}.tfrecord`;
}

/**
 * Read an `episode_ref` (`episodes/raw/{robot_id}/{episode_id}`, optionally `gs://bucket/…`, a
 * trailing `/` or the raw file name) into its robot and episode ids. Anything else is `invalid`.
 */
export function parseEpisodeRef(ref: string): { robotId: string; episodeId: string } {
  const key = ref.replace(/^gs:\/\/[^/]+\//, "");
  const match = /^episodes\/raw\/([^/]+)\/([^/]+)(?:\/(?:episode\.(?:tar\.gz|zip|json))?)?$/.exec(key);
  if (!match || !isDeviceId(match[1] ?? "") || !isEpisodeId(match[2])) {
    throw new DomainError(
      "invalid",
      `episode_ref ${JSON.stringify(ref.slice(0, 160))} is not an episode reference (episodes/raw/{robot_id}/{episode_id}).`,
      { reason: "invalid_episode_ref" },
    );
  }
  return { robotId: match[1] ?? "", episodeId: match[2] ?? "" };
}
