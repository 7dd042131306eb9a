import { actorId, type Ctx } from "@/lib/context";
import { auditEntry } from "@/lib/audit/append-audit";
import { AuditLog } from "@/lib/audit/schemas";
import { DomainError } from "@/lib/errors";
import type { Doc } from "@/lib/storage/typed";
import { WorkItems } from "@/lib/work-queue/schemas";
import { planRolloutAction, type ActorRef, type RolloutAction } from "./rollout-state";
import { OtaBundles, OtaTracks, type OtaBundle } from "./schemas";
import { queuedWorkItem } from "./work-items";
import { writeRolloutSnapshot } from "./write-rollout-snapshot";

/** The queue whose worker marks a rolled-back bundle's deployments. */
export const ROLLBACK_QUEUE = "ota-rollback";

export function actorRef(ctx: Ctx): ActorRef {
  return {
    kind: ctx.actor.kind,
    id: actorId(ctx.actor),
    ...(ctx.actor.kind === "user" ? { email: ctx.actor.email } : {}),
  };
}

/**
 * Run one rollout action atomically: read the bundle, its robot model's track and the production
 * bundles involved, plan with the state machine, and write the bundle, the track, any superseded or
 * restored bundle, the audit entry and (for a rollback) the follow-up work item — all in one
 * transaction, so a crash leaves the rollout before or after the action, never between.
 */
export async function applyRolloutAction(
  ctx: Ctx,
  bundleId: string,
  action: RolloutAction,
  note: string | null = null,
  /** Checked on the bundle as read inside the transaction; throw to abandon the action. */
  guard?: (bundle: Doc<OtaBundle>) => void,
): Promise<Doc<OtaBundle>> {
  const at = ctx.now().toISOString();
  const result = await ctx.db.transaction(async (tx) => {
    const bundle = await tx.get(OtaBundles, bundleId);
    if (!bundle) {
      throw new DomainError("not_found", `Bundle ${bundleId.slice(0, 120)} was not found.`, {
        reason: "bundle_not_found",
      });
    }
    guard?.(bundle);
    const track = await tx.get(OtaTracks, bundle.data.robot_model);
    const productionId = track?.data.production_bundle_id;
    const production = productionId && productionId !== bundle.id ? await tx.get(OtaBundles, productionId) : null;
    const previousId = track?.data.previous_production_ids.at(-1);
    const previousProduction = previousId ? await tx.get(OtaBundles, previousId) : null;
    const plan = planRolloutAction(
      { bundle, track, production, previousProduction, at, actor: actorRef(ctx), note },
      action,
    );
    tx.update(OtaBundles, bundle.id, plan.bundlePatch);
    tx.set(OtaTracks, bundle.data.robot_model, plan.track);
    for (const other of plan.others) tx.update(OtaBundles, other.id, other.patch);
    const audit = auditEntry(ctx, {
      action: plan.audit.action,
      target: { type: "ota_bundle", id: bundle.id },
      details: plan.audit.details,
    });
    tx.create(AuditLog, audit.id, audit.entry);
    if (plan.rollbackDeployments) {
      // The work item is written with the rollback itself: a crash cannot lose the follow-up.
      tx.set(WorkItems, `ota-rollback_${bundle.id}`, queuedWorkItem(ROLLBACK_QUEUE, { bundle_id: bundle.id }, at, 20));
    }
    return { plan, others: plan.others.map((other) => other.id) };
  });
  if (result.plan.rollbackDeployments) ctx.services.notifyWork(ROLLBACK_QUEUE);
  const updated = await ctx.db.require(OtaBundles, bundleId, "Bundle");
  await writeRolloutSnapshot(ctx, updated).catch((error) =>
    ctx.log.warn({ err: error, bundle_id: bundleId }, "rollout snapshot failed"),
  );
  return updated;
}
