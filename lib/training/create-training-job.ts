import { z } from "zod";
import { auditEntry } from "@/lib/audit/append-audit";
import { AuditLog } from "@/lib/audit/schemas";
import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { Episodes } from "@/lib/episodes/schemas";
import { createId } from "@/lib/ids";
import { Models } from "@/lib/models/schemas";
import { requireUser } from "@/lib/users/authorize";
import { parseInput } from "@/lib/validation";
import { WorkItems } from "@/lib/work-queue/schemas";
import { actorRef } from "./actor-ref";
import { datasetHash } from "./dataset-hash";
import { DatasetPreviews } from "./dataset-previews";
import { jobNotebookUrl } from "./notebook-url";
import {
  DEFAULT_MAX_ATTEMPTS,
  MAX_JOB_EPISODES,
  ModelLines,
  TrainingJobs,
  ZEpisodeFilter,
  ZHyperparams,
  ZJobType,
  ZRobotModel,
  type EpisodeFilter,
  type TrainingJob,
} from "./schemas";
import { selectEpisodes } from "./select-episodes";
import { episodeSyncWorkItem, syncJobEpisodesNow } from "./sync-job-episodes";
import { toJobView, type TrainingJobView } from "./views";

export const ZCreateTrainingJobInput = z
  .object({
    type: ZJobType,
    /** Either a preview (`POST /api/console/training/preview`): exactly the episodes it counted… */
    preview_id: z.string().min(1).max(100).optional(),
    /** …or a saved filter, run now… */
    filter: ZEpisodeFilter.optional(),
    /** …or explicit episode ids (the seed's `POST /api/training/create`). */
    episode_ids: z.array(z.string().min(1).max(200)).max(MAX_JOB_EPISODES).optional(),
    robot_model: ZRobotModel.optional(),
    model_base: z.string().min(1).max(200).nullable().optional(),
    hyperparams: z.record(z.string(), z.unknown()).optional(),
    /** The dataset hash the operator saw in the preview; a different set now is 409 `dataset_changed`. */
    expected_sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/, "Expected a SHA-256 in lower-case hex.")
      .optional(),
    max_attempts: z.number().int().min(1).max(10).optional(),
  })
  .strict();
export type CreateTrainingJobInput = z.input<typeof ZCreateTrainingJobInput>;

function refuse(message: string, reason: string): never {
  throw new DomainError("invalid", message, { reason });
}

/** Robot models of `ids`, handing an id that is unknown or not trainable to `refuseEpisode`. */
async function checkTrainable(
  ctx: Ctx,
  ids: string[],
  refuseEpisode: (id: string, problem: "unknown" | "not_trainable", status?: string) => never,
): Promise<Set<string | null>> {
  const robotModels = new Set<string | null>();
  for (let start = 0; start < ids.length; start += 500) {
    const chunk = ids.slice(start, start + 500);
    const docs = await ctx.db.getMany(Episodes, chunk);
    docs.forEach((doc, index) => {
      const id = chunk[index] as string;
      if (!doc) refuseEpisode(id, "unknown");
      if (!TRAINABLE_STATUSES.includes(doc.data.status)) refuseEpisode(id, "not_trainable", doc.data.status);
      robotModels.add(doc.data.robot_model);
    });
  }
  return robotModels;
}

const TRAINABLE_STATUSES: readonly string[] = ["validated", "training", "trained"];

/**
 * The episodes of a new job and the filter it records. A preview gives exactly the ids it counted
 * (refused when one of them was deleted or quarantined since: 409 `dataset_changed`); a filter is
 * run now; explicit ids are checked one by one.
 */
