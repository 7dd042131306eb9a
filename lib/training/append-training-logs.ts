import { z } from "zod";
import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { parseInput } from "@/lib/validation";
import { requireLease } from "./lease";
import { logLine } from "./log-line";
import { requireTrainingWorker } from "./require-training-actor";
import { TrainingJobs, TrainingLogs, ZLogLevel } from "./schemas";

export const ZAppendLogsInput = z
  .object({
    lease_id: z.string().min(1).max(100).optional(),
    lines: z
      .array(z.object({ level: ZLogLevel.default("info"), message: z.string().min(1).max(4000) }).strict())
      .min(1)
      .max(200),
  })
  .strict();

/** The lease holder appends log lines (each its own document), shown on the job page. */
export async function appendTrainingLogs(
  ctx: Ctx,
  jobId: string,
  rawInput: unknown,
): Promise<{ job_id: string; accepted: number }> {
  const actor = requireTrainingWorker(ctx);
  const input = parseInput(ZAppendLogsInput, rawInput, "body");
  return ctx.db.transaction(async (tx) => {
    const job = await tx.get(TrainingJobs, jobId);
    if (!job) throw new DomainError("not_found", `Training job ${jobId} was not found.`, { reason: "job_not_found" });
    requireLease(ctx, actor, job, input.lease_id);
    for (const [seq, line] of input.lines.entries()) {
      const entry = logLine(ctx, jobId, { source: "worker", level: line.level, message: line.message, seq });
      tx.create(TrainingLogs, entry.id, entry.data);
    }
    return { job_id: jobId, accepted: input.lines.length };
  });
}
