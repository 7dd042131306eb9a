import { auditEntry } from "@/lib/audit/append-audit";
import { AuditLog } from "@/lib/audit/schemas";
import type { Ctx } from "@/lib/context";
import { WorkItems } from "@/lib/work-queue/schemas";
import { logLine } from "./log-line";
import { TrainingJobs, TrainingLogs } from "./schemas";
import { episodeSyncWorkItem, syncJobEpisodesNow } from "./sync-job-episodes";

/**
 * Background pass: a running job whose lease lapsed (its worker stopped heartbeating) goes back to
 * `queued`, or to `failed` once it used all its attempts. Each job is re-checked in its own
 * transaction, so a heartbeat that lands first wins and several server instances can run this.
 */
export async function requeueLapsedTrainingJobs(ctx: Ctx): Promise<number> {
  const now = ctx.now().toISOString();
  const page = await ctx.db.query(TrainingJobs, {
    where: [
      { field: "status", op: "==", value: "running" },
      { field: "lease.expires_at", op: "<", value: now },
    ],
    orderBy: { field: "lease.expires_at" },
    limit: 50,
  });
  let handled = 0;
  for (const candidate of page.docs) {
    const failed = await ctx.db.transaction(async (tx) => {
      const job = await tx.get(TrainingJobs, candidate.id);
      const lease = job?.data.lease;
      if (!job || job.data.status !== "running" || !lease || lease.expires_at >= now) return null;
      const exhausted = job.data.attempts >= job.data.max_attempts;
      const message = exhausted
        ? `The lease lapsed on attempt ${job.data.attempts} of ${job.data.max_attempts}; giving up.`
        : `The lease of ${lease.worker ?? "the worker"} lapsed at ${lease.expires_at}; back in the queue (attempt ${job.data.attempts} of ${job.data.max_attempts} used).`;
      tx.update(TrainingJobs, job.id, {
        status: exhausted ? "failed" : "queued",
        completed_at: exhausted ? now : null,
        updated_at: now,
        lease: null,
        lease_history: [
          ...job.data.lease_history,
          {
            id: lease.id,
            token_id: lease.token_id,
            worker: lease.worker,
            claimed_at: lease.claimed_at,
            ended_at: now,
            end_reason: "lapsed",
          },
        ],
        error: { message, reason: exhausted ? "attempts_exhausted" : "lease_lapsed", at: now },
      });
      if (exhausted) {
        const sync = episodeSyncWorkItem(ctx, job.id);
        tx.set(WorkItems, sync.id, sync.data);
      }
      const entry = logLine(ctx, job.id, { source: "system", level: "warn", message });
      tx.create(TrainingLogs, entry.id, entry.data);
      const audit = auditEntry(ctx, {
        action: exhausted ? "training.job_fail" : "training.job_requeue",
        target: { type: "training_job", id: job.id },
        outcome: exhausted ? "failure" : "success",
        details: {
          reason: exhausted ? "attempts_exhausted" : "lease_lapsed",
          attempts: job.data.attempts,
          worker: lease.worker,
        },
      });
      tx.create(AuditLog, audit.id, audit.entry);
      return exhausted;
    });
    if (failed === null) continue;
    handled += 1;
    if (failed) await syncJobEpisodesNow(ctx, candidate.id);
  }
  return handled;
}
