import { z } from "zod";
import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import type { Doc } from "@/lib/storage/typed";
import { parseInput } from "@/lib/validation";
import { parseRobotReference } from "./ruri";
import { Robots, type Robot } from "./schemas";
import { canSeeRobotDetail, toPublicRobotView, toRobotView, type PublicRobotView, type RobotView } from "./views";

export const ZLookupInput = z.object({ ruri: z.string().min(1, "is required").max(512) });

function notFound(reference: string): DomainError {
  return new DomainError("not_found", `No robot ${JSON.stringify(reference.slice(0, 120))} was found.`, {
    reason: "robot_not_found",
  });
}

/**
 * Whether `actor` may learn that `robot` exists through a lookup: whoever may see its detail, and
 * any signed robot or signed-in user when its owner published it (`lookup_visibility: public`).
 */
function canLookUp(actor: Ctx["actor"], robot: Robot): boolean {
  if (canSeeRobotDetail(actor, robot)) return true;
  return robot.lookup_visibility === "public" && (actor.kind === "robot" || actor.kind === "user");
}

/**
 * `GET /api/rcan/lookup?ruri=…`: find a robot by RURI, device id or legacy alias.
 *
 * - a robot: everything about itself; the public part of a robot its owner published; any other
 *   robot is "not found", exactly as if it did not exist;
 * - an owner: everything about robots they own; the public part of published robots; any other
 *   robot is "not found", so device ids of other people's robots cannot be probed;
 * - operators and admins: everything about any robot.
 *
 * What is published is the owner's choice (`updateRobot`, default `private`); see /docs/robot-api.
 */
export async function lookupRobot(ctx: Ctx, rawInput: unknown): Promise<PublicRobotView | RobotView> {
  if (ctx.actor.kind !== "user" && ctx.actor.kind !== "robot") {
    throw new DomainError("unauthenticated", "Sign in or sign the request as a robot.", { reason: "sign_in_required" });
  }
  const { ruri: reference } = parseInput(ZLookupInput, rawInput, "query");
  const parsed = parseRobotReference(reference);
  let candidates: Doc<Robot>[];
  if (parsed.kind === "alias") {
    const page = await ctx.db.query(Robots, {
      where: [{ field: "legacy_ids", op: "array-contains", value: parsed.alias }],
      limit: 20,
    });
    candidates = page.docs;
  } else {
    const doc = await ctx.db.get(Robots, parsed.deviceId);
    candidates = doc && (parsed.kind === "device_id" || doc.data.ruri === parsed.address.identity) ? [doc] : [];
  }
  const actor = ctx.actor;
  const visible = candidates.filter((doc) => canLookUp(actor, doc.data));
  if (visible.length === 0) throw notFound(reference);
  if (visible.length > 1) {
    throw new DomainError(
      "conflict",
      `Alias ${parsed.kind === "alias" ? parsed.alias : reference} names ${visible.length} robots; look up by RURI or device id.`,
      { reason: "ambiguous_alias", details: { device_ids: visible.map((doc) => doc.id) } },
    );
  }
  const robot = (visible[0] as Doc<Robot>).data;
  const now = ctx.now();
  return canSeeRobotDetail(actor, robot) ? toRobotView(robot, now) : toPublicRobotView(robot, now);
}
