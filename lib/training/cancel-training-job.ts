import { z } from "zod";
import { auditEntry } from "@/lib/audit/append-audit";
import { AuditLog } from "@/lib/audit/schemas";
import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { requireUser } from "@/lib/users/authorize";
import { parseInput } from "@/lib/validation";
import { WorkItems } from "@/lib/work-queue/schemas";
import { logLine } from "./log-line";
import { TrainingJobs, TrainingLogs } from "./schemas";
import { episodeSyncWorkItem, syncJobEpisodesNow } from "./sync-job-episodes";
import { toJobView, type TrainingJobView } from "./views";

export const ZCancelInput = z.object({ reason: z.string().trim().max(500).optional() }).strict();

/**
 * An operator cancels a queued or running job (audited). The worker holding it learns on its next
 * call (409 `job_cancelled`); its episodes go back to `validated`. Finished jobs cannot be cancelled.
 */
export async function cancelTrainingJob(ctx: Ctx, jobId: string, rawInput: unknown = {}): Promise<TrainingJobView> {
  const user = requireUser(ctx, "operator");
  const input = parseInput(ZCancelInput, rawInput ?? {}, "body");
  const now = ctx.now().toISOString();
  const sync = episodeSyncWorkItem(ctx, jobId);
  const job = await ctx.db.transaction(async (tx) => {
    const doc = await tx.get(TrainingJobs, jobId);
    if (!doc) throw new DomainError("not_found", `Training job ${jobId} was not found.`, { reason: "job_not_found" });
    if (doc.data.status !== "queued" && doc.data.status !== "running") {
      throw new DomainError("conflict", `Job ${jobId} is already ${doc.data.status}.`, { reason: "job_finished" });
    }
    const lease = doc.data.lease;
    const patch = {
      status: "cancelled" as const,
      completed_at: now,
      updated_at: now,
      cancelled_by: user.email,
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
              end_reason: "cancelled" as const,
            },
          ]
        : doc.data.lease_history,
      error: {
        message: input.reason ? `Cancelled: ${input.reason}` : "Cancelled by an operator.",
        reason: "cancelled",
        at: now,
      },
    };
    tx.update(TrainingJobs, jobId, patch);
    tx.set(WorkItems, sync.id, sync.data);
    const line = logLine(ctx, jobId, {
      source: "system",
      level: "warn",
      message: `Cancelled by ${user.email}${input.reason ? `: ${input.reason}` : ""}`,
    });
    tx.create(TrainingLogs, line.id, line.data);
    const audit = auditEntry(ctx, {
      action: "training.job_cancel",
      target: { type: "training_job", id: jobId },
      details: { from: doc.data.status, reason: input.reason ?? null, held_by: lease?.worker ?? null },
    });
    tx.create(AuditLog, audit.id, audit.entry);
    return { ...doc, data: { ...doc.data, ...patch } };
  });
  await syncJobEpisodesNow(ctx, jobId);
  return toJobView(job);
}
