import { z } from "zod";
import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { parseInput } from "@/lib/validation";
import { readModelFiles } from "@/lib/models/model-files";
import { locateModelFolder } from "./blob-refs";
import { claimTrainingJob } from "./claim-training-job";
import { completeTrainingJob } from "./complete-training-job";
import { failTrainingJob } from "./fail-training-job";
import { heartbeatTrainingJob, ZProgressInput } from "./heartbeat-training-job";
import { TrainingJobs, ZMetricsInput } from "./schemas";

/** The seed's request: `{job_id, status, output?, model_ref?, metrics?}`, plus `lease_id`, `error`, `progress`. */
export const ZSeedUpdateInput = z
  .object({
    job_id: z.string().min(1).max(200),
    status: z.enum(["running", "completed", "failed"]),
    output: z
      .object({
        model_ref: z.string().min(1).max(1000).optional(),
        metrics: ZMetricsInput.optional(),
        error: z.string().max(4000).optional(),
      })
      .loose()
      .optional(),
    model_ref: z.string().min(1).max(1000).optional(),
    metrics: ZMetricsInput.optional(),
    error: z.string().max(4000).optional(),
    lease_id: z.string().min(1).max(100).optional(),
    progress: ZProgressInput.optional(),
  })
  .strict();

export interface SeedUpdateResult {
  job_id: string;
  status: "running" | "completed" | "failed" | "queued";
  lease_id?: string;
  lease_expires_at?: string;
  model_id?: string;
}

/**
 * `POST /api/training/update`, kept as field trainers use it. With a training token: `running`
 * claims a queued job (the answer carries the `lease_id`) or renews the caller's lease;
 * `completed` completes it (`model_ref` required, under the job's checkpoint folder); `failed`
 * fails it. A token's lease is found from the token when `lease_id` is left out. An operator may
 * record `completed` or `failed` (a run done by hand), never `running`.
 */
export async function updateTrainingJob(ctx: Ctx, rawInput: unknown): Promise<SeedUpdateResult> {
  const input = parseInput(ZSeedUpdateInput, rawInput, "body");
  const modelRef = input.model_ref ?? input.output?.model_ref;
  const metrics = { ...(input.output?.metrics ?? {}), ...(input.metrics ?? {}) };
  if (input.status === "completed" && !modelRef) {
    throw new DomainError("invalid", "Invalid body: model_ref: a completed job needs the model it produced.", {
      reason: "model_ref_required",
    });
  }
  const job = await ctx.db.get(TrainingJobs, input.job_id);
  if (!job)
    throw new DomainError("not_found", `Training job ${input.job_id} was not found.`, { reason: "job_not_found" });
  let leaseId = input.lease_id;
  if (input.status === "running" || (ctx.actor.kind === "training" && job.data.status === "queued")) {
    if (ctx.actor.kind !== "training") {
      throw new DomainError(
        "invalid",
        "Operators cannot mark a job running; a worker claims it with a training token.",
        {
          reason: "status_not_allowed",
        },
      );
    }
    if (job.data.status === "queued") {
      // Completing a queued job claims it first: check the model files before that leaves a trace.
      if (input.status === "completed" && modelRef) {
        await readModelFiles(ctx.blobs, await locateModelFolder(ctx.config, ctx.blobs, input.job_id, modelRef));
      }
      const claim = await claimTrainingJob(ctx, { job_id: input.job_id });
      leaseId = claim.lease?.lease_id;
      if (input.status === "running") {
        return {
          job_id: input.job_id,
          status: "running",
          lease_id: leaseId,
          lease_expires_at: claim.lease?.expires_at,
        };
      }
    } else {
      const beat = await heartbeatTrainingJob(ctx, input.job_id, { lease_id: leaseId, progress: input.progress });
      return { job_id: input.job_id, status: "running", lease_expires_at: beat.lease_expires_at };
    }
  }
  if (input.status === "completed") {
    const done = await completeTrainingJob(ctx, input.job_id, { lease_id: leaseId, model_ref: modelRef, metrics });
    return { job_id: input.job_id, status: "completed", model_id: done.model.model_id };
  }
  const failed = await failTrainingJob(ctx, input.job_id, {
    lease_id: leaseId,
    error: input.error ?? input.output?.error ?? "Reported failed (no error given).",
  });
  return { job_id: input.job_id, status: failed.status as SeedUpdateResult["status"] };
}
