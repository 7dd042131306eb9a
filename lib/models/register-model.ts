import { z } from "zod";
import { auditEntry } from "@/lib/audit/append-audit";
import { AuditLog } from "@/lib/audit/schemas";
import { actorId, type Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { createId } from "@/lib/ids";
import { keyFromRef, locateModelFolder } from "@/lib/training/blob-refs";
import { requireLease } from "@/lib/training/lease";
import { ModelLines, TrainingJobs, ZMetricsInput, ZRobotModel, type TrainingJob } from "@/lib/training/schemas";
import type { Doc } from "@/lib/storage/typed";
import { requireUser } from "@/lib/users/authorize";
import { parseInput } from "@/lib/validation";
import { readModelFiles } from "./model-files";
import { newModelRecord } from "./new-model-record";
import { Models } from "./schemas";
import { toModelView, type ModelView } from "./views";

export const ZRegisterModelInput = z
  .object({
    /** Where the files are: a folder (or file) key, or `gs://<bucket>/…`. */
    model_ref: z.string().min(1).max(1000),
    metrics: ZMetricsInput.default({}),
    name: z.string().trim().min(1).max(100).optional(),
    version: z.string().max(40).optional(),
    /** Training tokens: the running job this checkpoint belongs to, and its lease. */
    job_id: z.string().min(1).max(200).optional(),
    lease_id: z.string().min(1).max(100).optional(),
    /** Operators registering a model trained elsewhere. */
    robot_model: ZRobotModel.optional(),
    stage: z.enum(["seed", "checkpoint"]).optional(),
    parent_model_id: z.string().min(1).max(200).optional(),
  })
  .strict();

/**
 * Register a model (the Python client's `register_model`). A training token registers an
 * intermediate checkpoint of the job it holds (stage `checkpoint`, files under the job's folder;
 * the job itself completes with `completeTrainingJob`). An operator registers a model whose files
 * are already under `models/` (e.g. a seed model trained elsewhere), naming its robot model.
 * Versions come from the robot model's line unless given (and then must be newer).
 */
export async function registerModel(ctx: Ctx, rawInput: unknown): Promise<ModelView> {
  const input = parseInput(ZRegisterModelInput, rawInput, "body");
  let folder: string;
  let job: Doc<TrainingJob> | null = null;
  if (ctx.actor.kind === "training") {
    if (!input.job_id) {
      throw new DomainError(
        "invalid",
        "Invalid body: job_id: a training token registers checkpoints of the job it holds.",
        {
          reason: "job_required",
        },
      );
    }
    folder = await locateModelFolder(ctx.config, ctx.blobs, input.job_id, input.model_ref);
    job = await ctx.db.get(TrainingJobs, input.job_id);
    if (!job)
      throw new DomainError("not_found", `Training job ${input.job_id} was not found.`, { reason: "job_not_found" });
    requireLease(ctx, ctx.actor, job, input.lease_id);
  } else {
    requireUser(ctx, "operator");
    const key = keyFromRef(ctx.config, input.model_ref);
    folder = key.endsWith("/") ? key : `${key}/`;
    if (!folder.startsWith("models/")) {
      throw new DomainError("invalid", `model_ref ${input.model_ref} is not under models/.`, {
        reason: "invalid_model_ref",
      });
    }
    if (input.job_id) {
      job = await ctx.db.get(TrainingJobs, input.job_id);
      if (!job)
        throw new DomainError("not_found", `Training job ${input.job_id} was not found.`, { reason: "job_not_found" });
    }
  }
  const robotModel = job?.data.robot_model ?? input.robot_model;
  if (!robotModel) {
    throw new DomainError("invalid", "Invalid body: robot_model: say which robot model this model is for.", {
      reason: "robot_model_required",
    });
  }
  const files = await readModelFiles(ctx.blobs, folder);
  const now = ctx.now().toISOString();
  const modelId = createId("mdl", ctx.now());
  const doc = await ctx.db.transaction(async (tx) => {
    if (job && ctx.actor.kind === "training") {
      const fresh = await tx.get(TrainingJobs, job.id);
      if (!fresh)
        throw new DomainError("not_found", `Training job ${job.id} was not found.`, { reason: "job_not_found" });
      requireLease(ctx, ctx.actor, fresh, input.lease_id);
    }
    const parentId = input.parent_model_id ?? job?.data.config.model_base ?? null;
    if (parentId && !(await tx.get(Models, parentId))) {
      throw new DomainError("invalid", `parent_model_id ${parentId} is not a known model.`, {
        reason: "unknown_model",
      });
    }
    const line = await tx.get(ModelLines, robotModel);
    const record = newModelRecord(line?.data ?? null, {
      name: input.name ?? `${job?.data.type ?? input.stage ?? "checkpoint"}-${robotModel}`,
      robotModel,
      stage: ctx.actor.kind === "training" ? "checkpoint" : (input.stage ?? "checkpoint"),
      storageRef: folder,
      files,
      metrics: input.metrics,
      trainingJobId: job?.id ?? null,
      dataset: job?.data.dataset ?? null,
      parentModelId: parentId,
      version: input.version,
      createdBy: actorId(ctx.actor),
      now,
    });
    tx.create(Models, modelId, record.model);
    tx.set(ModelLines, robotModel, record.line);
    const audit = auditEntry(ctx, {
      action: "model.register",
      target: { type: "model", id: modelId },
      details: {
        robot_model: robotModel,
        version: record.model.version,
        stage: record.model.stage,
        job_id: job?.id ?? null,
      },
    });
    tx.create(AuditLog, audit.id, audit.entry);
    return { id: modelId, data: record.model, revision: "" };
  });
  return toModelView(doc);
}
