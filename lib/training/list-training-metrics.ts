import { z } from "zod";
import type { Ctx } from "@/lib/context";
import type { Filter } from "@/lib/storage/port";
import { parseInput } from "@/lib/validation";
import { requireTrainingReader } from "./require-training-actor";
import { TrainingMetrics } from "./schemas";

export const ZListMetricsInput = z.object({
  /** Only points after this step (the last one a poller already has). */
  after_step: z.coerce.number().int().min(-1).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(1000),
});

/** A chart point: the step and the metrics reported for it (plain numbers). */
export type ChartPoint = { step: number } & Record<string, number>;

/**
 * A job's metric points in step order, a page at a time: a live chart polls with the last step it
 * has and gets only what is new. `next_after_step` is set while more points wait.
 */
export async function listTrainingMetrics(
  ctx: Ctx,
  jobId: string,
  rawInput: unknown = {},
): Promise<{ job_id: string; points: ChartPoint[]; next_after_step: number | null }> {
  requireTrainingReader(ctx);
  const input = parseInput(ZListMetricsInput, rawInput ?? {}, "query");
  const where: Filter[] = [{ field: "job_id", op: "==", value: jobId }];
  if (input.after_step !== undefined) where.push({ field: "step", op: ">", value: input.after_step });
  const page = await ctx.db.query(TrainingMetrics, { where, orderBy: { field: "step" }, limit: input.limit });
  const points = page.docs.map((doc) => ({ ...doc.data.values, step: doc.data.step }) as ChartPoint);
  const last = points.at(-1);
  return { job_id: jobId, points, next_after_step: page.nextCursor && last ? last.step : null };
}
