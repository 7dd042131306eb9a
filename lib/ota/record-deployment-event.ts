import type { Ctx } from "@/lib/context";
import { fieldValue, type UpdatePatch } from "@/lib/storage/port";
import type { Doc, TypedTransaction } from "@/lib/storage/typed";
import { planDeploymentTransition, type CounterDeltas, type DeploymentEvent } from "./deployment-transition";
import { deploymentId, OtaBundles, OtaDeployments, type OtaDeployment } from "./schemas";

/**
 * The bundle counter increments for a transition. They are written in the same transaction as the
 * deployment, as increments (blind writes, no read of the bundle), so counts stay exact under
 * concurrent reports and a crash leaves either both changes or neither.
 */
export function counterPatch(deltas: CounterDeltas, at: string): UpdatePatch {
  const patch: UpdatePatch = {};
  for (const [state, delta] of Object.entries(deltas.counts)) {
    if (delta) patch[`rollout.counts.${state}`] = fieldValue.increment(delta);
  }
  if (deltas.deployed) patch["rollout.deployed_count"] = fieldValue.increment(deltas.deployed);
  if (deltas.errors) patch["rollout.error_count"] = fieldValue.increment(deltas.errors);
  if (Object.keys(patch).length) patch["rollout.updated_at"] = at;
  return patch;
}

/** Apply an event to a deployment inside an open transaction (after its reads). */
export function writeDeploymentEvent(
  tx: TypedTransaction,
  deployment: Doc<OtaDeployment>,
  event: DeploymentEvent,
  at: string,
): { data: OtaDeployment; changed: boolean; outcomeChanged: boolean } {
  const plan = planDeploymentTransition(deployment.data, event, at);
  if (!plan.changed) return { data: deployment.data, changed: false, outcomeChanged: false };
  tx.update(OtaDeployments, deployment.id, plan.patch);
  const counters = counterPatch(plan.deltas, at);
  if (Object.keys(counters).length) tx.update(OtaBundles, deployment.data.bundle_id, counters);
  return {
    data: { ...deployment.data, ...plan.patch },
    changed: true,
    outcomeChanged: plan.deltas.deployed !== 0 || plan.deltas.errors !== 0,
  };
}

/**
 * Record what happened to one robot and one bundle. Returns null when the robot was never offered
 * the bundle (there is no deployment to move).
 */
export async function recordDeploymentEvent(
  ctx: Ctx,
  bundleId: string,
  deviceId: string,
  event: DeploymentEvent,
): Promise<{ data: OtaDeployment; changed: boolean; outcomeChanged: boolean } | null> {
  const at = ctx.now().toISOString();
  return ctx.db.transaction(async (tx) => {
    const deployment = await tx.get(OtaDeployments, deploymentId(bundleId, deviceId));
    if (!deployment) return null;
    return writeDeploymentEvent(tx, deployment, event, at);
  });
}
