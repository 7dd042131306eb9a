import { z } from "zod";
import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { Episodes, type Episode } from "@/lib/episodes/schemas";
import { requireTrainingReader } from "@/lib/training/require-training-actor";
import { TrainingJobs } from "@/lib/training/schemas";
import { toJobSummary, type TrainingJobSummary } from "@/lib/training/views";
import { parseInput } from "@/lib/validation";
import { Models } from "./schemas";
import { toModelView, type ModelView } from "./views";

export const ZLineageInput = z.object({
  episodes_cursor: z
    .string()
    .regex(/^\d{1,6}$/)
    .nullable()
    .optional(),
  episodes_limit: z.coerce.number().int().min(1).max(200).default(50),
});

export interface LineageEpisode {
  episode_id: string;
  robot_id: string;
  robot_model: string | null;
  status: Episode["status"] | "missing";
  quality_score: number | null;
  uploaded_at: string | null;
  tags: string[];
}

export interface ModelLineage {
  model: ModelView;
  job: TrainingJobSummary | null;
  dataset: ModelView["dataset"];
  parent: ModelView | null;
  children: ModelView[];
  episodes: LineageEpisode[];
  episodes_total: number;
  episodes_next_cursor: string | null;
}

/**
 * A model and where it came from: the job that trained it, its dataset (count and hash), the
 * episodes (a page of the job's snapshot), the model it was trained from, and the models trained
 * from it.
 */
export async function getModelLineage(ctx: Ctx, modelId: string, rawInput: unknown = {}): Promise<ModelLineage> {
  requireTrainingReader(ctx);
  const input = parseInput(ZLineageInput, rawInput ?? {}, "query");
  const model = await ctx.db.get(Models, modelId);
  if (!model) throw new DomainError("not_found", `Model ${modelId} was not found.`, { reason: "model_not_found" });
  const job = model.data.training_job_id ? await ctx.db.get(TrainingJobs, model.data.training_job_id) : null;
  const parent = model.data.parent_model_id ? await ctx.db.get(Models, model.data.parent_model_id) : null;
  const children = await ctx.db.query(Models, {
    where: [{ field: "parent_model_id", op: "==", value: modelId }],
    orderBy: { field: "created_at", direction: "desc" },
    limit: 50,
  });
  const ids = job?.data.config.episode_ids ?? [];
  const start = Number(input.episodes_cursor ?? 0);
  const slice = ids.slice(start, start + input.episodes_limit);
  const docs = await ctx.db.getMany(Episodes, slice);
  const episodes = slice.map((id, index): LineageEpisode => {
    const doc = docs[index];
    return {
      episode_id: id,
      robot_id: doc?.data.robot_id ?? "",
      robot_model: doc?.data.robot_model ?? null,
      status: doc?.data.status ?? "missing",
      quality_score: doc?.data.quality?.score ?? null,
      uploaded_at: doc?.data.uploaded_at ?? null,
      tags: doc?.data.metadata.tags ?? [],
    };
  });
  const next = start + slice.length;
  return {
    model: toModelView(model),
    job: job ? toJobSummary(job) : null,
    dataset: model.data.dataset,
    parent: parent ? toModelView(parent) : null,
    children: children.docs.map(toModelView),
    episodes,
    episodes_total: ids.length,
    episodes_next_cursor: next < ids.length ? String(next) : null,
  };
}
