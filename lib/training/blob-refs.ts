import { posix } from "node:path";
import type { BlobStore } from "@/lib/blobs/port";
import type { AppConfig } from "@/lib/env";
import { DomainError } from "@/lib/errors";
import { assertValidBlobKey } from "@/lib/blobs/keys";
import type { Episode } from "@/lib/episodes/schemas";

/** PRODUCT.md §5: every file a job writes lives under this prefix. */
export function checkpointPrefix(jobId: string): string {
  return `models/checkpoints/${jobId}/`;
}

export function productionPrefix(robotModel: string, version: string): string {
  return `models/production/${robotModel}/v${version}/`;
}

function outside(jobId: string, what: string): never {
  throw new DomainError("forbidden", `${what} is outside this job's checkpoint folder models/checkpoints/${jobId}/.`, {
    reason: "outside_job_prefix",
  });
}

/**
 * A blob key from a stored or reported reference: a bare key, or `gs://<bucket>/<key>` naming the
 * configured bucket (any bucket name on the embedded default, where there is one local store).
 */
export function keyFromRef(config: AppConfig, ref: string): string {
  const match = /^gs:\/\/([^/]+)\/(.*)$/.exec(ref);
  if (!match) return ref.replace(/^\/+/, "");
  const [, bucket = "", key = ""] = match;
  if (config.gcs && bucket !== config.gcs.bucket) {
    throw new DomainError("invalid", `${ref} names bucket ${bucket}, not ${config.gcs.bucket}.`, {
      reason: "foreign_bucket",
    });
  }
  return key;
}

/**
 * Resolve a checkpoint file a worker wants to upload: either a `path` relative to the job's folder
 * or a full `key`. Whatever is asked, the result must stay under `models/checkpoints/{job_id}/`
 * (`..` and absolute paths are refused as outside it), and be a valid blob key.
 */
export function resolveCheckpointKey(jobId: string, input: { path?: string; key?: string }): string {
  const prefix = checkpointPrefix(jobId);
  let key: string;
  if (input.key !== undefined) {
    key = input.key;
    if (!key.startsWith(prefix)) outside(jobId, `Key ${key}`);
  } else {
    const path = input.path ?? "";
    if (path.startsWith("/")) outside(jobId, `Path ${path}`);
    key = `${prefix}${path}`;
  }
  // posix.normalize collapses `a/../..`; anything that climbs out no longer starts with the prefix.
  const normalized = posix.normalize(key);
  if (!normalized.startsWith(prefix) || normalized.length === prefix.length)
    outside(jobId, `"${input.key ?? input.path}"`);
  if (normalized !== key) {
    throw new DomainError("invalid", `Checkpoint path "${input.key ?? input.path}" is not in normal form.`, {
      reason: "invalid_blob_key",
    });
  }
  return assertValidBlobKey(key);
}

/**
 * The folder a reported `model_ref` names, which must be the job's checkpoint folder or one under
 * it. A ref naming a file (e.g. `…/seed_model.npz`) means the folder holding it.
 */
export function resolveModelRef(config: AppConfig, jobId: string, ref: string, isFile: boolean): string {
  const key = keyFromRef(config, ref);
  const prefix = checkpointPrefix(jobId);
  const folder = isFile ? `${posix.dirname(key)}/` : key.endsWith("/") ? key : `${key}/`;
  const normalized = posix.normalize(folder);
  if (!normalized.startsWith(prefix) || normalized !== folder) outside(jobId, `model_ref ${ref}`);
  return folder;
}

/** Where an episode's files are (PRODUCT.md §5), from its document or the canonical layout. */
export function episodeKeys(
  config: AppConfig,
  episodeId: string,
  episode: Pick<Episode, "robot_id" | "storage_ref" | "tfrecord_ref">,
): { canonicalPrefix: string; tfrecord: string | null } {
  let canonicalPrefix = `episodes/validated/${episode.robot_id}/${episodeId}/`;
  if (episode.storage_ref) {
    const key = keyFromRef(config, episode.storage_ref);
    if (key.startsWith("episodes/validated/")) canonicalPrefix = key.endsWith("/") ? key : `${key}/`;
  }
  return {
    canonicalPrefix,
    tfrecord: episode.tfrecord_ref ? keyFromRef(config, episode.tfrecord_ref) : null,
  };
}

/** `resolveModelRef` for a reported ref, finding out whether it names a file (only ever inside the job's folder). */
export async function locateModelFolder(
  config: AppConfig,
  blobs: BlobStore,
  jobId: string,
  ref: string,
): Promise<string> {
  const key = keyFromRef(config, ref);
  const isFile = !key.endsWith("/") && key.startsWith(checkpointPrefix(jobId)) && (await blobs.head(key)) !== null;
  return resolveModelRef(config, jobId, ref, isFile);
}
