/**
 * The relay's message protocol on `WS /api/remote/signal` (PRODUCT.md §6.4), version 1.
 *
 * Every message is one JSON text frame: `{"v": 1, "type": …, …}`. The union below is the whole
 * protocol; the relay refuses anything else with an `error` message. Who may send what:
 *
 * | type     | client → relay | robot → relay | relay → either end |
 * | -------- | -------------- | ------------- | ------------------ |
 * | offer, answer, ice, bye, data | forwarded to the robot | forwarded to the session's client | (forwarded) |
 * | ping     | answered with `pong` | answered with `pong` | — |
 * | path     | recorded on the session | refused | — |
 * | status, pong, error | refused | refused | sent by the relay |
 *
 * A client connection belongs to exactly one session, so a client never names it (the relay
 * stamps `session_id` on what it forwards; a client that names another session is refused). A robot
 * connection carries every session of that robot, so each robot message must name its session.
 */
import { z } from "zod";
import { ERROR_CODES, type ErrorCode } from "@/lib/errors";
import { ZConnectionType, ZSessionId, ZSessionPath } from "./schemas";

export const PROTOCOL_VERSION = 1;
/** The WebSocket subprotocol a client offers; a second entry `bearer.<token>` carries its token. */
export const SUBPROTOCOL = "continuon.remote.v1";
export const BEARER_SUBPROTOCOL_PREFIX = "bearer.";

/** Largest text frame accepted (bytes). SDP offers are a few kB; telemetry and commands far less. */
export const MAX_MESSAGE_BYTES = 64 * 1024;
/** Frames beyond this never reach the parser: the WebSocket layer closes the connection (1009). */
export const HARD_MAX_FRAME_BYTES = 1024 * 1024;

const ZBase = {
  v: z.literal(PROTOCOL_VERSION),
  /** Required on robot messages; stamped by the relay on what it sends to a robot. */
  session_id: ZSessionId.optional(),
  /** An optional message id an `error` can refer to (`ref`). */
  id: z.string().min(1).max(64).optional(),
};

export const ZOffer = z.object({ ...ZBase, type: z.literal("offer"), sdp: z.string().min(1).max(48_000) }).strict();
export const ZAnswer = z.object({ ...ZBase, type: z.literal("answer"), sdp: z.string().min(1).max(48_000) }).strict();

/** An ICE candidate as `RTCIceCandidate.toJSON()` gives it; `null` marks the end of candidates. */
export const ZIceCandidate = z
  .object({
    candidate: z.string().max(1024),
    sdpMid: z.string().max(64).nullable().optional(),
    sdpMLineIndex: z.number().int().min(0).max(255).nullable().optional(),
    usernameFragment: z.string().max(256).nullable().optional(),
  })
  .strict();
export const ZIce = z.object({ ...ZBase, type: z.literal("ice"), candidate: ZIceCandidate.nullable() }).strict();

export const ZBye = z.object({ ...ZBase, type: z.literal("bye"), reason: z.string().max(200).optional() }).strict();

/**
 * Application data carried by the relay when no WebRTC data channel is up (the "tunnel"). The relay
 * does not read `payload` (any JSON value); both ends speak `app-messages.ts` inside it.
 */
export const ZData = z.object({ ...ZBase, type: z.literal("data"), payload: z.json() }).strict();

export const ZPing = z.object({ ...ZBase, type: z.literal("ping"), ts: z.number().finite() }).strict();
export const ZPong = z.object({ ...ZBase, type: z.literal("pong"), ts: z.number().finite() }).strict();

/** Client → relay: how application data flows now; recorded on the session and shown in the console. */
export const ZPathReport = z
  .object({ ...ZBase, type: z.literal("path"), path: ZSessionPath, connection_type: ZConnectionType })
  .strict();

export const STATUS_STATES = [
  /** To a client: the robot has no relay connection yet. */
  "waiting_for_robot",
  /** To a client: the robot is connected; start signaling. */
  "robot_online",
  /** To a client: the robot's relay connection dropped (it usually comes back). */
  "robot_offline",
  /** To a robot: a client joined the session named by `session_id` (carries `user_uid`, `ice_servers`). */
  "peer_joined",
  /** To a robot: the session's client went away (it may come back until the session ends). */
  "peer_left",
  /** To either end: the session ended (`reason`); no more messages for it. */
  "session_ended",
] as const;

/** An ICE server as `RTCPeerConnection` takes it. */
export const ZIceServer = z.object({
  urls: z.union([z.string(), z.array(z.string())]),
  username: z.string().optional(),
  credential: z.string().optional(),
});
export type IceServer = z.infer<typeof ZIceServer>;

