import type { Ctx } from "@/lib/context";
import { fieldValue } from "@/lib/storage/port";
import { cohortBucket } from "./cohort";
import { deploymentId, OtaBundles, OtaDeployments, type OfferBundle, type OtaDeployment } from "./schemas";

/**
 * Make sure a robot's offer of a bundle is on record (`offered`), once: the first offer creates the
 * deployment and counts it; later checks only read. Returns the deployment and whether this call
 * created it.
 */
export async function recordOffer(
  ctx: Ctx,
  bundle: OfferBundle,
  deviceId: string,
  via: OtaDeployment["offered_via"],
): Promise<{ deployment: OtaDeployment; created: boolean }> {
  const id = deploymentId(bundle.id, deviceId);
  const existing = await ctx.db.get(OtaDeployments, id);
  if (existing) return { deployment: existing.data, created: false };
  const at = ctx.now().toISOString();
  const deployment: OtaDeployment = {
    bundle_id: bundle.id,
    device_id: deviceId,
    robot_model: bundle.data.robot_model,
    version: bundle.data.version,
    state: "offered",
    outcome: null,
    error: null,
    rolled_back_by: null,
    offered_via: via,
    cohort_bucket: cohortBucket(bundle.id, deviceId),
    offered_at: at,
    downloaded_at: null,
    installed_at: null,
    failed_at: null,
    rolled_back_at: null,
    fetch_count: 0,
    updated_at: at,
  };
  return ctx.db.transaction(async (tx) => {
    const again = await tx.get(OtaDeployments, id);
    if (again) return { deployment: again.data, created: false };
    tx.create(OtaDeployments, id, deployment);
    tx.update(OtaBundles, bundle.id, {
      "rollout.counts.offered": fieldValue.increment(1),
      "rollout.updated_at": at,
    });
    return { deployment, created: true };
  });
}
