import type { Ctx } from "@/lib/context";
import { auditEntry } from "@/lib/audit/append-audit";
import { AuditLog } from "@/lib/audit/schemas";
import { blobKey } from "@/lib/blobs/keys";
import { DomainError } from "@/lib/errors";
import { createId } from "@/lib/ids";
import { Models } from "@/lib/models/schemas";
import type { Doc } from "@/lib/storage/typed";
import { requireUser } from "@/lib/users/authorize";
import { parseInput } from "@/lib/validation";
import { WorkItems } from "@/lib/work-queue/schemas";
import { listModelFiles } from "./list-model-files";
import { DEFAULT_ROLLOUT_POLICY, OtaBundles, ZBuildBundleInput, ZERO_COUNTS, type OtaBundle } from "./schemas";
import { currentOtaKey } from "./signing-key";
import { assertPlainVersion, assertVersionRange, compareVersions } from "./versions";
import { queuedWorkItem } from "./work-items";

/** The queue (and worker) that builds bundles. */
export const BUILD_QUEUE = "ota-build";

/** Tries of one build (a worker that dies counts as one) before it stays `failed`. */
export const BUILD_MAX_ATTEMPTS = 5;

/** The work item of a bundle's build. */
export function buildWorkItemId(bundleId: string): string {
  return `ota-build_${bundleId}`;
}

/** Runtime version a bundle needs when the operator does not say: any. */
/** A build waiting for its worker: a fresh attempt id and a fresh set of tries (new bundles and retries). */
export function queuedBuild(ctx: Ctx): OtaBundle["build"] {
  return {
    status: "queued",
    attempt: createId("att", ctx.now()),
    started_at: null,
    finished_at: null,
    progress_pct: 0,
    error: null,
    attempts: 0,
    max_attempts: BUILD_MAX_ATTEMPTS,
  };
}

export const DEFAULT_MIN_BRAIN_VERSION = "0.0.0";

/** A bundle's id: its robot model and version, which together are never reused. */
export function bundleIdFor(robotModel: string, version: string): string {
  return `${robotModel}@${version}`;
}

/** `bundles/ota/{robot_model}/{version}.bundle` (PRODUCT.md §5). */
export function bundleStorageKey(robotModel: string, version: string): string {
  return blobKey("bundles", "ota", robotModel, `${version}.bundle`);
}

/**
 * Ask for a bundle of a production model. Everything that can be refused is checked here, before
 * anything is written: a plain MAJOR.MINOR.PATCH version above 0.0.0 (invalid_version), a valid
 * `requires_version` range, a model that exists (model_not_found) and is in production
 * (model_not_production), model files present with a weights file (model_files_missing,
 * model_file_missing, model_file_empty, model_weights_missing), and a version this robot model
 * never had (version_exists). Then the version is reserved (the bundle document, status `queued`)
 * together with the build's work item, and the `ota-build` worker streams the archive, signs it
 * and stores it. A failed build may be retried with the same version: nothing was published.
 */
export async function buildBundle(ctx: Ctx, raw: unknown): Promise<Doc<OtaBundle>> {
  const user = requireUser(ctx, "operator");
  const input = parseInput(ZBuildBundleInput, raw, "body");
  const version = assertPlainVersion(input.version);
  if (compareVersions(version, "0.0.0") === 0) {
    throw new DomainError("invalid", "version 0.0.0 is what robots with no bundle report; start at 0.0.1 or 1.0.0.", {
      reason: "invalid_version",
      details: { field: "version" },
    });
  }
  const requiresVersion = input.requires_version ? assertVersionRange(input.requires_version) : null;
  const minBrainVersion = input.min_brain_version
    ? assertPlainVersion(input.min_brain_version, "min_brain_version")
    : DEFAULT_MIN_BRAIN_VERSION;
  const model = await ctx.db.get(Models, input.model_id);
  if (!model) {
    throw new DomainError("not_found", `Model ${input.model_id.slice(0, 120)} was not found.`, {
      reason: "model_not_found",
    });
  }
  if (model.data.stage !== "production") {
    throw new DomainError(
      "conflict",
      `Model ${model.id} (${model.data.name} ${model.data.version}) is a ${model.data.stage} model; bundles are built from production models — promote it first.`,
      { reason: "model_not_production" },
    );
  }
  await listModelFiles(ctx, model);
  const robotModel = model.data.robot_model;
  const id = bundleIdFor(robotModel, version);
  const at = ctx.now().toISOString();
  const key = currentOtaKey(ctx.secrets);
  const bundle: OtaBundle = {
    version,
    robot_model: robotModel,
    created_at: at,
    created_by: user.uid,
    training_job_id: model.data.training_job_id,
    storage_ref: bundleStorageKey(robotModel, version),
    model_id: model.id,
    model_name: model.data.name,
    model_version: model.data.version,
    dataset_hash: model.data.dataset?.episode_set_sha256 ?? null,
    build: queuedBuild(ctx),
    manifest: {
      checksum: "",
      size_bytes: 0,
      requires_version: requiresVersion,
      min_brain_version: minBrainVersion,
      release_notes: input.release_notes?.trim() ?? "",
      files: [],
      required_files: [],
    },
    signature: "",
    key_id: key.key_id,
    rollout: {
      status: "built",
      target_percentage: 0,
      deployed_count: 0,
      error_count: 0,
      counts: { ...ZERO_COUNTS },
      policy: DEFAULT_ROLLOUT_POLICY,
      previous_bundle_id: null,
      paused_from: null,
      paused_reason: null,
      paused_by: null,
      paused_at: null,
      auto_paused: false,
      baseline: { deployed: 0, errors: 0 },
      updated_at: at,
    },
    approvals: [],
    history: [],
  };
  await ctx.db.transaction(async (tx) => {
    const existing = await tx.get(OtaBundles, id);
    if (existing && existing.data.build.status !== "failed") {
      throw new DomainError(
        "conflict",
        `${robotModel} already has version ${version} (bundle ${id}, ${existing.data.build.status === "ready" ? existing.data.rollout.status : `build ${existing.data.build.status}`}); a version is never reused — choose a higher one.`,
        { reason: "version_exists" },
      );
    }
    tx.set(OtaBundles, id, bundle);
    tx.set(WorkItems, buildWorkItemId(id), queuedWorkItem(BUILD_QUEUE, { bundle_id: id }, at, BUILD_MAX_ATTEMPTS));
    const audit = auditEntry(ctx, {
      action: "bundle.create",
      target: { type: "ota_bundle", id },
      details: { model_id: model.id, robot_model: robotModel, version, requires_version: requiresVersion },
    });
    tx.create(AuditLog, audit.id, audit.entry);
  });
  ctx.services.notifyWork(BUILD_QUEUE);
  return ctx.db.require(OtaBundles, id, "Bundle");
}
