import { z } from "zod";
import { defineCollection } from "@/lib/storage/typed";

/**
 * Remote sessions (PRODUCT.md §3.4, §4 `remote_sessions`, §6.4): one document per session an owner
 * opened with `POST /api/remote/verify`. The relay keeps the live state in memory and writes the
 * changes that matter (connected, path, traffic, end) here, so route handlers, other relay
 * instances and the audit trail see the same story.
 */

/** How long a session token (and so a session) lives. PRODUCT.md §3.4: one hour. */
export const SESSION_TTL_S = 3600;

export const ZSessionStatus = z.enum(["pending", "connected", "disconnected"]);
export type SessionStatus = z.infer<typeof ZSessionStatus>;

/** `direct`: a WebRTC path between the two ends; `relayed`: through a TURN server or this relay. */
export const ZSessionPath = z.enum(["direct", "relayed"]);
export type SessionPath = z.infer<typeof ZSessionPath>;

/** `webrtc`: a WebRTC data channel (direct or through TURN); `tunnel`: `data` messages through this relay. */
export const ZConnectionType = z.enum(["webrtc", "tunnel"]);
export type ConnectionType = z.infer<typeof ZConnectionType>;

/** Why a session ended. Stable values: the console and the docs name them. */
export const ENDED_REASONS = [
  /** The client said `bye`. */
  "bye",
  /** The robot said `bye` for this session. */
  "robot_ended",
  /** The client went away without `bye` and did not come back within the grace period. */
  "client_left",
  /** The session token expired (one hour after verify). */
  "token_expired",
  /** The owner or an admin revoked the session. */
  "revoked",
  /** The robot changed hands after the session was opened. */
  "ownership_changed",
  /** The relay closed the client for breaking the protocol (oversize, malformed, flood). */
  "protocol_violation",
  /** The session was never connected before its token expired. */
  "expired_unused",
] as const;
export const ZEndedReason = z.enum(ENDED_REASONS);
export type EndedReason = z.infer<typeof ZEndedReason>;

/** `remote_sessions/{session_id}`: the seed's fields, plus the marked additions. */
export const ZRemoteSession = z.object({
  robot_ruri: z.string(),
  /** + The robot's device_id (the RURI's last segment), for queries and relay routing. */
  robot_id: z.string(),
  user_uid: z.string(),
  created_at: z.string(),
  expires_at: z.string(),
  status: ZSessionStatus,
  /** + True while pending or connected: one equality filter lists live sessions. */
  active: z.boolean(),
  /** The WebSocket URL the client and the robot meet on. */
  relay_endpoint: z.string(),
  local_claim_verified: z.boolean(),
  /** Null until the client reports how its data flows. */
  connection_type: ZConnectionType.nullable(),
  /** + Null until known. */
  path: ZSessionPath.nullable(),
  /** + Bytes of `data` messages carried by the relay, both directions. */
  bytes_relayed: z.number().int().min(0),
  /** + Messages (signaling and data) the relay forwarded, both directions. */
  messages_relayed: z.number().int().min(0),
  /** + */
  ended_reason: ZEndedReason.nullable(),
  connected_at: z.string().nullable(),
  disconnected_at: z.string().nullable(),
  revoked_by: z.string().nullable(),
  /** + `jti` of the claim proof presented at verify. */
  claim_jti: z.string(),
  /** + The relay instance holding the live connections (see the scale-out docs). */
  relay_instance: z.string().nullable(),
});
export type RemoteSession = z.infer<typeof ZRemoteSession>;
export const RemoteSessions = defineCollection("remote_sessions", ZRemoteSession);

/** Session ids: `rs_` + a time-sortable id (see `createId`). */
export const ZSessionId = z.string().regex(/^rs_[0-9a-z]{26}$/, "must be a session id (rs_…)");

// ── Inputs ───────────────────────────────────────────────────────────────────────────────────────

/** `POST /api/remote/verify` (seed §3): field names are the seed's. */
export const ZVerifyInput = z.object({
  robot_ruri: z.string().min(1, "must not be empty").max(512, "is too long"),
  user_uid: z.string().min(1, "must not be empty").max(200, "is too long"),
  local_claim_proof: z.string().trim().min(1, "must not be empty").max(4096, "is too long"),
});
export type VerifyInput = z.infer<typeof ZVerifyInput>;

export const ZSessionIdInput = z.object({ session_id: ZSessionId });

export const ZRevokeInput = z.object({
  session_id: ZSessionId,
  reason: z.string().trim().max(200).optional(),
});

export const ZListSessionsInput = z.object({
  /** `mine`: the caller's sessions, newest first; `active`: every live session (admins). */
  scope: z.enum(["mine", "active"]).default("mine"),
  cursor: z.string().max(2000).nullable().optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});
export type ListSessionsInput = z.input<typeof ZListSessionsInput>;
