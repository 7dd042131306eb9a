import { z } from "zod";
import type { Ctx } from "@/lib/context";
import { parseInput } from "@/lib/validation";
import { createTrainingJob } from "./create-training-job";
import { MAX_JOB_EPISODES, ZJobType, ZRobotModel } from "./schemas";
import type { TrainingJobView } from "./views";

/** The seed's request: `{type, episode_ids, config?, robot_model?}` (UPSTREAM.md "Training in the field"). */
export const ZSeedCreateInput = z
  .object({
    type: ZJobType,
    episode_ids: z.array(z.string().min(1).max(200)).max(MAX_JOB_EPISODES),
    /** `{model_base?, hyperparams?}`, or flat hyper-parameters as field trainers send them. */
    config: z.record(z.string(), z.unknown()).optional(),
    robot_model: ZRobotModel.optional(),
  })
  .loose();

/**
 * `POST /api/training/create`, kept as the field uses it: explicit episode ids, optional config.
 * `config.hyperparams` (or, when absent, every other key of `config`) become the hyper-parameters,
 * `config.model_base` the base model. Operators and training tokens may call it.
 */
export async function createTrainingJobCompat(ctx: Ctx, rawInput: unknown): Promise<TrainingJobView> {
  const input = parseInput(ZSeedCreateInput, rawInput, "body");
  const { model_base: modelBase, hyperparams, ...flat } = input.config ?? {};
  return createTrainingJob(
    ctx,
    {
      type: input.type,
      episode_ids: input.episode_ids,
      robot_model: input.robot_model,
      model_base: typeof modelBase === "string" ? modelBase : undefined,
      hyperparams: hyperparams && typeof hyperparams === "object" ? hyperparams : flat,
    },
    { source: "api" },
  );
}
