import { createHash } from "node:crypto";
import type { Ctx } from "@/lib/context";
import { auditEntry } from "@/lib/audit/append-audit";
import { AuditLog } from "@/lib/audit/schemas";
import { reachFaultPoint } from "@/lib/episodes/fault-point";
import { blobKey } from "@/lib/blobs/keys";
import { DomainError, isDomainError } from "@/lib/errors";
import { createId } from "@/lib/ids";
import { Models, type Model } from "@/lib/models/schemas";
import type { Doc } from "@/lib/storage/typed";
import type { WorkItem } from "@/lib/work-queue/schemas";
import { signEd25519Stream, verifyEd25519Stream } from "./ed25519-stream";
import { listModelFiles, WEIGHTS_FILE, type ModelFile } from "./list-model-files";
import { OtaBundles, type BundleFile, type OtaBundle } from "./schemas";
import { currentOtaKey, otaPublicKeyById } from "./signing-key";
import { writeBundleArchive, type ArchiveEntry } from "./write-bundle-archive";

/** The bundle format written into `manifest.json`. */
export const BUNDLE_FORMAT = "continuon-ota-bundle/1";

async function sha256OfBlob(ctx: Ctx, key: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  const read = await ctx.blobs.get(key);
  for await (const chunk of read.stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { sha256: hash.digest("hex"), size };
}

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

function modelConfig(model: Doc<Model>): Buffer {
  return Buffer.from(
    `${JSON.stringify(
      {
        name: model.data.name,
        version: model.data.version,
        robot_model: model.data.robot_model,
        model_id: model.id,
        training_job_id: model.data.training_job_id,
        metrics: model.data.metrics,
        generated_by: "continuon.cloud (the model had no config/model_config.json)",
      },
      null,
      2,
    )}\n`,
  );
}

/** The manifest, checksums and entry list of a bundle, from the model files' hashes (pass one). */
async function planArchive(ctx: Ctx, bundle: Doc<OtaBundle>, model: Doc<Model>, files: ModelFile[]) {
  const contents: Array<ModelFile & { sha256: string }> = [];
  for (const file of files) {
    const { sha256: digest, size } = await sha256OfBlob(ctx, file.key);
    if (size !== file.size) {
      throw new DomainError(
        "conflict",
        `Model file ${file.path} changed while the bundle was being built; build again.`,
        {
          reason: "model_files_changed",
        },
      );
    }
    contents.push({ ...file, sha256: digest });
  }
  const generated: Array<{ path: string; data: Buffer }> = [];
  if (!contents.some((file) => file.path === "config/model_config.json")) {
    generated.push({ path: "config/model_config.json", data: modelConfig(model) });
  }
  const listed: BundleFile[] = [
    ...generated.map((file) => ({ path: file.path, sha256: sha256(file.data), size_bytes: file.data.length })),
    ...contents.map((file) => ({ path: file.path, sha256: file.sha256, size_bytes: file.size })),
  ].sort((a, b) => a.path.localeCompare(b.path));
  // sha256sum format, so `sha256sum -c CHECKSUMS.sha256` works in the unpacked folder.
  const checksums = Buffer.from(listed.map((file) => `${file.sha256}  ${file.path}\n`).join(""));
  const files_ = [
    ...listed,
    { path: "CHECKSUMS.sha256", sha256: sha256(checksums), size_bytes: checksums.length },
  ].sort((a, b) => a.path.localeCompare(b.path));
  const requiredFiles = [
    ...contents.filter((file) => WEIGHTS_FILE.test(file.path)).map((file) => file.path),
    "config/model_config.json",
  ];
  const key = currentOtaKey(ctx.secrets);
  const manifest = {
    format: BUNDLE_FORMAT,
    bundle_id: bundle.id,
    version: bundle.data.version,
    model_name: model.data.name,
    model_version: model.data.version,
    robot_model: bundle.data.robot_model,
    created_at: bundle.data.created_at,
    requires_version: bundle.data.manifest.requires_version,
    min_brain_version: bundle.data.manifest.min_brain_version,
    release_notes: bundle.data.manifest.release_notes,
    files: files_,
    required_files: requiredFiles,
    provenance: {
      model_id: model.id,
      training_job_id: model.data.training_job_id,
      dataset_hash: model.data.dataset?.episode_set_sha256 ?? null,
      episode_count: model.data.dataset?.episode_count ?? null,
      model_storage_ref: model.data.storage_ref,
      built_by: bundle.data.created_by,
    },
    signing: { algorithm: "Ed25519", key_id: key.key_id, covers: "the whole bundle file (detached signature)" },
  };
  const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  const entries: ArchiveEntry[] = [
    { path: "manifest.json", kind: "bytes", data: manifestBytes },
    { path: "CHECKSUMS.sha256", kind: "bytes", data: checksums },
    ...generated.map((file): ArchiveEntry => ({ path: file.path, kind: "bytes", data: file.data })),
    ...contents.map((file): ArchiveEntry => ({
      path: file.path,
      kind: "blob",
      key: file.key,
      size: file.size,
      sha256: file.sha256,
    })),
  ];
  return { entries, files: files_, requiredFiles, key };
}

/**
 * The `ota-build` worker: stream the bundle of a reserved version into the blob store, sign it,
 * verify the signature, move it to `bundles/ota/{robot_model}/{version}.bundle` and mark the bundle
 * ready. Safe to repeat: each attempt writes its own temporary object and only the attempt that
 * still owns the build (its attempt id) may finish it. Refusals (a model that changed, vanished or
 * lost its files) fail the build at once with the reason; other errors are retried with backoff.
 */
export async function runBundleBuild(ctx: Ctx, item: Doc<WorkItem>): Promise<void> {
  const bundleId = String(item.data.payload.bundle_id ?? "");
  const attempt = createId("att", ctx.now());
  const started = await ctx.db.transaction(async (tx) => {
    const bundle = await tx.get(OtaBundles, bundleId);
    if (!bundle || bundle.data.build.status === "ready" || bundle.data.build.status === "failed") return null;
    const previous = bundle.data.build;
    // Still `building`: the previous attempt's worker died (its lease lapsed and this one took over).
    const abandoned = previous.status === "building" ? previous.attempt : null;
    const build = {
      ...previous,
      status: "building" as const,
      attempt,
      started_at: ctx.now().toISOString(),
      progress_pct: 0,
      error: abandoned
        ? `Attempt ${previous.attempts ?? item.data.attempts - 1} stopped before finishing (its worker died); taken over.`
        : previous.error,
      attempts: item.data.attempts,
      max_attempts: item.data.max_attempts,
    };
    tx.update(OtaBundles, bundleId, { build });
    return { bundle: { ...bundle, data: { ...bundle.data, build } }, abandoned };
  });
  if (!started) return;
  const tmpKeyOf = (attemptId: string) =>
    blobKey("bundles", "tmp", started.bundle.data.robot_model, `${started.bundle.data.version}-${attemptId}.bundle`);
  if (started.abandoned) await ctx.blobs.delete(tmpKeyOf(started.abandoned)).catch(() => undefined);
  return buildAttempt(ctx, item, started.bundle, attempt, tmpKeyOf(attempt));
}

async function buildAttempt(
  ctx: Ctx,
  item: Doc<WorkItem>,
  started: Doc<OtaBundle>,
  attempt: string,
  tmpKey: string,
): Promise<void> {
  const bundleId = started.id;
  const progress = async (pct: number) => {
    await ctx.db
      .update(OtaBundles, bundleId, { "build.progress_pct": Math.round(pct) })
      .catch((error) => ctx.log.debug({ err: error }, "build progress not recorded"));
  };
  try {
    const model = await ctx.db.get(Models, started.data.model_id);
    if (!model) {
      throw new DomainError("not_found", `Model ${started.data.model_id} no longer exists.`, {
        reason: "model_not_found",
      });
    }
    const files = await listModelFiles(ctx, model);
    const plan = await planArchive(ctx, started, model, files);
    await progress(30);
    const archive = await writeBundleArchive(
      ctx.blobs,
      tmpKey,
      plan.entries,
      new Date(started.data.created_at),
      (done, total) => progress(30 + (50 * done) / total),
    );
    await reachFaultPoint(ctx, "ota.build_after_archive");
    const open = async () => (await ctx.blobs.get(tmpKey)).stream as AsyncIterable<Uint8Array>;
    const { signature, bytes } = await signEd25519Stream(plan.key.privateKeyPem, open);
    const publicKey = otaPublicKeyById(ctx.secrets, plan.key.key_id) as Uint8Array;
    if (bytes !== archive.size || !(await verifyEd25519Stream(publicKey, signature, open))) {
      throw new Error(`Bundle ${bundleId}: the signature did not verify after signing (the temporary file changed?).`);
    }
    await progress(95);
    await ctx.blobs.copy(tmpKey, started.data.storage_ref);
    await ctx.blobs.delete(tmpKey);
    const finishedAt = ctx.now().toISOString();
    await ctx.db.transaction(async (tx) => {
      const bundle = await tx.get(OtaBundles, bundleId);
      if (!bundle || bundle.data.build.attempt !== attempt || bundle.data.build.status !== "building") {
        throw new Error(`Bundle ${bundleId}: another attempt took over this build.`);
      }
      tx.update(OtaBundles, bundleId, {
        build: { ...bundle.data.build, status: "ready", finished_at: finishedAt, progress_pct: 100, error: null },
        "manifest.checksum": `sha256:${archive.sha256}`,
        "manifest.size_bytes": archive.size,
        "manifest.files": plan.files,
        "manifest.required_files": plan.requiredFiles,
        signature: Buffer.from(signature).toString("base64"),
        key_id: plan.key.key_id,
        "rollout.updated_at": finishedAt,
      });
      const audit = auditEntry(ctx, {
        action: "bundle.built",
        target: { type: "ota_bundle", id: bundleId },
        details: { checksum: `sha256:${archive.sha256}`, size_bytes: archive.size, key_id: plan.key.key_id },
      });
      tx.create(AuditLog, audit.id, audit.entry);
    });
  } catch (error) {
    await ctx.blobs.delete(tmpKey).catch(() => undefined);
    const refused = isDomainError(error) && ["invalid", "conflict", "not_found", "too_large"].includes(error.code);
    const final = refused || item.data.attempts >= item.data.max_attempts;
    const message = error instanceof Error ? error.message : String(error);
    await ctx.db.transaction(async (tx) => {
      const bundle = await tx.get(OtaBundles, bundleId);
      if (!bundle || bundle.data.build.attempt !== attempt) return;
      tx.update(OtaBundles, bundleId, {
        build: {
          ...bundle.data.build,
          status: final ? "failed" : "queued",
          finished_at: final ? ctx.now().toISOString() : null,
          error: message.slice(0, 1000),
        },
      });
      if (final) {
        const audit = auditEntry(ctx, {
          action: "bundle.build_failed",
          target: { type: "ota_bundle", id: bundleId },
          outcome: "failure",
          details: { error: message.slice(0, 500) },
        });
        tx.create(AuditLog, audit.id, audit.entry);
      }
    });
    if (!final) throw error;
  }
}

/**
 * The build whose last attempt's worker died (its lease lapsed with no attempts left): mark it
 * failed with that reason (audited) and delete the attempt's temporary file. The operator may
 * retry it (`retryBundleBuild`).
 */
export async function failAbandonedBundleBuild(ctx: Ctx, item: Doc<WorkItem>, message: string): Promise<void> {
  const bundleId = String(item.data.payload.bundle_id ?? "");
  const failed = await ctx.db.transaction(async (tx) => {
    const bundle = await tx.get(OtaBundles, bundleId);
    if (!bundle || bundle.data.build.status === "ready" || bundle.data.build.status === "failed") return null;
    tx.update(OtaBundles, bundleId, {
      build: { ...bundle.data.build, status: "failed", finished_at: ctx.now().toISOString(), error: message },
    });
    const audit = auditEntry(ctx, {
      action: "bundle.build_failed",
      target: { type: "ota_bundle", id: bundleId },
      outcome: "failure",
      details: { error: message.slice(0, 500), attempts: item.data.attempts },
    });
    tx.create(AuditLog, audit.id, audit.entry);
    return bundle;
  });
  if (failed) {
    const tmpKey = blobKey(
      "bundles",
      "tmp",
      failed.data.robot_model,
      `${failed.data.version}-${failed.data.build.attempt}.bundle`,
    );
    await ctx.blobs.delete(tmpKey).catch(() => undefined);
  }
}
