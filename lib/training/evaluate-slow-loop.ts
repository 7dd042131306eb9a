import type { Ctx } from "@/lib/context";
import { DomainError, isDomainError } from "@/lib/errors";
import { Episodes } from "@/lib/episodes/schemas";
import type { Filter } from "@/lib/storage/port";
import { requireUser } from "@/lib/users/authorize";
import { createTrainingJob } from "./create-training-job";
import { ModelLines, SlowLoopPolicies, TrainingJobs, type SlowLoopPolicy } from "./schemas";

export type SlowLoopDecision = NonNullable<SlowLoopPolicy["last_decision"]>;

/**
 * Decide whether a robot model's slow loop should queue a job now, and queue it. "New" episodes
 * are validated, training-eligible episodes of that robot model no model has been trained on yet
 * (status `validated`). A job is queued when the policy is enabled, a production model exists
 * (the job starts from it), no slow-loop job of that robot model is still queued, the minimum
 * interval since the last one has passed, and at least `min_new_episodes` are new. The job takes
 * the oldest new episodes up to `max_episodes`. The decision is recorded on the policy.
 */
export async function evaluateSlowLoop(ctx: Ctx, robotModel: string): Promise<SlowLoopDecision> {
  if (ctx.actor.kind !== "system") requireUser(ctx, "operator");
  const policy = await ctx.db.get(SlowLoopPolicies, robotModel);
  if (!policy) {
    throw new DomainError("not_found", `There is no slow-loop policy for ${robotModel}.`, {
      reason: "policy_not_found",
    });
  }
  const now = ctx.now();
  const decide = async (): Promise<SlowLoopDecision> => {
    const waiting = (reason: string, newEpisodes: number | null = null): SlowLoopDecision => ({
      at: now.toISOString(),
      outcome: "waiting",
      reason,
      new_episodes: newEpisodes,
      job_id: null,
    });
    if (!policy.data.enabled) return waiting("disabled");
    const line = await ctx.db.get(ModelLines, robotModel);
    if (!line?.data.production_model_id) return waiting("no_production_model");
    if (line.data.slow_loop_job_id) {
      const pending = await ctx.db.get(TrainingJobs, line.data.slow_loop_job_id);
      if (pending?.data.status === "queued") return waiting("job_already_queued");
    }
    if (policy.data.last_queued_at) {
      const due = new Date(policy.data.last_queued_at).getTime() + policy.data.min_interval_s * 1000;
      if (now.getTime() < due) return waiting("interval_not_elapsed");
    }
    const where: Filter[] = [
      { field: "robot_model", op: "==", value: robotModel },
      { field: "status", op: "==", value: "validated" },
      { field: "training_eligible", op: "==", value: true },
    ];
    const fresh = await ctx.db.count(Episodes, { where });
    if (fresh < policy.data.min_new_episodes) return waiting("not_enough_new_episodes", fresh);
    const page = await ctx.db.query(Episodes, {
      where,
      orderBy: { field: "uploaded_at" },
      limit: Math.min(policy.data.max_episodes, 1000),
    });
    let ids = page.docs.map((doc) => doc.id);
    let cursor = page.nextCursor;
    while (cursor && ids.length < policy.data.max_episodes) {
      const next = await ctx.db.query(Episodes, { where, orderBy: { field: "uploaded_at" }, limit: 1000, cursor });
      ids = ids.concat(next.docs.map((doc) => doc.id));
      cursor = next.nextCursor;
    }
    ids = ids.slice(0, policy.data.max_episodes);
    try {
      const job = await createTrainingJob(
        ctx,
        { type: "slow_loop", episode_ids: ids, robot_model: robotModel, hyperparams: policy.data.hyperparams },
        { source: "slow_loop" },
      );
      return {
        at: now.toISOString(),
        outcome: "queued",
        reason: "enough_new_episodes",
        new_episodes: fresh,
        job_id: job.job_id,
      };
    } catch (error) {
      // Lost a race with another evaluator or an operator: the queued job is the one we wanted.
      if (isDomainError(error) && error.reason === "slow_loop_already_queued")
        return waiting("job_already_queued", fresh);
      throw error;
    }
  };
  const decision = await decide();
  await ctx.db.update(SlowLoopPolicies, robotModel, {
    last_evaluated_at: now.toISOString(),
    last_decision: decision,
    ...(decision.outcome === "queued" ? { last_queued_at: now.toISOString(), last_job_id: decision.job_id } : {}),
  });
  return decision;
}
