import { SLOW_LOOP_QUEUE } from "@/lib/training/evaluate-slow-loops";
import type { Readable } from "node:stream";
import { auditEntry } from "@/lib/audit/append-audit";
import { AuditLog } from "@/lib/audit/schemas";
import type { Ctx } from "@/lib/context";
import { DomainError, isDomainError } from "@/lib/errors";
import { createId } from "@/lib/ids";
import { processEpisode } from "@/lib/rlds/process-episode";
import { processEpisodeFiles } from "@/lib/rlds/process-episode-files";
import { refusedVerdict } from "@/lib/rlds/process-episode";
import type { EpisodeVerdict } from "@/lib/rlds/schemas";
import { createBlobStoreSink } from "@/lib/rlds/sink/episode-sink";
import type { Doc, TypedTransaction } from "@/lib/storage/typed";
import { WorkItems } from "@/lib/work-queue/schemas";
import { claimedUploadKey, episodeRef, stagingPrefix, stagingRoot, validatedPrefix } from "./episode-keys";
import { reachFaultPoint } from "./fault-point";
import { Episodes, type Episode, type EpisodeUpload, type IngestResult, type IngestState } from "./schemas";
import { toIngestResult } from "./views";

/** Background queue of TFRecord conversions (worker line in `server/workers.ts`). */
export const TFRECORD_QUEUE = "episode-tfrecord";
export const TFRECORD_MAX_ATTEMPTS = 6;
/**
 * Attempts of one ingest that may fail or stop without a verdict (a throw, a crash) before the
 * episode is quarantined with `ingest_failed` rather than retried again (docs: /docs/ingestion).
 */
export const MAX_INGEST_FAILURES = 3;

const TRAINABLE = new Set<Episode["status"]>(["validated", "training", "trained"]);

export function isValidatedStatus(status: Episode["status"]): boolean {
  return TRAINABLE.has(status);
}

/** `sha256:<hex>` from either spelling robots use. */
export function normalizeChecksum(value: string): string {
  const hex = value
    .trim()
    .toLowerCase()
    .replace(/^sha256:/, "");
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new DomainError("invalid", "Invalid body: checksum: must be sha256:<64 hex digits> or 64 hex digits.", {
      reason: "invalid_checksum",
    });
  }
  return `sha256:${hex}`;
}

export interface RunIngestInput {
  episodeId: string;
  /** What the caller says the object is (`sha256:<hex>`); null when the server ingests by itself. */
  requestedChecksum: string | null;
  /** `robot`: the robot asked; `revalidate`: an operator; `auto`: the server after direct PUTs settled; `resume`: the sweeper. */
  mode: "robot" | "revalidate" | "auto" | "resume";
  /** A device-signed manifest already verified by the caller. */
  signature?: { token: string; verifiedAt: string };
}

function legacyIngest(episode: Episode): IngestState {
  // Documents written without the state machine (fixtures, older data) count as finished.
  return {
    state: episode.status === "raw" ? "awaiting_upload" : "done",
    attempt: 0,
    holder: null,
    lease_expires_at: null,
    staging_prefix: null,
    requested_checksum: episode.checksum,
    result: null,
    last_error: null,
    failures: 0,
    requested_by: null,
    updated_at: episode.created_at,
  };
}

export function ingestOf(episode: Episode): IngestState {
  return episode.ingest ?? legacyIngest(episode);
}

/** Where the bytes of an upload are read from: the claimed copy once ingest moved it. */
export function uploadSourceKey(upload: EpisodeUpload): string {
  return upload.claimed_key ?? upload.raw_key;
}

function notFound(episodeId: string): DomainError {
  return new DomainError("not_found", `Episode ${episodeId} was not found.`, { reason: "episode_not_found" });
}

/**
 * Drive an episode's ingest to `done` from whatever state it is in (see `ingest-state.ts`) and
 * return the document as it ends. Throws `conflict` for `ingest_in_progress` (another attempt holds
 * the lease), `checksum_conflict` (a validated episode asked about other bytes) and
 * `upload_missing` / `upload_incomplete` (nothing to ingest yet); machinery failures (a store that
 * cannot be reached) are thrown as they are, after releasing the lease so a retry starts at once.
 */
