import type { Ctx } from "@/lib/context";
import type { Doc } from "@/lib/storage/typed";
import { RolloutSnapshots, type OtaBundle } from "./schemas";

/** The minute a time falls in, ISO with zero seconds. */
export function snapshotMinute(at: Date): string {
  return new Date(Math.floor(at.getTime() / 60_000) * 60_000).toISOString();
}

/**
 * Record the rollout's counts for the current minute (the chart's points). A blind `set` of the
 * whole point: concurrent writers in one minute each write a complete, recent value, and the last
 * one wins; the next write or the sweep corrects a slightly older one. One point per minute keeps
 * the series bounded whatever the report rate.
 */
export async function writeRolloutSnapshot(ctx: Ctx, bundle: Doc<OtaBundle>): Promise<void> {
  const at = snapshotMinute(ctx.now());
  await ctx.db.set(RolloutSnapshots, `${bundle.id}_${at.slice(0, 16).replace(/[-:T]/g, "")}`, {
    bundle_id: bundle.id,
    at,
    status: bundle.data.rollout.status,
    target_percentage: bundle.data.rollout.target_percentage,
    counts: bundle.data.rollout.counts,
  });
}
