import { z } from "zod";
import { auditEntry } from "@/lib/audit/append-audit";
import { AuditLog } from "@/lib/audit/schemas";
import type { Ctx } from "@/lib/context";
import { requireUser } from "@/lib/users/authorize";
import { parseInput } from "@/lib/validation";
import { DEFAULT_SLOW_LOOP, MAX_JOB_EPISODES, SlowLoopPolicies, ZRobotModel, type SlowLoopPolicy } from "./schemas";

export const ZSlowLoopPolicyInput = z
  .object({
    enabled: z.boolean(),
    min_new_episodes: z.number().int().min(1).max(MAX_JOB_EPISODES).default(DEFAULT_SLOW_LOOP.min_new_episodes),
    min_interval_s: z
      .number()
      .int()
      .min(0)
      .max(30 * 24 * 3600)
      .default(DEFAULT_SLOW_LOOP.min_interval_s),
    max_episodes: z.number().int().min(1).max(MAX_JOB_EPISODES).default(DEFAULT_SLOW_LOOP.max_episodes),
    hyperparams: z.record(z.string().max(64), z.union([z.number(), z.string().max(200), z.boolean()])).default({}),
  })
  .strict()
  .refine((policy) => policy.max_episodes >= policy.min_new_episodes, {
    message: "max_episodes must be at least min_new_episodes.",
    path: ["max_episodes"],
  });

/** An operator sets the slow-loop policy of a robot model (audited, with what changed). */
export async function setSlowLoopPolicy(ctx: Ctx, robotModel: string, rawInput: unknown): Promise<SlowLoopPolicy> {
  const user = requireUser(ctx, "operator");
  const model = parseInput(ZRobotModel, robotModel, "robot_model");
  const input = parseInput(ZSlowLoopPolicyInput, rawInput, "body");
  const now = ctx.now().toISOString();
  return ctx.db.transaction(async (tx) => {
    const existing = await tx.get(SlowLoopPolicies, model);
    const policy: SlowLoopPolicy = {
      last_evaluated_at: null,
      last_decision: null,
      last_queued_at: null,
      last_job_id: null,
      ...existing?.data,
      robot_model: model,
      enabled: input.enabled,
      min_new_episodes: input.min_new_episodes,
      min_interval_s: input.min_interval_s,
      max_episodes: input.max_episodes,
      hyperparams: input.hyperparams,
      updated_at: now,
      updated_by: user.email,
    };
    tx.set(SlowLoopPolicies, model, policy);
    const audit = auditEntry(ctx, {
      action: "training.slow_loop_update",
      target: { type: "slow_loop_policy", id: model },
      details: {
        before: existing
          ? {
              enabled: existing.data.enabled,
              min_new_episodes: existing.data.min_new_episodes,
              min_interval_s: existing.data.min_interval_s,
              max_episodes: existing.data.max_episodes,
            }
          : null,
        after: {
          enabled: policy.enabled,
          min_new_episodes: policy.min_new_episodes,
          min_interval_s: policy.min_interval_s,
          max_episodes: policy.max_episodes,
        },
      },
    });
    tx.create(AuditLog, audit.id, audit.entry);
    return policy;
  });
}
