import { z } from "zod";
import type { Ctx } from "@/lib/context";
import type { Filter } from "@/lib/storage/port";
import { parseInput } from "@/lib/validation";
import { requireTrainingReader } from "./require-training-actor";
import { TrainingLogs, type LogLine } from "./schemas";

export const ZListLogsInput = z.object({
  /** Only lines after this `key` (the last one a poller already has). */
  after: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});

/** A job's log lines (worker and system), oldest first, a page at a time. */
export async function listTrainingLogs(
  ctx: Ctx,
  jobId: string,
  rawInput: unknown = {},
): Promise<{ job_id: string; lines: LogLine[]; next_after: string | null }> {
  requireTrainingReader(ctx);
  const input = parseInput(ZListLogsInput, rawInput ?? {}, "query");
  const where: Filter[] = [{ field: "job_id", op: "==", value: jobId }];
  if (input.after) where.push({ field: "key", op: ">", value: input.after });
  const page = await ctx.db.query(TrainingLogs, { where, orderBy: { field: "key" }, limit: input.limit });
  const lines = page.docs.map((doc) => doc.data);
  return { job_id: jobId, lines, next_after: page.nextCursor ? (lines.at(-1)?.key ?? null) : null };
}
