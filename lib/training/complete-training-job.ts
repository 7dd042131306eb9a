import { z } from "zod";
import { auditEntry } from "@/lib/audit/append-audit";
import { AuditLog } from "@/lib/audit/schemas";
import { actorId, type Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { createId } from "@/lib/ids";
import { readModelFiles } from "@/lib/models/model-files";
import { newModelRecord } from "@/lib/models/new-model-record";
import { Models } from "@/lib/models/schemas";
import { toModelView, type ModelView } from "@/lib/models/views";
import { parseInput } from "@/lib/validation";
import { WorkItems } from "@/lib/work-queue/schemas";
import { checkpointPrefix, locateModelFolder } from "./blob-refs";
import { authorizeJobFinish } from "./lease";
import { logLine } from "./log-line";
import { ModelLines, TrainingJobs, TrainingLogs, ZMetricsInput } from "./schemas";
import { episodeSyncWorkItem, syncJobEpisodesNow } from "./sync-job-episodes";
import { toJobView, type TrainingJobView } from "./views";

export const ZCompleteInput = z
  .object({
    lease_id: z.string().min(1).max(100).optional(),
    /** The job's checkpoint folder (default) or a folder or file under it; `gs://<bucket>/…` accepted. */
    model_ref: z.string().min(1).max(1000).optional(),
    metrics: ZMetricsInput.default({}),
    model: z
      .object({
        name: z.string().trim().min(1).max(100).optional(),
        version: z.string().max(40).optional(),
      })
      .strict()
      .default({}),
  })
  .strict();

/**
 * The lease holder (or an operator, for a run recorded by hand) completes a job with the model it
 * produced. The model files must already be
 * under the job's checkpoint folder (a `model_ref` elsewhere is 403 `outside_job_prefix`, an empty
 * folder 409 `checkpoint_missing`). In one transaction: the job becomes `completed` with
 * `output {model_ref, metrics, model_id}`, and a `models` entry is created (stage `seed` for a seed
 * job, else `checkpoint`; the next version of its robot model; the job's dataset hash; its base
 * model as parent). Then the episodes move to `trained` and list the model.
 */
export async function completeTrainingJob(
  ctx: Ctx,
  jobId: string,
  rawInput: unknown,
): Promise<{ job: TrainingJobView; model: ModelView }> {
  const input = parseInput(ZCompleteInput, rawInput ?? {}, "body");
  const ref = input.model_ref ?? checkpointPrefix(jobId);
  const folder = await locateModelFolder(ctx.config, ctx.blobs, jobId, ref);
  // Check the lease before listing files, so a stranger learns nothing about the folder.
  const before = await ctx.db.get(TrainingJobs, jobId);
  if (!before) throw new DomainError("not_found", `Training job ${jobId} was not found.`, { reason: "job_not_found" });
  authorizeJobFinish(ctx, before, input.lease_id);
  const files = await readModelFiles(ctx.blobs, folder);
  const now = ctx.now().toISOString();
  const modelId = createId("mdl", ctx.now());
  const sync = episodeSyncWorkItem(ctx, jobId);
  const result = await ctx.db.transaction(async (tx) => {
    const job = await tx.get(TrainingJobs, jobId);
    if (!job) throw new DomainError("not_found", `Training job ${jobId} was not found.`, { reason: "job_not_found" });
    const lease = authorizeJobFinish(ctx, job, input.lease_id);
    const robotModel = job.data.robot_model;
    if (!robotModel) {
      throw new DomainError("conflict", `Job ${jobId} has no robot model, so its model cannot be registered.`, {
        reason: "robot_model_required",
      });
    }
    const line = await tx.get(ModelLines, robotModel);
    const record = newModelRecord(line?.data ?? null, {
      name: input.model.name ?? `${job.data.type}-${robotModel}`,
      robotModel,
      stage: job.data.type === "seed" ? "seed" : "checkpoint",
      storageRef: folder,
      files,
      metrics: { ...job.data.latest_metrics, ...input.metrics },
      trainingJobId: jobId,
      dataset: job.data.dataset,
      parentModelId: job.data.config.model_base,
      version: input.model.version,
      createdBy: actorId(ctx.actor),
      now,
    });
    const output = { model_ref: folder, metrics: record.model.metrics, model_id: modelId };
    const patch = {
      status: "completed" as const,
      completed_at: now,
      updated_at: now,
      output,
      lease: null,
      lease_history: lease
        ? [
            ...job.data.lease_history,
            {
              id: lease.id,
              token_id: lease.token_id,
              worker: lease.worker,
              claimed_at: lease.claimed_at,
              ended_at: now,
              end_reason: "completed" as const,
            },
          ]
        : job.data.lease_history,
      started_at: job.data.started_at ?? now,
      progress: job.data.progress ? { ...job.data.progress, fraction: 1, updated_at: now } : null,
    };
    tx.update(TrainingJobs, jobId, patch);
    tx.create(Models, modelId, record.model);
    tx.set(ModelLines, robotModel, record.line);
    tx.set(WorkItems, sync.id, sync.data);
    const entry = logLine(ctx, jobId, {
      source: "system",
      message: `Completed: model ${record.model.name} v${record.model.version} (${files.length} files under ${folder}).`,
    });
    tx.create(TrainingLogs, entry.id, entry.data);
    const audit = auditEntry(ctx, {
      action: "training.job_complete",
      target: { type: "training_job", id: jobId },
      details: { model_id: modelId, version: record.model.version, model_ref: folder, metrics: record.model.metrics },
    });
    tx.create(AuditLog, audit.id, audit.entry);
    return {
      job: { ...job, data: { ...job.data, ...patch } },
      model: { id: modelId, data: record.model, revision: "" },
    };
  });
  await syncJobEpisodesNow(ctx, jobId);
  return { job: toJobView(result.job), model: toModelView(result.model) };
}
