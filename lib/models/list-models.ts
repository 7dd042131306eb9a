import { z } from "zod";
import type { Ctx } from "@/lib/context";
import type { Filter } from "@/lib/storage/port";
import { requireTrainingReader } from "@/lib/training/require-training-actor";
import { ZRobotModel } from "@/lib/training/schemas";
import { parseInput } from "@/lib/validation";
import { Models, ZModelStage } from "./schemas";
import { toModelView, type ModelView } from "./views";

export const ZListModelsInput = z.object({
  robot_model: ZRobotModel.optional(),
  stage: ZModelStage.optional(),
  cursor: z.string().max(500).nullable().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** Models, newest first, by robot model and stage (operators, and notebooks with a training token). */
export async function listModels(
  ctx: Ctx,
  rawInput: unknown = {},
): Promise<{ models: ModelView[]; nextCursor: string | null }> {
  requireTrainingReader(ctx);
  const input = parseInput(ZListModelsInput, rawInput ?? {}, "query");
  const where: Filter[] = [];
  if (input.robot_model) where.push({ field: "robot_model", op: "==", value: input.robot_model });
  if (input.stage) where.push({ field: "stage", op: "==", value: input.stage });
  const page = await ctx.db.query(Models, {
    where,
    orderBy: { field: "created_at", direction: "desc" },
    limit: input.limit,
    cursor: input.cursor ?? null,
  });
  return { models: page.docs.map(toModelView), nextCursor: page.nextCursor };
}