export async function runIngest(ctx: Ctx, input: RunIngestInput): Promise<Doc<Episode>> {
  let attempted = false;
  for (let round = 0; round < 6; round++) {
    const doc = await ctx.db.get(Episodes, input.episodeId);
    if (!doc) throw notFound(input.episodeId);
    const episode = doc.data;
    const ingest = ingestOf(episode);
    if (ingest.state === "promoting") {
      await finishPromotion(ctx, input.episodeId);
      continue;
    }
    if (ingest.state === "done") {
      if (isValidatedStatus(episode.status)) {
        if (
          input.requestedChecksum !== null &&
          episode.checksum !== null &&
          input.requestedChecksum !== episode.checksum
        ) {
          throw new DomainError(
            "conflict",
            `Episode ${input.episodeId} is already validated with checksum ${episode.checksum}, not ${input.requestedChecksum}. Upload other bytes under a new episode id.`,
            { reason: "checksum_conflict" },
          );
        }
        await tidyFinishedIngest(ctx, doc);
        return doc;
      }
      const sameRequest =
        input.requestedChecksum === null || input.requestedChecksum === (ingest.requested_checksum ?? episode.checksum);
      if (episode.status === "rejected" && (attempted || (input.mode !== "revalidate" && sameRequest))) {
        await tidyFinishedIngest(ctx, doc);
        return doc;
      }
    }
    if (ingest.state === "processing" && ingest.lease_expires_at !== null) {
      const left = Date.parse(ingest.lease_expires_at) - ctx.now().getTime();
      if (left > 0) {
        throw new DomainError("conflict", `Episode ${input.episodeId} is being ingested; retry in a few seconds.`, {
          reason: "ingest_in_progress",
          retryAfterS: Math.max(1, Math.ceil(left / 1000)),
        });
      }
    }
    await requireUpload(ctx, input.episodeId, episode);
    const claimed = await claim(ctx, doc, input);
    if (claimed === null) continue; // someone moved the document first: look again
    attempted = true;
    if (claimed === "quarantined") continue; // too many attempts stopped midway: the document says rejected
    await processClaimed(ctx, input, claimed);
  }
  throw new DomainError("conflict", `Episode ${input.episodeId} keeps changing under this ingest; retry.`, {
    reason: "ingest_in_progress",
    retryAfterS: 2,
  });
}

/** The upload must be complete before an attempt is claimed: otherwise nothing changes. */
async function requireUpload(ctx: Ctx, episodeId: string, episode: Episode): Promise<void> {
  const upload = episode.upload;
  if (!upload) {
    throw new DomainError("conflict", `Episode ${episodeId} has no upload to ingest.`, { reason: "upload_missing" });
  }
  const source = uploadSourceKey(upload);
  if (upload.format !== "files") {
    if ((await ctx.blobs.head(source)) === null) {
      throw new DomainError(
        "conflict",
        `Nothing was uploaded for episode ${episodeId} yet: PUT the ${upload.format} to its upload URL, then ingest.`,
        { reason: "upload_missing" },
      );
    }
    return;
  }
  const missing: string[] = [];
  for (let i = 0; i < upload.files.length; i += 32) {
    const batch = upload.files.slice(i, i + 32);
    const heads = await Promise.all(batch.map((file) => ctx.blobs.head(`${source}${file.path}`)));
    heads.forEach((head, k) => {
      if (head === null) missing.push(batch[k]!.path);
    });
  }
  if (missing.length > 0) {
    throw new DomainError(
      "conflict",
      `The upload of episode ${episodeId} is incomplete: ${missing.length} of ${upload.files.length} files are missing (first: ${missing[0]}).`,
      { reason: missing.length === upload.files.length ? "upload_missing" : "upload_incomplete" },
    );
  }
}

interface Claimed {
  episode: Episode;
  holder: string;
  attempt: number;
  staging: string;
}

