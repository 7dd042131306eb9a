import { z } from "zod";
import type { Ctx } from "@/lib/context";
import { requireUser } from "@/lib/users/authorize";
import { parseInput } from "@/lib/validation";
import { requireVisibleRobot } from "./access";
import { HEARTBEAT_HISTORY_HOURS, HeartbeatPoints } from "./schemas";
import { toHeartbeatPointView, toRobotView, type HeartbeatPointView, type RobotView } from "./views";

export const ZGetRobotInput = z.object({
  device_id: z.string().min(1).max(64),
  history_hours: z.coerce.number().min(0).max(HEARTBEAT_HISTORY_HOURS).optional(),
});

/** The most points one read returns (the store's page limit). */
export const MAX_HISTORY_POINTS = 1000;

/**
 * A robot's detail page: everything about it and its heartbeat history (oldest first, one point per
 * minute). Owners see only their robots (others are "not found"); operators and admins see all.
 */
export async function getRobot(
  ctx: Ctx,
  rawInput: unknown,
): Promise<{ robot: RobotView; heartbeats: HeartbeatPointView[] }> {
  requireUser(ctx);
  const input = parseInput(ZGetRobotInput, rawInput, "query");
  const doc = await requireVisibleRobot(ctx, input.device_id);
  const now = ctx.now();
  const hours = input.history_hours ?? 6;
  let heartbeats: HeartbeatPointView[] = [];
  if (hours > 0) {
    const page = await ctx.db.query(HeartbeatPoints, {
      where: [
        { field: "device_id", op: "==", value: doc.id },
        { field: "at", op: ">=", value: new Date(now.getTime() - hours * 3600_000).toISOString() },
      ],
      orderBy: { field: "at", direction: "desc" },
      limit: MAX_HISTORY_POINTS,
    });
    heartbeats = page.docs.map((point) => toHeartbeatPointView(point.data)).reverse();
  }
  return { robot: toRobotView(doc.data, now), heartbeats };
}
