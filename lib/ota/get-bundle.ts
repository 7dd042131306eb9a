import type { Ctx } from "@/lib/context";
import type { Doc } from "@/lib/storage/typed";
import { requireUser } from "@/lib/users/authorize";
import { assessRolloutHealth, type RolloutHealth } from "./evaluate-rollout-health";
import { bundleNotFound } from "./not-found";
import { OtaBundles, OtaTracks, type OtaBundle, type OtaTrack } from "./schemas";

export interface BundleDetail {
  bundle: Doc<OtaBundle>;
  health: RolloutHealth;
  track: OtaTrack | null;
  /** The bundle a rollback would return robots to, when there is one. */
  rollback_target: { id: string; version: string } | null;
}

/** One bundle with its rollout's health and its robot model's track (operators). */
export async function getBundle(ctx: Ctx, bundleId: string): Promise<BundleDetail> {
  requireUser(ctx, "operator");
  const bundle = await ctx.db.get(OtaBundles, bundleId);
  if (!bundle) throw bundleNotFound(bundleId);
  const track = await ctx.db.get(OtaTracks, bundle.data.robot_model);
  const isProduction = track?.data.production_bundle_id === bundle.id;
  const targetId = isProduction
    ? (track?.data.previous_production_ids.at(-1) ?? null)
    : (bundle.data.rollout.previous_bundle_id ?? track?.data.production_bundle_id ?? null);
  const target = targetId && targetId !== bundle.id ? await ctx.db.get(OtaBundles, targetId) : null;
  return {
    bundle,
    health: assessRolloutHealth(bundle.data.rollout),
    track: track?.data ?? null,
    rollback_target: target ? { id: target.id, version: target.data.version } : null,
  };
}
