import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import type { Doc } from "@/lib/storage/typed";
import { requireUser } from "@/lib/users/authorize";
import type { TrainingActor } from "./require-training-actor";
import type { Lease, TrainingJob } from "./schemas";

/**
 * The caller must hold the job's current, unexpired lease. The answers, in order:
 * - job cancelled → 409 `job_cancelled` (the worker should stop);
 * - job completed or failed → 409 `job_not_running`;
 * - the lease id is one this job had before (it lapsed and the job was requeued or re-claimed),
 *   or it is the current one but past its expiry → 409 `lease_expired`;
 * - any other lease id, or a lease held by another token → 403 `not_lease_holder`.
 */
export function requireLease(
  ctx: Ctx,
  actor: TrainingActor,
  job: Doc<TrainingJob>,
  leaseId: string | null | undefined,
): Lease {
  const data = job.data;
  if (data.status === "cancelled") {
    throw new DomainError("conflict", `Job ${job.id} was cancelled; stop working on it.`, { reason: "job_cancelled" });
  }
  if (data.status === "completed" || data.status === "failed") {
    throw new DomainError("conflict", `Job ${job.id} is already ${data.status}.`, { reason: "job_not_running" });
  }
  const lease = data.lease;
  // A seed-style caller (no lease id) is the holder when its token holds the lease.
  const effectiveId = leaseId ?? (lease && lease.token_id === actor.tokenId ? lease.id : null);
  if (lease && effectiveId === lease.id && lease.token_id === actor.tokenId) {
    if (new Date(lease.expires_at).getTime() <= ctx.now().getTime()) {
      throw new DomainError("conflict", `Your lease on job ${job.id} expired at ${lease.expires_at}; claim it again.`, {
        reason: "lease_expired",
      });
    }
    return lease;
  }
  if (
    effectiveId &&
    data.lease_history.some((record) => record.id === effectiveId && record.token_id === actor.tokenId)
  ) {
    throw new DomainError("conflict", `Your lease on job ${job.id} lapsed and the job went back to the queue.`, {
      reason: "lease_expired",
    });
  }
  throw new DomainError("forbidden", `Job ${job.id} is not held by you (lease_id does not match its lease).`, {
    reason: "not_lease_holder",
  });
}

export function leaseExpiry(now: Date, leaseS: number): string {
  return new Date(now.getTime() + leaseS * 1000).toISOString();
}

/**
 * Who may finish a job: the lease holder (a training token), or an operator (the seed's
 * `POST /api/training/update` from the console side, e.g. to record a run done by hand). Returns
 * the lease being ended, if any. Finished jobs are refused the same way for both.
 */
export function authorizeJobFinish(ctx: Ctx, job: Doc<TrainingJob>, leaseId: string | null | undefined): Lease | null {
  if (ctx.actor.kind === "training") return requireLease(ctx, ctx.actor, job, leaseId);
  requireUser(ctx, "operator");
  if (job.data.status === "cancelled") {
    throw new DomainError("conflict", `Job ${job.id} was cancelled.`, { reason: "job_cancelled" });
  }
  if (job.data.status === "completed" || job.data.status === "failed") {
    throw new DomainError("conflict", `Job ${job.id} is already ${job.data.status}.`, { reason: "job_not_running" });
  }
  return job.data.lease;
}