async function claim(ctx: Ctx, seen: Doc<Episode>, input: RunIngestInput): Promise<Claimed | "quarantined" | null> {
  const now = ctx.now();
  const holder = createId("ing", now);
  return ctx.db.transaction(async (tx) => {
    const current = await tx.get(Episodes, seen.id);
    if (!current || current.revision !== seen.revision) return null;
    const episode = current.data;
    const before = ingestOf(episode);
    // A processing attempt still named as holder never reported back (its server died): it counts
    // as a failure like one that threw. A new request after a verdict or a new upload starts at 0.
    const failures = before.state === "processing" ? before.failures + (before.holder !== null ? 1 : 0) : 0;
    if (failures >= MAX_INGEST_FAILURES) {
      const why =
        before.last_error ??
        `the ingest stopped ${failures} times without finishing (the server ingesting it was restarted or ran out of resources)`;
      applyFailure(ctx, tx, seen.id, episode, failures, why);
      return "quarantined";
    }
    const attempt = before.attempt + 1;
    const staging = stagingPrefix(episode.robot_id, seen.id, attempt);
    const ingest: IngestState = {
      state: "processing",
      attempt,
      holder,
      lease_expires_at: new Date(now.getTime() + ctx.config.ingestLeaseS * 1000).toISOString(),
      staging_prefix: staging,
      requested_checksum: input.requestedChecksum ?? (input.mode === "revalidate" ? before.requested_checksum : null),
      result: null,
      last_error: before.state === "processing" ? before.last_error : null,
      failures,
      requested_by: `${ctx.actor.kind}:${ctx.actor.kind === "user" ? ctx.actor.uid : ctx.actor.kind === "robot" ? ctx.actor.deviceId : ctx.actor.kind === "system" ? ctx.actor.name : "-"}`,
      updated_at: now.toISOString(),
    };
    const patch: Record<string, unknown> = { ingest };
    if (input.signature) {
      patch.device_signature = input.signature.token;
      patch.device_signature_verified_at = input.signature.verifiedAt;
    }
    tx.update(Episodes, seen.id, patch);
    return { episode: { ...episode, ...patch, ingest } as Episode, holder, attempt, staging };
  });
}

/** Commit `write` only while `holder` still holds the processing lease. */
async function commitAsHolder(
  ctx: Ctx,
  episodeId: string,
  holder: string,
  write: (tx: TypedTransaction, episode: Episode) => Promise<void> | void,
): Promise<boolean> {
  return ctx.db.transaction(async (tx) => {
    const current = await tx.get(Episodes, episodeId);
    const ingest = current ? ingestOf(current.data) : null;
    if (!current || ingest?.state !== "processing" || ingest.holder !== holder) return false;
    await write(tx, current.data);
    return true;
  });
}

function superseded(episodeId: string): DomainError {
  return new DomainError("conflict", `Another ingest of episode ${episodeId} took over; retry to get its answer.`, {
    reason: "ingest_in_progress",
    retryAfterS: 2,
  });
}

