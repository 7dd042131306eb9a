import type { Ctx } from "@/lib/context";
import { evaluateSlowLoop } from "./evaluate-slow-loop";
import { SlowLoopPolicies } from "./schemas";

/** The slow-loop queue name: ingestion may `notifyWork` it when new episodes arrive. */
export const SLOW_LOOP_QUEUE = "training-slow-loop";

/** Background pass: evaluate every enabled slow-loop policy; returns how many jobs it queued. */
export async function evaluateSlowLoops(ctx: Ctx): Promise<number> {
  const page = await ctx.db.query(SlowLoopPolicies, {
    where: [{ field: "enabled", op: "==", value: true }],
    orderBy: { field: "robot_model" },
    limit: 500,
  });
  let queued = 0;
  for (const policy of page.docs) {
    try {
      const decision = await evaluateSlowLoop(ctx, policy.id);
      if (decision.outcome === "queued") queued += 1;
    } catch (error) {
      ctx.log.warn({ err: error, robot_model: policy.id }, "slow-loop evaluation failed");
    }
  }
  return queued;
}
