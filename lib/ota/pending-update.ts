import type { Ctx } from "@/lib/context";
import type { Doc } from "@/lib/storage/typed";
import { decideOffer, type OfferRobot } from "./decide-offer";
import type { OtaTrack } from "./schemas";

/** What a heartbeat answer says about a waiting update (`pending.ota`); the robot then calls `check`. */
export interface PendingUpdate {
  bundle_id: string;
  version: string;
  /** True when this re-offers an older production bundle after a rollback. */
  rollback: boolean;
  /** Where to get the signed download link and checksums. */
  check_url: string;
}

/**
 * The update waiting for a robot, or null. A hint only: it records nothing (the robot's `GET
 * /api/ota/check` records the offer and returns the signed link), so it can ride on every
 * heartbeat. `track` lets a caller pass a recently read track and spare the read.
 */
export async function pendingUpdate(
  ctx: Ctx,
  robot: OfferRobot,
  track?: Doc<OtaTrack> | null,
): Promise<PendingUpdate | null> {
  const decision = await decideOffer(ctx, robot, track);
  if (!decision.offer) return null;
  const query = robot.currentVersion ? `?current_version=${encodeURIComponent(robot.currentVersion)}` : "";
  return {
    bundle_id: decision.offer.id,
    version: decision.offer.data.version,
    rollback: decision.rollback,
    check_url: `${ctx.config.publicUrl}/api/ota/check${query}`,
  };
}
