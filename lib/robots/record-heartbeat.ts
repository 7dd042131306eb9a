import type { Ctx } from "@/lib/context";
import { DomainError, isDomainError } from "@/lib/errors";
import type { UpdatePatch } from "@/lib/storage/port";
import { parseInput } from "@/lib/validation";
import { requireRobot, requireRobotSelf } from "./access";
import { applyWrites, facetIdsFor, facetWrites, UNKNOWN_FIRMWARE } from "./facets";
import { parseRuri } from "./ruri";
import {
  FleetFacets,
  HEARTBEAT_HISTORY_HOURS,
  HeartbeatPoints,
  Robots,
  ZHeartbeatInput,
  type FleetFacet,
  type HeartbeatInput,
  type HeartbeatPoint,
  type Robot,
} from "./schemas";
import { computeRobotStatus, offlineAfter, type ShownStatus } from "./status";

/** What a robot is told after a heartbeat (PRODUCT.md §6.1). */
export interface HeartbeatAnswer {
  server_time: string;
  next_heartbeat_s: number;
  /** The status the robot is shown with after this heartbeat. */
  status: ShownStatus;
  /** Work waiting for the robot; other features add their entries (e.g. `ota`). */
  pending: Record<string, unknown>;
}

/** The heartbeat point id: one per robot per minute, so history stays bounded whatever the interval. */
export function heartbeatPointId(deviceId: string, at: Date): string {
  return `${deviceId}_${at.toISOString().slice(0, 16).replace(/[-:T]/g, "")}`;
}

function patchFor(input: HeartbeatInput, now: Date, interval: number): UpdatePatch {
  const status = input.status ?? "online";
  const patch: UpdatePatch = {
    status,
    last_heartbeat: now.toISOString(),
    offline_after: offlineAfter(now, interval, status),
    heartbeat_interval_s: interval,
    updated_at: now.toISOString(),
  };
  if (input.firmware_version !== undefined) patch.firmware_version = input.firmware_version;
  if (input.brain_version !== undefined) patch.brain_version = input.brain_version;
  if (input.current_bundle !== undefined) patch.current_bundle = input.current_bundle;
  if (input.battery !== undefined) patch.battery = input.battery;
  if (input.endpoint !== undefined) {
    patch.endpoint = {
      lan_ip: input.endpoint.lan_ip ?? null,
      lan_port: input.endpoint.lan_port ?? null,
      tunnel_url: input.endpoint.tunnel_url ?? null,
    };
  }
  return patch;
}

function pointFor(deviceId: string, input: HeartbeatInput, robot: Robot, now: Date): HeartbeatPoint {
  return {
    device_id: deviceId,
    at: now.toISOString(),
    status: input.status ?? "online",
    battery: input.battery ?? null,
    firmware_version: input.firmware_version ?? robot.firmware_version,
    metrics: input.metrics ?? {},
    expires_at: new Date(now.getTime() + HEARTBEAT_HISTORY_HOURS * 3600_000).toISOString(),
  };
}

/**
 * `POST /api/rcan/heartbeat`: the signing robot reports it is alive, with optional state.
 *
 * The common case (nothing but time and state changed) is one atomic batch: the registry update,
 * guarded by the revision just read, and the history point. A firmware change also moves the
 * fleet's firmware counters, so it runs as a transaction; so does the rare retry when another write
 * got in between.
 */
export async function recordHeartbeat(ctx: Ctx, rawInput: unknown): Promise<HeartbeatAnswer> {
  const { deviceId } = requireRobot(ctx);
  const input = parseInput(ZHeartbeatInput, rawInput ?? {}, "body");
  if (input.device_id !== undefined) requireRobotSelf(ctx, input.device_id, "device_id");
  if (input.ruri !== undefined) requireRobotSelf(ctx, parseRuri(input.ruri).deviceId, "ruri device_id");
  const now = ctx.now();
  const interval = ctx.config.heartbeatIntervalS;
  const patch = patchFor(input, now, interval);

  const current = await ctx.db.get(Robots, deviceId);
  if (!current)
    throw new DomainError("not_found", `Robot ${deviceId} is not registered.`, { reason: "robot_not_found" });
  const firmwareChanges =
    input.firmware_version !== undefined && input.firmware_version !== current.data.firmware_version;

  let stored = false;
  if (!firmwareChanges) {
    try {
      await ctx.db.batch([
        { kind: "update", collection: Robots.name, id: deviceId, patch, options: { ifRevision: current.revision } },
        {
          kind: "set",
          collection: HeartbeatPoints.name,
          id: heartbeatPointId(deviceId, now),
          data: pointFor(deviceId, input, current.data, now),
        },
      ]);
      stored = true;
    } catch (error) {
      if (!isDomainError(error) || error.code !== "precondition_failed") throw error;
    }
  }
  if (!stored) {
    await ctx.db.transaction(async (tx) => {
      const doc = await tx.get(Robots, deviceId);
      if (!doc)
        throw new DomainError("not_found", `Robot ${deviceId} is not registered.`, { reason: "robot_not_found" });
      const before = { model: doc.data.model, firmware: doc.data.firmware_version ?? UNKNOWN_FIRMWARE };
      const after = { model: doc.data.model, firmware: input.firmware_version ?? before.firmware };
      const facetDocs = new Map<string, FleetFacet | null>();
      for (const id of facetIdsFor(before, after)) facetDocs.set(id, (await tx.get(FleetFacets, id))?.data ?? null);
      tx.update(Robots, deviceId, patch);
      tx.set(HeartbeatPoints, heartbeatPointId(deviceId, now), pointFor(deviceId, input, doc.data, now));
      applyWrites(tx, facetWrites(before, after, facetDocs));
    });
  }
  const status = computeRobotStatus(
    { status: patch.status as Robot["status"], offline_after: patch.offline_after as string },
    now,
  );
  return { server_time: now.toISOString(), next_heartbeat_s: interval, status, pending: {} };
}
