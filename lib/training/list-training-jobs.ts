import { z } from "zod";
import type { Ctx } from "@/lib/context";
import type { Filter } from "@/lib/storage/port";
import { parseInput } from "@/lib/validation";
import { requireTrainingReader } from "./require-training-actor";
import { TrainingJobs, ZJobStatus, ZJobType } from "./schemas";
import { toJobSummary, type TrainingJobSummary } from "./views";

export const ZListTrainingJobsInput = z.object({
  status: ZJobStatus.optional(),
  type: ZJobType.optional(),
  cursor: z.string().max(500).nullable().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/**
 * Jobs, newest first, optionally by status and type. Operators in the console; training tokens
 * list queued jobs with `listQueuedTrainingJobs` (oldest first, the order they are claimed in).
 */
export async function listTrainingJobs(
  ctx: Ctx,
  rawInput: unknown = {},
): Promise<{ jobs: TrainingJobSummary[]; nextCursor: string | null }> {
  requireTrainingReader(ctx);
  const input = parseInput(ZListTrainingJobsInput, rawInput, "query");
  const where: Filter[] = [];
  if (input.status) where.push({ field: "status", op: "==", value: input.status });
  if (input.type) where.push({ field: "type", op: "==", value: input.type });
  const page = await ctx.db.query(TrainingJobs, {
    where,
    orderBy: { field: "created_at", direction: "desc" },
    limit: input.limit,
    cursor: input.cursor ?? null,
  });
  return { jobs: page.docs.map(toJobSummary), nextCursor: page.nextCursor };
}
