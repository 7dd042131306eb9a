import type { Ctx } from "@/lib/context";
import { requireUser } from "@/lib/users/authorize";
import { bundleNotFound } from "./not-found";
import { OtaBundles, RolloutSnapshots, type DeploymentCounts, type RolloutStatus } from "./schemas";

export interface RolloutPoint extends DeploymentCounts {
  at: string;
  status: RolloutStatus;
  target_percentage: number;
}

/**
 * The rollout chart's data: one point per minute in which something moved (oldest first, at most
 * the last 1 000), then the live counts as the last point.
 */
export async function getRolloutSeries(ctx: Ctx, bundleId: string): Promise<{ points: RolloutPoint[] }> {
  requireUser(ctx, "operator");
  const bundle = await ctx.db.get(OtaBundles, bundleId);
  if (!bundle) throw bundleNotFound(bundleId);
  const page = await ctx.db.query(RolloutSnapshots, {
    where: [{ field: "bundle_id", op: "==", value: bundleId }],
    orderBy: { field: "at", direction: "desc" },
    limit: 1000,
  });
  const points: RolloutPoint[] = page.docs
    .map((doc) => ({
      at: doc.data.at,
      status: doc.data.status,
      target_percentage: doc.data.target_percentage,
      ...doc.data.counts,
    }))
    .reverse();
  points.push({
    at: ctx.now().toISOString(),
    status: bundle.data.rollout.status,
    target_percentage: bundle.data.rollout.target_percentage,
    ...bundle.data.rollout.counts,
  });
  return { points };
}
