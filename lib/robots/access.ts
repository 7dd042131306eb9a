import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import type { Doc } from "@/lib/storage/typed";
import { Robots, type Robot } from "./schemas";
import { canSeeRobotDetail } from "./views";

/**
 * The signed robot acting. Verbs of the robot API call this first.
 *
 * @throws `unauthenticated` / `robot_signature_required` for any other actor.
 */
export function requireRobot(ctx: Ctx): { deviceId: string } {
  if (ctx.actor.kind !== "robot") {
    throw new DomainError("unauthenticated", "This needs a signed robot request.", {
      reason: "robot_signature_required",
    });
  }
  return { deviceId: ctx.actor.deviceId };
}

/**
 * A robot may act only for itself: when a request names a robot (`robot_id`, `device_id`, a RURI),
 * it must be the signer. Later robot endpoints (episode upload, OTA reports) call this too.
 *
 * @throws `forbidden` / `robot_mismatch` naming both ids.
 */
export function requireRobotSelf(ctx: Ctx, named: string, field = "device_id"): { deviceId: string } {
  const robot = requireRobot(ctx);
  if (named !== robot.deviceId) {
    throw new DomainError(
      "forbidden",
      `${field} ${JSON.stringify(named.slice(0, 80))} is not the signing robot (${robot.deviceId}); a robot may act only for itself.`,
      { reason: "robot_mismatch" },
    );
  }
  return robot;
}

/**
 * Load a robot the actor may see in full, or fail as if it did not exist: owners must not learn
 * which device ids other people's robots have.
 */
export async function requireVisibleRobot(ctx: Ctx, deviceId: string): Promise<Doc<Robot>> {
  const doc = await ctx.db.get(Robots, deviceId);
  if (!doc || !canSeeRobotDetail(ctx.actor, doc.data)) {
    throw new DomainError("not_found", `Robot ${deviceId.slice(0, 80)} was not found.`, { reason: "robot_not_found" });
  }
  return doc;
}