/** Relay → end. */
export const ZStatus = z
  .object({
    ...ZBase,
    type: z.literal("status"),
    state: z.enum(STATUS_STATES),
    expires_at: z.string().optional(),
    user_uid: z.string().optional(),
    ice_servers: z.array(ZIceServer).optional(),
    reason: z.string().optional(),
  })
  .strict();

/** Relay → end: something was refused. `code` is a transport-neutral error code, `reason` the finer cause. */
export const ZErrorMessage = z
  .object({
    ...ZBase,
    type: z.literal("error"),
    code: z.enum(ERROR_CODES),
    reason: z.string(),
    message: z.string(),
    /** The `id` of the message refused, when it had one. */
    ref: z.string().optional(),
  })
  .strict();

export const ZRelayMessage = z.discriminatedUnion("type", [
  ZOffer,
  ZAnswer,
  ZIce,
  ZBye,
  ZData,
  ZPing,
  ZPong,
  ZPathReport,
  ZStatus,
  ZErrorMessage,
]);
export type RelayMessage = z.infer<typeof ZRelayMessage>;
export type RelayMessageType = RelayMessage["type"];

/** What each end may send; everything else is refused with `not_allowed`. */
export const CLIENT_SENDABLE: ReadonlySet<RelayMessageType> = new Set([
  "offer",
  "answer",
  "ice",
  "bye",
  "data",
  "ping",
  "path",
]);
export const ROBOT_SENDABLE: ReadonlySet<RelayMessageType> = new Set(["offer", "answer", "ice", "bye", "data", "ping"]);
/** Messages the relay forwards to the other end of the session. */
export const FORWARDED: ReadonlySet<RelayMessageType> = new Set(["offer", "answer", "ice", "bye", "data"]);

/**
 * WebSocket close codes the relay uses (4000–4999 are for applications). Each mirrors an HTTP
 * status, so `code - 4000` reads like one.
 */
export const CLOSE_CODES = {
  /** Too many malformed messages. */
  invalid: 4400,
  /** The token expired. */
  unauthenticated: 4401,
  /** The session was revoked or ownership changed. */
  forbidden: 4403,
  /** No pong within the heartbeat interval. */
  dead_peer: 4408,
  /** A newer connection for the same session or robot replaced this one. */
  replaced: 4409,
  /** The session ended (bye from the other end, or expired). */
  session_ended: 4410,
  /** A frame over the size limit. */
  too_large: 4413,
  /** A message flood. */
  rate_limited: 4429,
  /** The relay is shutting down; reconnect. */
  going_away: 1001,
} as const;

/** A refused message, as the relay reports it (and audits it). */
export interface ProtocolViolation {
  code: ErrorCode;
  reason: "malformed_json" | "not_an_object" | "unsupported_version" | "invalid_message" | "binary_not_supported";
  message: string;
  ref?: string;
}

export type ParseResult = { ok: true; message: RelayMessage } | { ok: false; violation: ProtocolViolation };

/**
 * Parse one text frame. Never throws: a bad frame becomes a violation whose message names the
 * field at fault (the relay sends it back as an `error`).
 */
export function parseRelayMessage(text: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, violation: { code: "invalid", reason: "malformed_json", message: "Message is not JSON." } };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return {
      ok: false,
      violation: { code: "invalid", reason: "not_an_object", message: "Message must be a JSON object." },
    };
  }
  const record = value as Record<string, unknown>;
  const ref = typeof record.id === "string" ? record.id.slice(0, 64) : undefined;
  if (record.v !== PROTOCOL_VERSION) {
    return {
      ok: false,
      violation: {
        code: "invalid",
        reason: "unsupported_version",
        message: `Message v must be ${PROTOCOL_VERSION}, got ${JSON.stringify(record.v ?? null)?.slice(0, 20)}.`,
        ref,
      },
    };
  }
  const result = ZRelayMessage.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue?.path.map(String).join(".") || "(root)";
    return {
      ok: false,
      violation: {
        code: "invalid",
        reason: "invalid_message",
        message: `Invalid ${typeof record.type === "string" ? JSON.stringify(record.type.slice(0, 20)) : "message"}: ${path}: ${issue?.message ?? "invalid"}.`,
        ref,
      },
    };
  }
  return { ok: true, message: result.data };
}

/** A message without its version field (the encoder adds it); distributes over the union. */
export type OutgoingRelayMessage = RelayMessage extends infer M
  ? M extends RelayMessage
    ? Omit<M, "v"> & { v?: 1 }
    : never
  : never;

/** Serialize a message (always with the protocol version first). */
export function encodeRelayMessage(message: OutgoingRelayMessage): string {
  return JSON.stringify({ v: PROTOCOL_VERSION, ...message });
}
