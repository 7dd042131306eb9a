import { z } from "zod";
import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { parseInput } from "@/lib/validation";
import { leaseExpiry, requireLease } from "./lease";
import { requireTrainingWorker } from "./require-training-actor";
import { MAX_LEASE_S, MIN_LEASE_S, TrainingJobs, type Progress } from "./schemas";

export const ZProgressInput = z
  .object({
    step: z.number().int().min(0).max(1e12),
    total_steps: z.number().int().min(1).max(1e12).optional(),
    message: z.string().trim().max(500).optional(),
  })
  .strict();

export const ZHeartbeatInput = z
  .object({
    /** Optional for seed-style callers whose token holds the lease. */
    lease_id: z.string().min(1).max(100).optional(),
    progress: ZProgressInput.optional(),
    /** Renew for this long (default: the claim's lease length). */
    lease_s: z.number().int().min(MIN_LEASE_S).max(MAX_LEASE_S).optional(),
  })
  .strict();

export function toProgress(input: z.infer<typeof ZProgressInput>, totalSteps: number, at: string): Progress {
  const total = input.total_steps ?? totalSteps;
  return {
    step: input.step,
    total_steps: total,
    fraction: Math.min(1, input.step / total),
    message: input.message ?? null,
    updated_at: at,
  };
}

/**
 * The lease holder says it is alive (and how far it got): the lease is renewed from now. A lapsed
 * lease cannot be renewed (409 `lease_expired`): the job may already be someone else's.
 */
export async function heartbeatTrainingJob(
  ctx: Ctx,
  jobId: string,
  rawInput: unknown,
): Promise<{ job_id: string; status: "running"; lease_expires_at: string; progress: Progress | null }> {
  const actor = requireTrainingWorker(ctx);
  const input = parseInput(ZHeartbeatInput, rawInput ?? {}, "body");
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const job = await tx.get(TrainingJobs, jobId);
    if (!job) throw new DomainError("not_found", `Training job ${jobId} was not found.`, { reason: "job_not_found" });
    const lease = requireLease(ctx, actor, job, input.lease_id);
    const leaseS = input.lease_s ?? lease.lease_s;
    const expiresAt = leaseExpiry(now, leaseS);
    const progress = input.progress
      ? toProgress(input.progress, job.data.config.hyperparams.num_steps, now.toISOString())
      : job.data.progress;
    tx.update(TrainingJobs, jobId, {
      "lease.expires_at": expiresAt,
      "lease.renewed_at": now.toISOString(),
      "lease.lease_s": leaseS,
      progress,
      updated_at: now.toISOString(),
    });
    return { job_id: jobId, status: "running" as const, lease_expires_at: expiresAt, progress };
  });
}
