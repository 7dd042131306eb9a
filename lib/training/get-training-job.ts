import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { requireTrainingReader } from "./require-training-actor";
import { TrainingJobs } from "./schemas";
import { toJobView, type TrainingJobView } from "./views";

/** One job with its episode ids, for operators and training tokens. */
export async function getTrainingJob(ctx: Ctx, jobId: string): Promise<TrainingJobView> {
  requireTrainingReader(ctx);
  const doc = await ctx.db.get(TrainingJobs, jobId);
  if (!doc) throw new DomainError("not_found", `Training job ${jobId} was not found.`, { reason: "job_not_found" });
  return toJobView(doc);
}
