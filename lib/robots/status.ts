import type { Robot } from "./schemas";

/** A robot is shown offline after this many intervals without a heartbeat (PRODUCT.md §6.1). */
export const MISSED_HEARTBEATS_OFFLINE = 3;

export type ShownStatus = "online" | "offline" | "sleeping";

/**
 * When a robot that heartbeats at `at` turns offline unless it heartbeats again. A robot that says
 * it is going offline is offline at once.
 */
export function offlineAfter(at: Date, intervalS: number, reported: Robot["status"]): string {
  if (reported === "offline") return at.toISOString();
  return new Date(at.getTime() + MISSED_HEARTBEATS_OFFLINE * intervalS * 1000).toISOString();
}

/**
 * The status people and robots are shown, computed at read time: the reported status while the
 * robot is within its heartbeat window, offline after it. Computing it on read (instead of a job
 * flipping a stored field) means no background writer races the robot's own heartbeats, and the
 * answer is right on every instance at once. The window end is stored (`offline_after`) so lists
 * can filter on it with an index.
 */
export function computeRobotStatus(robot: Pick<Robot, "status" | "offline_after">, now: Date): ShownStatus {
  if (robot.offline_after <= now.toISOString()) return "offline";
  return robot.status;
}