async function processClaimed(ctx: Ctx, input: RunIngestInput, claimed: Claimed): Promise<void> {
  const { episode, holder, staging } = claimed;
  const episodeId = input.episodeId;
  const leaseMs = ctx.config.ingestLeaseS * 1000;
  let lost = false;
  const renew = setInterval(
    () => {
      void commitAsHolder(ctx, episodeId, holder, (tx) => {
        tx.update(Episodes, episodeId, {
          "ingest.lease_expires_at": new Date(ctx.now().getTime() + leaseMs).toISOString(),
        });
      }).then(
        (held) => {
          if (!held) lost = true;
        },
        (error: unknown) => ctx.log.warn({ err: error, episode_id: episodeId }, "ingest lease renewal failed"),
      );
    },
    Math.max(500, leaseMs / 3),
  );
  renew.unref?.();
  try {
    // Earlier attempts (a crashed server's) may have left files: start from an empty staging folder.
    await ctx.blobs.deletePrefix(stagingRoot(episode.robot_id, episodeId));
    await reachFaultPoint(ctx, "ingest.after_claim");
    const upload = await claimUpload(ctx, episodeId, holder, episode);
    const verdict = await produceVerdict(ctx, { ...episode, upload }, input, staging);
    await reachFaultPoint(ctx, "ingest.after_process");
    if (lost) throw superseded(episodeId);
    const result = toIngestResult(verdict, episode.upload?.declared_tags ?? {});
    if (result.status === "rejected") {
      const held = await commitAsHolder(ctx, episodeId, holder, (tx, current) => {
        applyResult(ctx, tx, episodeId, current, result, "rejected");
      });
      if (!held) throw superseded(episodeId);
      const done = await ctx.db.get(Episodes, episodeId);
      if (done) await tidyFinishedIngest(ctx, done);
      return;
    }
    const held = await commitAsHolder(ctx, episodeId, holder, (tx, current) => {
      const ingest: IngestState = {
        ...ingestOf(current),
        state: "promoting",
        holder: null,
        lease_expires_at: null,
        result,
        updated_at: ctx.now().toISOString(),
      };
      tx.update(Episodes, episodeId, { ingest });
    });
    if (!held) throw superseded(episodeId);
    await reachFaultPoint(ctx, "ingest.after_promoting");
    await finishPromotion(ctx, episodeId);
  } catch (error) {
    // Not the episode's content: the lease is given back so a retry starts at once, with the
    // reason kept, and this attempt's files go — or, after MAX_INGEST_FAILURES, the episode is
    // quarantined with it, so nobody retries it for ever and a person can act (re-validate, delete).
    const message = (error instanceof Error ? error.message : String(error)).slice(0, 500);
    let outcome: "retry" | "quarantined" | null = null;
    await commitAsHolder(ctx, episodeId, holder, (tx, current) => {
      const failures = ingestOf(current).failures + 1;
      if (failures >= MAX_INGEST_FAILURES) {
        applyFailure(ctx, tx, episodeId, current, failures, message);
        outcome = "quarantined";
        return;
      }
      tx.update(Episodes, episodeId, {
        "ingest.holder": null,
        "ingest.lease_expires_at": ctx.now().toISOString(),
        "ingest.last_error": message,
        "ingest.failures": failures,
      });
      outcome = "retry";
    }).catch((commitError: unknown) =>
      ctx.log.warn({ err: commitError, episode_id: episodeId }, "recording an ingest failure failed"),
    );
    // Only a failure this attempt recorded as holder is its own: after `promoting` the staging
    // files belong to the promotion, which any retry finishes.
    if (outcome !== null) await ctx.blobs.deletePrefix(staging).catch(() => 0);
    ctx.log.warn({ err: error, episode_id: episodeId, outcome }, "ingest attempt failed");
    if (outcome === "quarantined") return;
    if (outcome === "retry" && !isDomainError(error)) {
      throw new DomainError("unavailable", `Ingest of episode ${episodeId} failed (${message}); retry.`, {
        reason: "ingest_failed",
        retryAfterS: 5,
      });
    }
    throw error;
  } finally {
    clearInterval(renew);
  }
}

async function produceVerdict(
  ctx: Ctx,
  episode: Episode,
  input: RunIngestInput,
  staging: string,
): Promise<EpisodeVerdict> {
  const upload = episode.upload!;
  const output = createBlobStoreSink(ctx.blobs, staging);
  const declared = {
    ...(upload.declared.step_count !== null ? { step_count: upload.declared.step_count } : {}),
    ...(upload.declared.duration_ms !== null ? { duration_ms: upload.declared.duration_ms } : {}),
  };
  const expected =
    input.requestedChecksum ?? (input.mode === "revalidate" ? ingestOf(episode).requested_checksum : null);
  if (upload.format === "files") {
    return processEpisodeFiles({
      files: upload.files.map((file) => ({
        ...file,
        open: async () => (await ctx.blobs.get(`${uploadSourceKey(upload)}${file.path}`)).stream as Readable,
      })),
      declared,
      ...(expected ? { expectedChecksum: expected } : {}),
      output,
    });
  }
  const read = await ctx.blobs.get(uploadSourceKey(upload));
  return processEpisode({
    source: read.stream,
    format: "auto",
    declared,
    ...(upload.declared_tags ? { headerTags: upload.declared_tags } : {}),
    ...(expected ? { expectedChecksum: expected } : {}),
    output,
  });
}

