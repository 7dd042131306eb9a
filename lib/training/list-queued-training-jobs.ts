import { z } from "zod";
import type { Ctx } from "@/lib/context";
import type { Filter } from "@/lib/storage/port";
import { parseInput } from "@/lib/validation";
import { requireTrainingReader } from "./require-training-actor";
import { TrainingJobs, ZJobType, ZRobotModel } from "./schemas";
import { toJobSummary, type TrainingJobSummary } from "./views";

export const ZQueuedJobsInput = z.object({
  type: ZJobType.optional(),
  robot_model: ZRobotModel.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

/** Queued jobs, oldest first (the order claims take them), for a worker choosing what to do. */
export async function listQueuedTrainingJobs(ctx: Ctx, rawInput: unknown = {}): Promise<TrainingJobSummary[]> {
  requireTrainingReader(ctx);
  const input = parseInput(ZQueuedJobsInput, rawInput, "query");
  const where: Filter[] = [{ field: "status", op: "==", value: "queued" }];
  if (input.type) where.push({ field: "type", op: "==", value: input.type });
  if (input.robot_model) where.push({ field: "robot_model", op: "==", value: input.robot_model });
  const page = await ctx.db.query(TrainingJobs, { where, orderBy: { field: "created_at" }, limit: input.limit });
  return page.docs.map(toJobSummary);
}
