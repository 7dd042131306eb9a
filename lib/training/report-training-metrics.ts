import { z } from "zod";
import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { fieldValue } from "@/lib/storage/port";
import { parseInput } from "@/lib/validation";
import { toProgress } from "./heartbeat-training-job";
import { requireLease } from "./lease";
import { requireTrainingWorker } from "./require-training-actor";
import { TrainingJobs, TrainingMetrics } from "./schemas";

export const MAX_POINTS_PER_CALL = 500;
const METRIC_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

/** One point: `step` plus up to 32 numeric metrics (`loss`, `grad_norm`, `elapsed_s`, or any other). */
export const ZMetricPointInput = z.record(z.string(), z.unknown()).superRefine((point, issue) => {
  const keys = Object.keys(point);
  if (!Number.isInteger(point.step) || (point.step as number) < 0) {
    issue.addIssue({ code: "custom", path: ["step"], message: "step must be a whole number ≥ 0." });
  }
  if (keys.length > 33) issue.addIssue({ code: "custom", message: "At most 32 metrics per point." });
  for (const key of keys) {
    if (key === "step") continue;
    if (!METRIC_NAME.test(key)) {
      issue.addIssue({ code: "custom", path: [key], message: "Metric names are letters, digits, _ . - (max 64)." });
    } else if (typeof point[key] !== "number" || !Number.isFinite(point[key])) {
      issue.addIssue({ code: "custom", path: [key], message: "Metric values must be finite numbers." });
    }
  }
  if (keys.length < 2) issue.addIssue({ code: "custom", message: "A point needs step and at least one metric." });
});

export const ZReportMetricsInput = z
  .object({
    lease_id: z.string().min(1).max(100).optional(),
    points: z.array(ZMetricPointInput).min(1).max(MAX_POINTS_PER_CALL),
  })
  .strict();

/**
 * The lease holder reports metric points. Each point is its own document (`{job_id}_{step}`), so
 * a retried report overwrites rather than duplicates, and the job document only keeps the latest
 * values, the count and the progress — it never grows with the run.
 */
export async function reportTrainingMetrics(
  ctx: Ctx,
  jobId: string,
  rawInput: unknown,
): Promise<{ job_id: string; accepted: number; latest_step: number }> {
  const actor = requireTrainingWorker(ctx);
  const input = parseInput(ZReportMetricsInput, rawInput, "body");
  const now = ctx.now().toISOString();
  const points = input.points.map((point) => {
    const { step, ...values } = point as Record<string, number>;
    return { step: step as number, values };
  });
  const last = points.reduce((best, point) => (point.step >= best.step ? point : best));
  return ctx.db.transaction(async (tx) => {
    const job = await tx.get(TrainingJobs, jobId);
    if (!job) throw new DomainError("not_found", `Training job ${jobId} was not found.`, { reason: "job_not_found" });
    requireLease(ctx, actor, job, input.lease_id);
    for (const point of points) {
      tx.set(TrainingMetrics, `${jobId}_${String(point.step).padStart(12, "0")}`, {
        job_id: jobId,
        step: point.step,
        at: now,
        values: point.values,
      });
    }
    const newer = job.data.latest_metrics_step === null || last.step >= job.data.latest_metrics_step;
    tx.update(TrainingJobs, jobId, {
      metric_count: fieldValue.increment(points.length),
      ...(newer
        ? {
            latest_metrics: last.values,
            latest_metrics_step: last.step,
            progress: toProgress({ step: last.step }, job.data.config.hyperparams.num_steps, now),
          }
        : {}),
      updated_at: now,
    });
    return {
      job_id: jobId,
      accepted: points.length,
      latest_step: newer ? last.step : (job.data.latest_metrics_step ?? last.step),
    };
  });
}