/**
 * Move the upload out of reach of its upload URLs before reading it: copy it to
 * `…/ingested/…`, record that key, then delete what the URLs address. From then on a PUT to an old
 * URL can no longer change what is ingested, re-validated or downloaded from quarantine (the
 * embedded default also refuses it: `assertUploadOpen`). Idempotent across attempts.
 */
async function claimUpload(ctx: Ctx, episodeId: string, holder: string, episode: Episode): Promise<EpisodeUpload> {
  const upload = episode.upload!;
  const files = upload.format === "files" ? upload.files.map((file) => file.path) : [""];
  if (upload.claimed_key === null) {
    const claimedKey = claimedUploadKey(episode.robot_id, episodeId, upload.format);
    for (const file of files) await ctx.blobs.copy(`${upload.raw_key}${file}`, `${claimedKey}${file}`);
    const held = await commitAsHolder(ctx, episodeId, holder, (tx) => {
      tx.update(Episodes, episodeId, { "upload.claimed_key": claimedKey });
    });
    if (!held) throw superseded(episodeId);
    upload.claimed_key = claimedKey;
  }
  // Whatever the URLs' keys hold now is not this upload (a late PUT in the cloud): drop it.
  for (const file of files) await ctx.blobs.delete(`${upload.raw_key}${file}`);
  return upload;
}

/** Quarantine an episode whose ingest failed too often (not its content): `rejected`, `ingest_failed`. */
function applyFailure(
  ctx: Ctx,
  tx: TypedTransaction,
  episodeId: string,
  current: Episode,
  failures: number,
  why: string,
): void {
  const verdict = refusedVerdict(
    {
      code: "ingest_failed",
      message: `Ingest failed ${failures} times, so the episode is quarantined: ${why}. Re-validate it once the cause is fixed, or delete it.`,
    },
    current.upload?.format === "files" ? "files" : null,
    current.checksum,
    current.size_bytes ?? 0,
  );
  applyResult(ctx, tx, episodeId, current, toIngestResult(verdict), "rejected", why);
}

/** Write a verdict onto the document (the `done` commit), with its audit entry. */
function applyResult(
  ctx: Ctx,
  tx: TypedTransaction,
  episodeId: string,
  current: Episode,
  result: IngestResult,
  status: "validated" | "rejected",
  failure: string | null = null,
): void {
  const nowIso = ctx.now().toISOString();
  const before = ingestOf(current);
  const formats = new Set(["tar.gz", "zip", "json", "tfrecord", "files"]);
  const patch: Record<string, unknown> = {
    status,
    checksum: result.checksum,
    size_bytes: result.size_bytes,
    schema_variant: result.schema_variant,
    schema_version: result.schema_version,
    validation: result.validation,
    issue_counts: result.issue_counts,
    issues_truncated: result.issues_truncated,
    training_eligible: status === "validated" && result.training_eligible,
    quality: result.quality,
    stats: result.stats,
    metadata: result.metadata,
    blobs: result.blobs,
    files: status === "validated" ? result.files : [],
    verdict_at: nowIso,
    format: formats.has(current.upload?.format ?? "") ? current.upload?.format : current.format,
    ingest: {
      ...before,
      state: "done",
      holder: null,
      lease_expires_at: null,
      result: null,
      last_error: failure,
      failures: 0,
      updated_at: nowIso,
    } satisfies IngestState,
  };
  if (status === "validated") {
    patch.uploaded_at = nowIso;
    patch.storage_ref = validatedPrefix(current.robot_id, episodeId);
    patch.tfrecord = { state: "queued", records: null, bytes: null, attempts: 0, error: null, updated_at: nowIso };
    patch.tfrecord_ref = null;
  } else {
    patch.storage_ref = null;
  }
  tx.update(Episodes, episodeId, patch);
  const { id, entry } = auditEntry(ctx, {
    action: before.requested_by?.startsWith("user:") ? "episode.revalidate" : "episode.ingest",
    target: { type: "episode", id: episodeId },
    outcome: status === "validated" ? "success" : "failure",
    details: {
      robot_id: current.robot_id,
      status,
      attempt: before.attempt,
      checksum: result.checksum,
      variant: result.schema_variant,
      errors: result.validation.errors.slice(0, 5).map((issue) => issue.code),
      episode_ref: episodeRef(current.robot_id, episodeId),
    },
  });
  tx.create(AuditLog, id, entry);
}

