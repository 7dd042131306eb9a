import type { Ctx } from "@/lib/context";
import type { Doc } from "@/lib/storage/typed";
import { isInCohort } from "./cohort";
import { offerViewOf, OtaBundles, OtaTracks, type OfferBundle, type OtaTrack } from "./schemas";
import { otaPublicKeyById } from "./signing-key";
import { compareVersions, satisfiesRange } from "./versions";

/** Why a robot gets no update (answered to robots as `reason`, shown in the docs). */
export type NoOfferReason =
  | "no_release"
  | "up_to_date"
  | "not_in_cohort"
  | "rollout_paused"
  | "requires_version_not_met"
  | "min_brain_version_not_met";

export interface OfferDecision {
  /** The bundle to offer, or null. */
  offer: OfferBundle | null;
  /** True when the offer is an older production bundle replacing a rolled-back one. */
  rollback: boolean;
  reason: NoOfferReason | null;
  /** The bundle the robot already runs, when it is the one it should run. */
  current: OfferBundle | null;
  /** Whether the robot falls inside the active canary's cohort (null when no canary runs). */
  inCanaryCohort: boolean | null;
}

export interface OfferRobot {
  deviceId: string;
  robotModel: string;
  /** The bundle version it runs (null: unknown, read as 0.0.0 like the field runtime does). */
  currentVersion: string | null;
  /** Its runtime version, when known. */
  brainVersion: string | null;
}

function offerable(bundle: OfferBundle, ctx: Ctx): boolean {
  // Never offer what a robot could not verify: signed (a bundle is staged only once built) with a
  // key this deployment still publishes.
  return bundle.data.signature !== "" && otaPublicKeyById(ctx.secrets, bundle.data.key_id) !== null;
}

/**
 * What one robot should be offered now. Candidates, in order: the canary when the robot is in its
 * cohort, then the production bundle. A robot never gets another model's bundle (tracks are per
 * robot model), a bundle whose `requires_version` its installed version does not satisfy, one
 * needing a newer runtime than it reports, or an older version — except the production bundle
 * when the robot still runs a version that was rolled back.
 */
export async function decideOffer(
  ctx: Ctx,
  robot: OfferRobot,
  knownTrack?: Doc<OtaTrack> | null,
): Promise<OfferDecision> {
  const track = knownTrack === undefined ? await ctx.db.get(OtaTracks, robot.robotModel) : knownTrack;
  const none = (reason: NoOfferReason, extra: Partial<OfferDecision> = {}): OfferDecision => ({
    offer: null,
    rollback: false,
    reason,
    current: null,
    inCanaryCohort: null,
    ...extra,
  });
  if (!track) return none("no_release");
  const ids = [track.data.active_bundle_id, track.data.production_bundle_id].filter((id): id is string => id !== null);
  const byId = new Map<string, OfferBundle>();
  for (const id of ids) {
    const view = track.data.offer_views[id];
    if (view) byId.set(id, { id, data: view });
  }
  // A track written before offer views existed: read the bundles themselves.
  const missing = ids.filter((id) => !byId.has(id));
  for (const doc of missing.length ? await ctx.db.getMany(OtaBundles, missing) : []) {
    if (doc && doc.data.build.status === "ready") byId.set(doc.id, { id: doc.id, data: offerViewOf(doc.data) });
  }
  const active = track.data.active_bundle_id ? (byId.get(track.data.active_bundle_id) ?? null) : null;
  const production = track.data.production_bundle_id ? (byId.get(track.data.production_bundle_id) ?? null) : null;

  const candidates: OfferBundle[] = [];
  let inCanaryCohort: boolean | null = null;
  let paused = false;
  if (active && (active.data.rollout.status === "canary" || active.data.rollout.status === "paused")) {
    inCanaryCohort = isInCohort(active.id, robot.deviceId, active.data.rollout.target_percentage);
    if (inCanaryCohort && active.data.rollout.status === "canary") candidates.push(active);
    if (inCanaryCohort && active.data.rollout.status === "paused") paused = true;
  }
  if (production && production.data.rollout.status === "production") candidates.push(production);
  else if (production && production.data.rollout.status === "paused") paused = true;

  const current = robot.currentVersion;
  let blocked: NoOfferReason | null = null;
  const usable = candidates.filter((candidate) => offerable(candidate, ctx));
  for (const candidate of usable) {
    const order = compareVersions(candidate.data.version, current ?? "0.0.0");
    let rollback = false;
    if (order === 0 && current !== null) {
      return none("up_to_date", { current: candidate, inCanaryCohort });
    }
    if (order < 0) {
      const isRollback =
        candidate === production && current !== null && track.data.rolled_back_versions.includes(current);
      if (!isRollback) return none("up_to_date", { inCanaryCohort });
      rollback = true;
    }
    if (!satisfiesRange(current, candidate.data.manifest.requires_version)) {
      blocked ??= "requires_version_not_met";
      continue;
    }
    if (
      robot.brainVersion !== null &&
      compareVersions(robot.brainVersion, candidate.data.manifest.min_brain_version) < 0
    ) {
      blocked ??= "min_brain_version_not_met";
      continue;
    }
    return { offer: candidate, rollback, reason: null, current: null, inCanaryCohort };
  }
  if (blocked) return none(blocked, { inCanaryCohort });
  if (paused) return none("rollout_paused", { inCanaryCohort });
  if (inCanaryCohort === false) return none("not_in_cohort", { inCanaryCohort });
  return none(usable.length ? "up_to_date" : "no_release", { inCanaryCohort });
}
