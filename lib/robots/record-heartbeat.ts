import type { Ctx } from "@/lib/context";
import { nonceReplayedError } from "@/lib/crypto/http-signatures";
import { DomainError, isDomainError } from "@/lib/errors";
import { pendingUpdate } from "@/lib/ota/pending-update";
import type { OtaTrack } from "@/lib/ota/schemas";
import type { Doc } from "@/lib/storage/typed";
import type { UpdatePatch } from "@/lib/storage/port";
import { writes } from "@/lib/storage/typed";
import { parseInput } from "@/lib/validation";
import { requireRobot, requireRobotSelf } from "./access";
import { applyWrites, facetIdsFor, facetWrites, UNKNOWN_FIRMWARE } from "./facets";
import { groupedBatch } from "./grouped-batch";
import { isNonceLive, robotNonceRecord, type RobotNonce } from "./record-robot-nonce";
import { parseRuri } from "./ruri";
import {
  FleetFacets,
  HEARTBEAT_HISTORY_HOURS,
  HeartbeatPoints,
  RobotNonces,
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

function robotMissing(deviceId: string): DomainError {
  return new DomainError("not_found", `Robot ${deviceId} is not registered.`, { reason: "robot_not_found" });
}

function pointFor(deviceId: string, input: HeartbeatInput, firmware: string | null, now: Date): HeartbeatPoint {
  return {
    device_id: deviceId,
    at: now.toISOString(),
    status: input.status ?? "online",
    battery: input.battery ?? null,
    firmware_version: input.firmware_version ?? firmware,
    metrics: input.metrics ?? {},
    expires_at: new Date(now.getTime() + HEARTBEAT_HISTORY_HOURS * 3600_000).toISOString(),
  };
}

/**
 * `POST /api/rcan/heartbeat`: the signing robot reports it is alive, with optional state.
 *
 * The common case (nothing but time and state changed) is one atomic batch, group-committed with
 * other robots' writes: the signature's nonce (when the route passes it, see `withRobot`'s
 * `nonceInHandler`), the registry patch (guarded by the revision when this verb read the document
 * itself) and the history point.
 * A replayed nonce fails the whole batch, so a replay changes nothing. A firmware change also moves
 * the fleet's firmware counters, so it runs as a transaction; so do the rare retries (a revision
 * that moved, a nonce record left from an earlier window).
 */
export async function recordHeartbeat(
  ctx: Ctx,
  rawInput: unknown,
  options: {
    nonce?: RobotNonce;
    /**
     * The firmware version the caller knows the registry holds (authentication keeps it with the
     * robot's key). Given, the common heartbeat needs no read at all: it patches only fields it
     * owns and leaves `firmware_version` alone, so a stale value can never be written; a differing
     * firmware takes the transaction path, which reads the document fresh.
     */
    knownFirmware?: string | null;
    /**
     * What the caller knows of the robot for the `pending.ota` hint (model, versions) and, when it
     * read one recently, the robot model's OTA track; without them the verb reads what it needs.
     */
    known?: { model: string; currentBundle: string | null; brainVersion: string | null; track?: Doc<OtaTrack> | null };
  } = {},
): Promise<HeartbeatAnswer> {
  const { deviceId } = requireRobot(ctx);
  const input = parseInput(ZHeartbeatInput, rawInput ?? {}, "body");
  if (input.device_id !== undefined) requireRobotSelf(ctx, input.device_id, "device_id");
  if (input.ruri !== undefined) requireRobotSelf(ctx, parseRuri(input.ruri).deviceId, "ruri device_id");
  const now = ctx.now();
  const interval = ctx.config.heartbeatIntervalS;
  const patch = patchFor(input, now, interval);
  const nonce = options.nonce ? robotNonceRecord(options.nonce, now) : null;

  let knownFirmware = options.knownFirmware;
  let guard: { ifRevision: string } | undefined;
  if (knownFirmware === undefined) {
    const current = await ctx.db.get(Robots, deviceId);
    if (!current) throw robotMissing(deviceId);
    knownFirmware = current.data.firmware_version;
    guard = { ifRevision: current.revision };
  }
  const firmwareChanges = input.firmware_version !== undefined && input.firmware_version !== knownFirmware;

  let stored = false;
  if (!firmwareChanges) {
    const { firmware_version: _unchanged, ...fastPatch } = patch;
    void _unchanged;
    try {
      await groupedBatch(ctx, [
        ...(nonce ? [writes.create(RobotNonces, nonce.id, nonce.data)] : []),
        writes.update(Robots, deviceId, fastPatch, guard),
        writes.set(HeartbeatPoints, heartbeatPointId(deviceId, now), pointFor(deviceId, input, knownFirmware, now)),
      ]);
      stored = true;
    } catch (error) {
      if (isDomainError(error) && error.code === "not_found") throw robotMissing(deviceId);
      // precondition_failed: another write moved the revision; conflict: the nonce record exists.
      if (!isDomainError(error) || (error.code !== "precondition_failed" && error.code !== "conflict")) throw error;
    }
  }
  if (!stored) {
    await ctx.db.transaction(async (tx) => {
      const doc = await tx.get(Robots, deviceId);
      const seen = nonce ? await tx.get(RobotNonces, nonce.id) : null;
      if (seen && isNonceLive(seen.data, now)) throw nonceReplayedError(deviceId);
      if (!doc) throw robotMissing(deviceId);
      const before = { model: doc.data.model, firmware: doc.data.firmware_version ?? UNKNOWN_FIRMWARE };
      const after = { model: doc.data.model, firmware: input.firmware_version ?? before.firmware };
      const facetDocs = new Map<string, FleetFacet | null>();
      for (const id of facetIdsFor(before, after)) facetDocs.set(id, (await tx.get(FleetFacets, id))?.data ?? null);
      if (nonce) tx.set(RobotNonces, nonce.id, nonce.data);
      tx.update(Robots, deviceId, patch);
      tx.set(
        HeartbeatPoints,
        heartbeatPointId(deviceId, now),
        pointFor(deviceId, input, doc.data.firmware_version, now),
      );
      applyWrites(tx, facetWrites(before, after, facetDocs));
    });
  }
  const status = computeRobotStatus(
    { status: patch.status as Robot["status"], offline_after: patch.offline_after as string },
    now,
  );
  const known = options.known ?? (await knownFromRegistry(ctx, deviceId));
  const ota = known
    ? await pendingUpdate(
        ctx,
        {
          deviceId,
          robotModel: known.model,
          currentVersion: input.current_bundle !== undefined ? input.current_bundle : known.currentBundle,
          brainVersion: input.brain_version ?? known.brainVersion,
        },
        known.track,
      )
    : null;
  return { server_time: now.toISOString(), next_heartbeat_s: interval, status, pending: ota ? { ota } : {} };
}

type KnownRobot = NonNullable<Parameters<typeof recordHeartbeat>[2]>["known"];

async function knownFromRegistry(ctx: Ctx, deviceId: string): Promise<KnownRobot | null> {
  const robot = await ctx.db.get(Robots, deviceId);
  return robot
    ? { model: robot.data.model, currentBundle: robot.data.current_bundle, brainVersion: robot.data.brain_version }
    : null;
}
