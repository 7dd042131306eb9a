import type { Ctx } from "@/lib/context";
import { evaluateRolloutHealth } from "./evaluate-rollout-health";
import { OtaBundles, RolloutSnapshots } from "./schemas";
import { writeRolloutSnapshot } from "./write-rollout-snapshot";

/**
 * The `ota-rollout-sweep` worker (every minute): for every rollout robots are taking (canary or
 * production), apply the health policy and add a chart point when the counts moved since the last
 * one. A backstop for the work done after each report, e.g. when the process stopped in between.
 */
export async function sweepRollouts(ctx: Ctx): Promise<number> {
  const page = await ctx.db.query(OtaBundles, {
    where: [{ field: "rollout.status", op: "in", value: ["canary", "production"] }],
    limit: 200,
  });
  for (const bundle of page.docs) {
    try {
      await evaluateRolloutHealth(ctx, bundle.id);
      const last = await ctx.db.query(RolloutSnapshots, {
        where: [{ field: "bundle_id", op: "==", value: bundle.id }],
        orderBy: { field: "at", direction: "desc" },
        limit: 1,
      });
      const previous = last.docs[0]?.data;
      const fresh = await ctx.db.get(OtaBundles, bundle.id);
      if (!fresh) continue;
      if (
        !previous ||
        previous.status !== fresh.data.rollout.status ||
        JSON.stringify(previous.counts) !== JSON.stringify(fresh.data.rollout.counts)
      ) {
        await writeRolloutSnapshot(ctx, fresh);
      }
    } catch (error) {
      ctx.log.warn({ err: error, bundle_id: bundle.id }, "rollout sweep failed for one bundle");
    }
  }
  // Nothing here needs an immediate second pass.
  return 0;
}