async function resolveEpisodes(
  ctx: Ctx,
  input: { preview_id?: string; filter?: EpisodeFilter; episode_ids?: string[] },
): Promise<{ ids: string[]; robotModels: Set<string | null>; filter: EpisodeFilter | null }> {
  if ([input.preview_id, input.filter, input.episode_ids].filter((given) => given !== undefined).length > 1) {
    refuse("Give one of preview_id, filter or episode_ids.", "invalid_input");
  }
  if (input.preview_id !== undefined) {
    const preview = await ctx.db.get(DatasetPreviews, input.preview_id);
    if (!preview) {
      throw new DomainError("not_found", `Preview ${input.preview_id.slice(0, 100)} was not found; count again.`, {
        reason: "preview_not_found",
      });
    }
    if (preview.data.expires_at <= ctx.now().toISOString()) {
      throw new DomainError("conflict", `Preview ${preview.id} expired at ${preview.data.expires_at}; count again.`, {
        reason: "preview_expired",
      });
    }
    const ids = preview.data.episode_ids;
    if (ids.length === 0)
      refuse("The preview counted no episodes: nothing to train on. Widen the filter.", "empty_dataset");
    const robotModels = await checkTrainable(ctx, ids, (id, problem, status) => {
      throw new DomainError(
        "conflict",
        `Episode ${id} of the preview ${problem === "unknown" ? "was deleted" : `is ${status} now`}; count again.`,
        { reason: "dataset_changed", details: { episode_id: id } },
      );
    });
    return { ids, robotModels, filter: preview.data.filter };
  }
  if (input.filter) {
    const selection = await selectEpisodes(ctx, input.filter);
    if (selection.ids.length === 0) {
      refuse("No episodes match this filter: nothing to train on. Widen the filter.", "empty_dataset");
    }
    const models = new Set<string | null>(
      Object.keys(selection.robotModels).map((model) => (model === "(unknown)" ? null : model)),
    );
    return { ids: selection.ids, robotModels: models, filter: input.filter };
  }
  const ids = input.episode_ids ?? [];
  if (ids.length === 0) refuse("episode_ids is empty: nothing to train on.", "empty_dataset");
  const unique = [...new Set(ids)];
  const robotModels = await checkTrainable(ctx, unique, (id, problem, status) =>
    problem === "unknown"
      ? refuse(`Episode ${id} (episode_ids[${ids.indexOf(id)}]) does not exist.`, "unknown_episode")
      : refuse(
          `Episode ${id} (episode_ids[${ids.indexOf(id)}]) is ${status}; only validated episodes can be trained on.`,
          "episode_not_trainable",
        ),
  );
  return { ids: unique, robotModels, filter: null };
}

/**
 * Create a training job from a saved episode filter or explicit episode ids. The job snapshots the
 * episode ids and their set hash, takes the field's default hyper-parameters for anything not
 * given, and links the notebook for its type. A slow-loop job starts from the robot model's
 * production model and is refused while another one for that robot model is still queued. Its
 * episodes move to `training`. Operators create jobs in the console; training tokens through the
 * seed's `POST /api/training/create`; the slow-loop evaluator as the system.
 */
