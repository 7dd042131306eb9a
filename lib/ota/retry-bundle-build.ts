import type { Ctx } from "@/lib/context";
import { auditEntry } from "@/lib/audit/append-audit";
import { AuditLog } from "@/lib/audit/schemas";
import { DomainError } from "@/lib/errors";
import type { Doc } from "@/lib/storage/typed";
import { requireUser } from "@/lib/users/authorize";
import { WorkItems } from "@/lib/work-queue/schemas";
import { BUILD_MAX_ATTEMPTS, BUILD_QUEUE, buildWorkItemId, queuedBuild } from "./build-bundle";
import { bundleNotFound } from "./not-found";
import { OtaBundles, type OtaBundle } from "./schemas";
import { queuedWorkItem } from "./work-items";

/**
 * Build a failed bundle again (operators; audited as `bundle.build_retry` with the error it
 * failed with): the same version and model, a fresh attempt id and a fresh set of tries. Only a
 * `failed` build can be retried (409 `build_not_failed` otherwise, nothing changes); a build
 * whose worker died is taken over by itself and needs no retry.
 */
export async function retryBundleBuild(ctx: Ctx, bundleId: string): Promise<Doc<OtaBundle>> {
  requireUser(ctx, "operator");
  const at = ctx.now().toISOString();
  await ctx.db.transaction(async (tx) => {
    const bundle = await tx.get(OtaBundles, bundleId);
    if (!bundle) throw bundleNotFound(bundleId);
    const build = bundle.data.build;
    if (build.status !== "failed") {
      throw new DomainError(
        "conflict",
        `The build of ${bundleId} is ${build.status}; only a failed build can be retried.`,
        { reason: "build_not_failed", details: { status: build.status } },
      );
    }
    tx.update(OtaBundles, bundleId, { build: queuedBuild(ctx) });
    tx.set(
      WorkItems,
      buildWorkItemId(bundleId),
      queuedWorkItem(BUILD_QUEUE, { bundle_id: bundleId }, at, BUILD_MAX_ATTEMPTS),
    );
    const audit = auditEntry(ctx, {
      action: "bundle.build_retry",
      target: { type: "ota_bundle", id: bundleId },
      details: { previous_error: (build.error ?? "").slice(0, 500), previous_attempts: build.attempts ?? null },
    });
    tx.create(AuditLog, audit.id, audit.entry);
  });
  ctx.services.notifyWork(BUILD_QUEUE);
  return ctx.db.require(OtaBundles, bundleId, "Bundle");
}
