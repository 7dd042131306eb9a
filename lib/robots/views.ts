import type { Actor } from "@/lib/context";
import { hasRole } from "@/lib/users/authorize";
import type { Doc } from "@/lib/storage/typed";
import type { HeartbeatPoint, KeyEvent, LookupVisibility, ProvisioningToken, Robot, RobotEndpoint } from "./schemas";
import { computeRobotStatus, type ShownStatus } from "./status";

/** What anyone allowed to know a robot exists may see. */
export interface PublicRobotView {
  device_id: string;
  ruri: string;
  manufacturer: string;
  model: string;
  name: string;
  /** Computed at read time from the last heartbeat and the interval. */
  status: ShownStatus;
  capabilities: string[];
  registered_at: string;
  claimed: boolean;
}

/** What the robot's owner, operators, admins and the robot itself see. */
export interface RobotView extends PublicRobotView {
  registry: string;
  reported_status: Robot["status"];
  owner_uid: string | null;
  claimed_at: string | null;
  last_heartbeat: string;
  offline_after: string;
  heartbeat_interval_s: number;
  firmware_version: string | null;
  brain_version: string | null;
  current_bundle: string | null;
  endpoint: RobotEndpoint | null;
  battery: number | null;
  tags: string[];
  legacy_ids: string[];
  public_key: string | null;
  key_fingerprint: string | null;
  key_registered_at: string | null;
  key_history: KeyEvent[];
  lookup_visibility: LookupVisibility;
  reenrolment_expires_at: string | null;
}

export function toPublicRobotView(robot: Robot, now: Date): PublicRobotView {
  return {
    device_id: robot.device_id,
    ruri: robot.ruri,
    manufacturer: robot.manufacturer,
    model: robot.model,
    name: robot.name,
    status: computeRobotStatus(robot, now),
    capabilities: robot.capabilities,
    registered_at: robot.registered_at,
    claimed: robot.owner_uid !== null,
  };
}

export function toRobotView(robot: Robot, now: Date): RobotView {
  return {
    ...toPublicRobotView(robot, now),
    registry: robot.registry,
    reported_status: robot.status,
    owner_uid: robot.owner_uid,
    claimed_at: robot.claimed_at,
    last_heartbeat: robot.last_heartbeat,
    offline_after: robot.offline_after,
    heartbeat_interval_s: robot.heartbeat_interval_s,
    firmware_version: robot.firmware_version,
    brain_version: robot.brain_version,
    current_bundle: robot.current_bundle,
    endpoint: robot.endpoint,
    battery: robot.battery,
    tags: robot.tags,
    legacy_ids: robot.legacy_ids,
    public_key: robot.public_key,
    key_fingerprint: robot.key_fingerprint,
    key_registered_at: robot.key_registered_at,
    key_history: robot.key_history,
    lookup_visibility: robot.lookup_visibility ?? "private",
    reenrolment_expires_at: robot.reenrolment?.expires_at ?? null,
  };
}

/**
 * Whether `actor` may see everything about `robot`: its owner, operators and admins, and the robot
 * itself. Everyone else sees it not at all (users) or only its public part (other robots).
 */
export function canSeeRobotDetail(actor: Actor, robot: Pick<Robot, "owner_uid" | "device_id">): boolean {
  if (actor.kind === "user") return hasRole(actor.role, "operator") || robot.owner_uid === actor.uid;
  if (actor.kind === "robot") return actor.deviceId === robot.device_id;
  return actor.kind === "system";
}

export interface HeartbeatPointView {
  at: string;
  status: HeartbeatPoint["status"];
  battery: number | null;
  firmware_version: string | null;
  metrics: Record<string, number>;
}

export function toHeartbeatPointView(point: HeartbeatPoint): HeartbeatPointView {
  return {
    at: point.at,
    status: point.status,
    battery: point.battery,
    firmware_version: point.firmware_version,
    metrics: point.metrics,
  };
}

export type ProvisioningTokenState = "active" | "expired" | "revoked" | "exhausted";

export interface ProvisioningTokenView {
  token_id: string;
  hint: string;
  label: string;
  model: string;
  manufacturer: string | null;
  state: ProvisioningTokenState;
  created_at: string;
  created_by: string;
  expires_at: string | null;
  max_uses: number | null;
  use_count: number;
  last_used_at: string | null;
  revoked_at: string | null;
}

export function provisioningTokenState(token: ProvisioningToken, now: Date): ProvisioningTokenState {
  if (token.revoked_at !== null) return "revoked";
  if (token.expires_at !== null && token.expires_at <= now.toISOString()) return "expired";
  if (token.max_uses !== null && token.use_count >= token.max_uses) return "exhausted";
  return "active";
}

export function toProvisioningTokenView(doc: Doc<ProvisioningToken>, now: Date): ProvisioningTokenView {
  const token = doc.data;
  return {
    token_id: doc.id,
    hint: token.hint,
    label: token.label,
    model: token.model,
    manufacturer: token.manufacturer,
    state: provisioningTokenState(token, now),
    created_at: token.created_at,
    created_by: token.created_by,
    expires_at: token.expires_at,
    max_uses: token.max_uses,
    use_count: token.use_count,
    last_used_at: token.last_used_at,
    revoked_at: token.revoked_at,
  };
}

/** One row of the robots list and the overview. */
export interface RobotSummary {
  device_id: string;
  ruri: string;
  name: string;
  manufacturer: string;
  model: string;
  status: ShownStatus;
  last_heartbeat: string;
  firmware_version: string | null;
  battery: number | null;
  owner_uid: string | null;
  tags: string[];
  registered_at: string;
}

export function toRobotSummary(robot: Robot, now: Date): RobotSummary {
  return {
    device_id: robot.device_id,
    ruri: robot.ruri,
    name: robot.name,
    manufacturer: robot.manufacturer,
    model: robot.model,
    status: computeRobotStatus(robot, now),
    last_heartbeat: robot.last_heartbeat,
    firmware_version: robot.firmware_version,
    battery: robot.battery,
    owner_uid: robot.owner_uid,
    tags: robot.tags,
    registered_at: robot.registered_at,
  };
}