async function listAll(ctx: Ctx, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await ctx.blobs.list(prefix, { ...(cursor ? { cursor } : {}), limit: 1000 });
    for (const item of page.items) keys.push(item.key);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return keys;
}

/**
 * The promotion step: copy the staging files of the promoting attempt to
 * `episodes/validated/{robot_id}/{episode_id}/`, remove anything else there, then commit
 * `validated` and queue the TFRecord conversion in one transaction. Idempotent: any number of
 * callers may run it, at any time, and the first commit wins.
 */
export async function finishPromotion(ctx: Ctx, episodeId: string): Promise<void> {
  const doc = await ctx.db.get(Episodes, episodeId);
  if (!doc) return;
  const ingest = ingestOf(doc.data);
  if (ingest.state !== "promoting" || ingest.result === null || ingest.staging_prefix === null) return;
  const staging = ingest.staging_prefix;
  const target = validatedPrefix(doc.data.robot_id, episodeId);
  const keys = await listAll(ctx, staging);
  const wanted = new Set<string>();
  let copied = 0;
  for (const key of keys) {
    const relative = key.slice(staging.length);
    wanted.add(`${target}${relative}`);
    await ctx.blobs.copy(key, `${target}${relative}`);
    copied += 1;
    if (copied === 1) await reachFaultPoint(ctx, "ingest.mid_copy");
  }
  for (const key of await listAll(ctx, target)) {
    if (!wanted.has(key)) await ctx.blobs.delete(key);
  }
  await reachFaultPoint(ctx, "ingest.after_copy");
  const result = ingest.result;
  const committed = await ctx.db.transaction(async (tx) => {
    const current = await tx.get(Episodes, episodeId);
    if (!current || ingestOf(current.data).state !== "promoting") return false;
    const workId = tfrecordWorkId(episodeId);
    const work = await tx.get(WorkItems, workId);
    applyResult(ctx, tx, episodeId, current.data, result, "validated");
    if (!work || (work.data.status !== "queued" && work.data.status !== "running")) {
      const nowIso = ctx.now().toISOString();
      tx.set(WorkItems, workId, {
        queue: TFRECORD_QUEUE,
        status: "queued",
        payload: { episode_id: episodeId },
        attempts: 0,
        max_attempts: TFRECORD_MAX_ATTEMPTS,
        run_after: nowIso,
        lease_holder: null,
        lease_expires_at: null,
        last_error: null,
        created_at: work?.data.created_at ?? nowIso,
        updated_at: nowIso,
      });
    }
    return true;
  });
  if (committed) {
    ctx.services.notifyWork(TFRECORD_QUEUE);
    // New eligible data may be what a robot model's slow-loop policy was waiting for.
    ctx.services.notifyWork(SLOW_LOOP_QUEUE);
  }
  await reachFaultPoint(ctx, "ingest.after_done");
  await tidyFinishedIngest(ctx, (await ctx.db.get(Episodes, episodeId)) ?? doc);
}

export function tfrecordWorkId(episodeId: string): string {
  return `tfrecord_${episodeId}`;
}

/** After `done`: delete a staging folder a crash left behind. */
async function tidyFinishedIngest(ctx: Ctx, doc: Doc<Episode>): Promise<void> {
  const ingest = ingestOf(doc.data);
  if (ingest.state !== "done" || ingest.staging_prefix === null) return;
  await ctx.blobs.deletePrefix(stagingRoot(doc.data.robot_id, doc.id));
  await ctx.db
    .transaction(async (tx) => {
      const current = await tx.get(Episodes, doc.id);
      if (current && ingestOf(current.data).state === "done") {
        tx.update(Episodes, doc.id, { "ingest.staging_prefix": null });
      }
    })
    .catch((error: unknown) => ctx.log.warn({ err: error, episode_id: doc.id }, "staging cleanup not recorded"));
}
