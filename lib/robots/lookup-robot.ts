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
 * `GET /api/rcan/lookup?ruri=…`: find a robot by RURI, device id or legacy alias.
 *
 * - a robot: the public part of any robot, everything about itself;
 * - an owner: only robots they own (everything); any other robot is "not found", so device ids of
 *   other people's robots cannot be probed;
 * - operators and admins: everything about any robot.
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
  const visible = actor.kind === "robot" ? candidates : candidates.filter((doc) => canSeeRobotDetail(actor, doc.data));
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
