import { randomBytes } from "node:crypto";
import { z } from "zod";
import { auditEntry } from "@/lib/audit/append-audit";
import { AuditLog } from "@/lib/audit/schemas";
import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import type { Filter } from "@/lib/storage/port";
import type { Doc } from "@/lib/storage/typed";
import { parseInput } from "@/lib/validation";
import { leaseExpiry } from "./lease";
import { logLine } from "./log-line";
import { requireTrainingWorker } from "./require-training-actor";
import {
  DEFAULT_LEASE_S,
  MAX_LEASE_S,
  MIN_LEASE_S,
  TrainingJobs,
  TrainingLogs,
  ZJobType,
  ZRobotModel,
  type Lease,
  type TrainingJob,
} from "./schemas";
import { toJobView, type TrainingJobView } from "./views";

export const ZClaimInput = z
  .object({
    /** Claim this job; without it, the oldest queued job (matching `type`/`robot_model`). */
    job_id: z.string().min(1).max(200).optional(),
    type: ZJobType.optional(),
    robot_model: ZRobotModel.optional(),
    /** A name for the worker, shown in the console (e.g. "colab-ada"). */
    worker: z.string().trim().min(1).max(100).optional(),
    lease_s: z.number().int().min(MIN_LEASE_S).max(MAX_LEASE_S).default(DEFAULT_LEASE_S),
  })
  .strict();

export interface Claim {
  /** Null when no job matched (a general claim on an empty queue). */
  job: TrainingJobView | null;
  lease: { lease_id: string; expires_at: string; lease_s: number } | null;
}

/**
 * Claim a queued job under a lease (atomic: the read and the write are one transaction, so two
 * workers never hold the same job; the loser of a race on one job gets 409 `job_already_claimed`,
 * a general claim just gets the next job or none). The lease lasts `lease_s` and is renewed by
 * heartbeats; the returned `lease_id` goes with every later call. Each claim counts an attempt.
 */
export async function claimTrainingJob(ctx: Ctx, rawInput: unknown = {}): Promise<Claim> {
  const actor = requireTrainingWorker(ctx);
  const input = parseInput(ZClaimInput, rawInput ?? {}, "body");
  const now = ctx.now();
  const leaseId = `lse_${randomBytes(18).toString("base64url")}`;
  const claimed = await ctx.db.transaction(async (tx): Promise<Doc<TrainingJob> | null> => {
    let doc: Doc<TrainingJob> | null;
    if (input.job_id) {
      doc = await tx.get(TrainingJobs, input.job_id);
      if (!doc)
        throw new DomainError("not_found", `Training job ${input.job_id} was not found.`, { reason: "job_not_found" });
      if (doc.data.status === "running") {
        throw new DomainError(
          "conflict",
          `Job ${doc.id} is already claimed by ${doc.data.lease?.worker ?? "another worker"}.`,
          {
            reason: "job_already_claimed",
          },
        );
      }
      if (doc.data.status !== "queued") {
        throw new DomainError("conflict", `Job ${doc.id} is ${doc.data.status}, not queued.`, {
          reason: "job_not_queued",
        });
      }
    } else {
      const where: Filter[] = [{ field: "status", op: "==", value: "queued" }];
      if (input.type) where.push({ field: "type", op: "==", value: input.type });
      if (input.robot_model) where.push({ field: "robot_model", op: "==", value: input.robot_model });
      const page = await tx.query(TrainingJobs, { where, orderBy: { field: "created_at" }, limit: 1 });
      doc = page.docs[0] ?? null;
      if (!doc) return null;
    }
    const lease: Lease = {
      id: leaseId,
      token_id: actor.tokenId,
      worker: input.worker ?? null,
      claimed_at: now.toISOString(),
      renewed_at: now.toISOString(),
      expires_at: leaseExpiry(now, input.lease_s),
      lease_s: input.lease_s,
    };
    const patch = {
      status: "running" as const,
      lease,
      attempts: doc.data.attempts + 1,
      started_at: doc.data.started_at ?? now.toISOString(),
      updated_at: now.toISOString(),
    };
    tx.update(TrainingJobs, doc.id, patch);
    const line = logLine(ctx, doc.id, {
      source: "system",
      message: `Claimed by ${input.worker ?? "a worker"} (attempt ${patch.attempts} of ${doc.data.max_attempts}, lease ${input.lease_s} s).`,
    });
    tx.create(TrainingLogs, line.id, line.data);
    const audit = auditEntry(ctx, {
      action: "training.job_claim",
      target: { type: "training_job", id: doc.id },
      details: { worker: input.worker ?? null, attempt: patch.attempts, lease_s: input.lease_s },
    });
    tx.create(AuditLog, audit.id, audit.entry);
    return { ...doc, data: { ...doc.data, ...patch } };
  });
  if (!claimed) return { job: null, lease: null };
  return {
    job: toJobView(claimed),
    lease: { lease_id: leaseId, expires_at: claimed.data.lease?.expires_at ?? "", lease_s: input.lease_s },
  };
}
