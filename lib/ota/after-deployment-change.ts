import type { Ctx } from "@/lib/context";
import { evaluateRolloutHealth } from "./evaluate-rollout-health";
import { OtaBundles } from "./schemas";
import { writeRolloutSnapshot } from "./write-rollout-snapshot";

/**
 * What follows a committed deployment change: the policy looks at the new outcome (and may pause
 * the rollout), and the chart gets its point. Neither is part of the robot's answer: a failure here
 * is logged, and the rollout sweep repeats both.
 */
export async function afterDeploymentChange(ctx: Ctx, bundleId: string, outcomeChanged: boolean): Promise<void> {
  try {
    if (outcomeChanged) await evaluateRolloutHealth(ctx, bundleId);
    const bundle = await ctx.db.get(OtaBundles, bundleId);
    if (bundle) await writeRolloutSnapshot(ctx, bundle);
  } catch (error) {
    ctx.log.warn({ err: error, bundle_id: bundleId }, "rollout follow-up failed; the sweep will retry");
  }
}