export async function createTrainingJob(
  ctx: Ctx,
  rawInput: unknown,
  options: { source?: TrainingJob["source"] } = {},
): Promise<TrainingJobView> {
  if (ctx.actor.kind !== "system" && ctx.actor.kind !== "training") requireUser(ctx, "operator");
  const input = parseInput(ZCreateTrainingJobInput, rawInput, "body");
  const hyperparams = parseInput(ZHyperparams, input.hyperparams ?? {}, "hyperparams");
  const { ids, robotModels, filter } = await resolveEpisodes(ctx, input);
  const hash = datasetHash(ids);
  if (input.expected_sha256 && input.expected_sha256 !== hash) {
    throw new DomainError(
      "conflict",
      input.preview_id
        ? "These are not the previewed episodes (expected_sha256 differs from the preview's set)."
        : "The episodes matching this filter changed since the preview; preview again and confirm the new count (or create the job from the preview_id, which keeps the previewed set).",
      { reason: "dataset_changed", details: { episode_set_sha256: hash, episode_count: ids.length } },
    );
  }

  const known = [...robotModels].filter((model): model is string => model !== null);
  let robotModel = input.robot_model ?? filter?.robot_model ?? null;
  if (!robotModel) {
    if (known.length !== 1) {
      refuse(
        known.length > 1
          ? `The episodes come from several robot models (${known.join(", ")}); choose one with robot_model.`
          : "The episodes do not say which robot model they are from; give robot_model.",
        "robot_model_required",
      );
    }
    robotModel = known[0] as string;
  } else if (known.some((model) => model !== robotModel)) {
    refuse(
      `Some episodes are from ${known.filter((model) => model !== robotModel).join(", ")}, not ${robotModel}.`,
      "robot_model_mismatch",
    );
  }

  const now = ctx.now();
  const jobId = createId("job", now);
  const sync = episodeSyncWorkItem(ctx, jobId);
  const job = await ctx.db.transaction(async (tx) => {
    const line = await tx.get(ModelLines, robotModel);
    let modelBase = input.model_base ?? null;
    if (input.type === "slow_loop" && !modelBase) {
      modelBase = line?.data.production_model_id ?? null;
      if (!modelBase) {
        throw new DomainError(
          "conflict",
          `There is no production model for ${robotModel} yet; a slow loop starts from one. Promote a model first.`,
          { reason: "no_production_model" },
        );
      }
    }
    if (input.type === "finetune" && !modelBase)
      refuse("A finetune job needs model_base (a model id).", "model_base_required");
    if (modelBase) {
      const base = await tx.get(Models, modelBase);
      if (!base) refuse(`model_base ${modelBase} is not a known model.`, "unknown_model_base");
      if (base.data.robot_model !== robotModel) {
        refuse(
          `model_base ${modelBase} is a ${base.data.robot_model} model, not ${robotModel}.`,
          "robot_model_mismatch",
        );
      }
    }
    if (input.type === "slow_loop" && line?.data.slow_loop_job_id) {
      const pending = await tx.get(TrainingJobs, line.data.slow_loop_job_id);
      if (pending?.data.status === "queued") {
        throw new DomainError("conflict", `Slow-loop job ${pending.id} for ${robotModel} is still queued.`, {
          reason: "slow_loop_already_queued",
          details: { job_id: pending.id },
        });
      }
    }
    const data: TrainingJob = {
      type: input.type,
      status: "queued",
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
      started_at: null,
      completed_at: null,
      robot_model: robotModel,
      config: { episode_ids: ids, model_base: modelBase, hyperparams, filter },
      output: null,
      colab_notebook_url: jobNotebookUrl(ctx.config.trainingNotebookBaseUrl, input.type, jobId),
      dataset: { episode_count: ids.length, episode_set_sha256: hash },
      lease: null,
      lease_history: [],
      attempts: 0,
      max_attempts: input.max_attempts ?? DEFAULT_MAX_ATTEMPTS,
      progress: null,
      latest_metrics: {},
      latest_metrics_step: null,
      metric_count: 0,
      logs_ref: `training_logs?job_id=${jobId}`,
      error: null,
      created_by: actorRef(ctx),
      source: options.source ?? (ctx.actor.kind === "user" ? "console" : "api"),
      cancelled_by: null,
    };
    tx.create(TrainingJobs, jobId, data);
    if (input.type === "slow_loop") {
      tx.set(ModelLines, robotModel, {
        robot_model: robotModel,
        latest_version: line?.data.latest_version ?? null,
        production_model_id: line?.data.production_model_id ?? null,
        slow_loop_job_id: jobId,
        updated_at: now.toISOString(),
      });
    }
    tx.set(WorkItems, sync.id, sync.data);
    const audit = auditEntry(ctx, {
      action: "training.job_create",
      target: { type: "training_job", id: jobId },
      details: {
        type: input.type,
        robot_model: robotModel,
        episode_count: ids.length,
        episode_set_sha256: hash,
        model_base: modelBase,
        source: data.source,
        ...(input.preview_id ? { preview_id: input.preview_id } : {}),
      },
    });
    tx.create(AuditLog, audit.id, audit.entry);
    return { id: jobId, data, revision: "" };
  });
  await syncJobEpisodesNow(ctx, jobId);
  return toJobView(job);
}
