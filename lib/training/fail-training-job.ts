import { z } from "zod";
import { auditEntry } from "@/lib/audit/append-audit";
import { AuditLog } from "@/lib/audit/schemas";
import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { parseInput } from "@/lib/validation";
import { WorkItems } from "@/lib/work-queue/schemas";
import { authorizeJobFinish } from "./lease";
import { logLine } from "./log-line";
import { TrainingJobs, TrainingLogs } from "./schemas";
import { episodeSyncWorkItem, syncJobEpisodesNow } from "./sync-job-episodes";
import { toJobView, type TrainingJobView } from "./views";

export const ZFailInput = z
  .object({
    lease_id: z.string().min(1).max(100).optional(),
    error: z.string().trim().min(1, "Say what went wrong.").max(4000),
    /** Put the job back in the queue for another attempt (while attempts remain) instead of failing it. */
    retry: z.boolean().default(false),
  })
  .strict();

/**
 * The lease holder (or an operator) gives up on a job: `failed` with the error (its episodes go back to
 * `validated`), or, with `retry` and attempts left, back to `queued` for another worker.
 */
export async function failTrainingJob(ctx: Ctx, jobId: string, rawInput: unknown): Promise<TrainingJobView> {
  const input = parseInput(ZFailInput, rawInput, "body");
  const now = ctx.now().toISOString();
  const sync = episodeSyncWorkItem(ctx, jobId);
  const job = await ctx.db.transaction(async (tx) => {
    const doc = await tx.get(TrainingJobs, jobId);
    if (!doc) throw new DomainError("not_found", `Training job ${jobId} was not found.`, { reason: "job_not_found" });
    const lease = authorizeJobFinish(ctx, doc, input.lease_id);
    const requeue = input.retry && doc.data.attempts < doc.data.max_attempts;
    const patch = {
      status: requeue ? ("queued" as const) : ("failed" as const),
      completed_at: requeue ? null : now,
      updated_at: now,
      lease: null,
      lease_history: lease
        ? [
            ...doc.data.lease_history,
            {
              id: lease.id,
              token_id: lease.token_id,
              worker: lease.worker,
              claimed_at: lease.claimed_at,
              ended_at: now,
              end_reason: "failed" as const,
            },
          ]
        : doc.data.lease_history,
      error: { message: input.error, reason: requeue ? "worker_retry" : "worker_failed", at: now },
    };
    tx.update(TrainingJobs, jobId, patch);
    if (!requeue) tx.set(WorkItems, sync.id, sync.data);
    const entry = logLine(ctx, jobId, {
      source: "system",
      level: "error",
      message: requeue ? `Failed, back in the queue for another attempt: ${input.error}` : `Failed: ${input.error}`,
    });
    tx.create(TrainingLogs, entry.id, entry.data);
    const audit = auditEntry(ctx, {
      action: "training.job_fail",
      target: { type: "training_job", id: jobId },
      outcome: "failure",
      details: { error: input.error.slice(0, 500), requeued: requeue, attempt: doc.data.attempts },
    });
    tx.create(AuditLog, audit.id, audit.entry);
    return { ...doc, data: { ...doc.data, ...patch } };
  });
  if (job.data.status === "failed") await syncJobEpisodesNow(ctx, jobId);
  return toJobView(job);
}
