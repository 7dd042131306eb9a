/**
 * The signaling relay on `WS /api/remote/signal` (PRODUCT.md §6.4), hosted by the custom server.
 *
 * Two kinds of connections arrive on the same path:
 * - a **robot** keeps one outbound connection; its upgrade request is signed exactly like every
 *   robot request (RFC 9421, checked by `withRobot`, nonce spent in the store). The URL may name its
 *   device id (`…/signal/{device_id}`); it must then be the signer's own.
 * - a **client** (console, app) connects for one session with the token `POST /api/remote/verify`
 *   gave it, as `Authorization: Bearer …` or, from a browser, as the WebSocket subprotocol
 *   `bearer.<token>` next to `continuon.remote.v1`.
 *
 * Credentials are checked before the upgrade completes; a refusal is a plain HTTP error with the
 * API's JSON body, audited as `remote.refuse`. After that, every frame is size-checked, rate-limited
 * and parsed with the protocol's zod union (`lib/remote/protocol.ts`); the relay forwards between
 * the two ends of a session only — never anywhere else, and never to anything on the robot other
 * than its own relay connection.
 *
 * Live state stays in this process (this class); what the rest of the product needs is written to
 * `remote_sessions` through the domain verbs, in batches for traffic. `sweep()` enforces token
 * expiry, the client grace period, revocations made elsewhere and writes traffic; `heartbeat()`
 * pings every connection and drops those that did not answer the previous ping. Both take their
 * time from `now()`, so tests drive them with a fixed clock.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type RawData, type WebSocket } from "ws";
import { appendAudit } from "@/lib/audit/append-audit";
import type { Actor, Ctx, Logger, RequestInfo } from "@/lib/context";
import type { AppConfig } from "@/lib/env";
import { DomainError, isDomainError, type ErrorCode } from "@/lib/errors";
import { createId } from "@/lib/ids";
import { authorizeRelayClient, type AuthorizedClient } from "@/lib/remote/authorize-relay-client";
import { endRemoteSession } from "@/lib/remote/end-remote-session";
import { expireRemoteSessions } from "@/lib/remote/expire-remote-sessions";
import { iceServersFor } from "@/lib/remote/ice-servers";
import { markSessionConnected } from "@/lib/remote/mark-session-connected";
import {
  BEARER_SUBPROTOCOL_PREFIX,
  CLIENT_SENDABLE,
  CLOSE_CODES,
  encodeRelayMessage,
  HARD_MAX_FRAME_BYTES,
  MAX_MESSAGE_BYTES,
  parseRelayMessage,
  ROBOT_SENDABLE,
  SUBPROTOCOL,
  type OutgoingRelayMessage,
  type RelayMessage,
} from "@/lib/remote/protocol";
import { recordSessionConnect } from "@/lib/remote/record-session-connect";
import { recordSessionsProgress, type SessionProgress } from "@/lib/remote/record-sessions-progress";
import type { LiveSession, RelayControl } from "@/lib/remote/relay-control";
import { RemoteSessions, type ConnectionType, type EndedReason, type SessionPath } from "@/lib/remote/schemas";
import { SIGNAL_PATH } from "@/lib/remote/views";
import { isDeviceId } from "@/lib/robots/ruri";
import { refuseUpgrade } from "./http-refusal";
import { TokenBucket } from "./token-bucket";

export interface RateLimit {
  messagesPerSecond: number;
  messageBurst: number;
  bytesPerSecond: number;
  byteBurst: number;
}

export interface RelayLimits {
  /** Largest text frame that is parsed; larger ones close the connection (4413). */
  maxMessageBytes: number;
  client: RateLimit;
  /** A robot's connection carries all its sessions, so it gets more. */
  robot: RateLimit;
  /** Messages dropped for rate before the connection is closed (4429). */
  floodCloseAfter: number;
  /** Malformed messages before the connection is closed (4400). */
  malformedCloseAfter: number;
  /** How long a session waits for its client to come back before it ends (`client_left`). */
  clientGraceMs: number;
  /** Live sessions one robot may have at once. */
  maxSessionsPerRobot: number;
  /**
   * Failed upgrades (bad or missing credentials) per address per minute; past it, the address is
   * refused before any credential check until the budget refills. Only failures count: a site with
   * hundreds of robots behind one NAT must be able to reconnect all at once after a relay restart.
   */
  upgradeFailuresPerMinutePerIp: number;
  /** `remote.refuse` audit entries per address per minute (the rest are logged only). */
  refusalAuditsPerMinutePerIp: number;
  /** Data for a receiver with more than this queued is dropped (a slow end must not fill our memory). */
  maxBufferedBytes: number;
}

export const DEFAULT_RELAY_LIMITS: RelayLimits = {
  maxMessageBytes: MAX_MESSAGE_BYTES,
  client: { messagesPerSecond: 100, messageBurst: 200, bytesPerSecond: 1024 * 1024, byteBurst: 4 * 1024 * 1024 },
  robot: { messagesPerSecond: 1000, messageBurst: 2000, bytesPerSecond: 8 * 1024 * 1024, byteBurst: 16 * 1024 * 1024 },
  floodCloseAfter: 200,
  malformedCloseAfter: 20,
  clientGraceMs: 30_000,
  maxSessionsPerRobot: 16,
  upgradeFailuresPerMinutePerIp: 60,
  refusalAuditsPerMinutePerIp: 30,
  maxBufferedBytes: 4 * 1024 * 1024,
};

export interface RelayOptions {
  instanceId: string;
  config: Pick<AppConfig, "turn" | "trustProxy">;
  log: Logger;
  now(): Date;
  /** A domain context acting as `actor` (the relay calls the same verbs as the HTTP API). */
  contextFor(actor: Actor, request?: Partial<RequestInfo>): Ctx;
  /** Verify a robot's signed upgrade request (the robot API's `withRobot`); returns the signer. */
  authenticateRobot(request: Request, info: RequestInfo): Promise<{ deviceId: string }>;
  limits?: Partial<RelayLimits>;
}

type Role = "client" | "robot";

/** One WebSocket, either end. */
class Peer {
  alive = true;
  malformed = 0;
  dropped = 0;
  lastRateErrorAt = 0;
  readonly auditedReasons = new Set<string>();
  readonly messages: TokenBucket;
  readonly bytes: TokenBucket;
  /** Set when the relay closes it, so the close handler knows the reason. */
  closeReason: string | null = null;

  constructor(
    readonly role: Role,
    readonly ws: WebSocket,
    readonly info: RequestInfo,
    readonly actor: Actor,
    limit: RateLimit,
    nowMs: number,
  ) {
    this.messages = new TokenBucket(limit.messageBurst, limit.messagesPerSecond, nowMs);
    this.bytes = new TokenBucket(limit.byteBurst, limit.bytesPerSecond, nowMs);
  }

  get isOpen(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }

  send(message: OutgoingRelayMessage): void {
    if (this.isOpen) this.ws.send(encodeRelayMessage(message));
  }

  sendRaw(text: string): void {
    if (this.isOpen) this.ws.send(text);
  }

  close(code: number, reason: string): void {
    this.closeReason ??= reason;
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) {
      this.ws.close(code, reason.slice(0, 120));
    }
  }
}

class ClientPeer extends Peer {
  constructor(
    ws: WebSocket,
    info: RequestInfo,
    readonly auth: AuthorizedClient,
    limit: RateLimit,
    nowMs: number,
  ) {
    super("client", ws, info, auth.actor, limit, nowMs);
  }
}

class RobotPeer extends Peer {
  constructor(
    ws: WebSocket,
    info: RequestInfo,
    readonly deviceId: string,
    limit: RateLimit,
    nowMs: number,
  ) {
    super("robot", ws, info, { kind: "robot", deviceId }, limit, nowMs);
  }
}

/** A session held by this relay instance. */
interface SessionState {
  sessionId: string;
  deviceId: string;
  userUid: string;
  expiresAt: Date;
  client: ClientPeer | null;
  clientLeftAt: number | null;
  clientConnectedAt: string | null;
  /** Whether `connected` (both ends seen) has been written. */
  connectedWritten: boolean;
  path: SessionPath | null;
  connectionType: ConnectionType | null;
  pathDirty: boolean;
  bytes: number;
  messages: number;
  pendingBytes: number;
  pendingMessages: number;
  expiryTimer: NodeJS.Timeout | null;
}

/** Close codes for each way a session ends, as the client sees them. */
const END_CLOSE: Record<EndedReason, number> = {
  bye: 1000,
  robot_ended: CLOSE_CODES.session_ended,
  client_left: CLOSE_CODES.session_ended,
  token_expired: CLOSE_CODES.unauthenticated,
  revoked: CLOSE_CODES.forbidden,
  ownership_changed: CLOSE_CODES.forbidden,
  protocol_violation: CLOSE_CODES.invalid,
  expired_unused: CLOSE_CODES.unauthenticated,
};

function errorFields(error: unknown): { code: ErrorCode; reason: string; message: string } {
  if (isDomainError(error)) return { code: error.code, reason: error.reason ?? error.code, message: error.message };
  return { code: "internal", reason: "internal", message: "Something went wrong on our side." };
}

/** The bearer token of a client upgrade: `Authorization: Bearer …`, or the `bearer.<token>` subprotocol. */
export function clientTokenOf(request: IncomingMessage): string | null {
  const header = request.headers.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (header) return header;
  const protocols = (request.headers["sec-websocket-protocol"] ?? "").split(",").map((entry) => entry.trim());
  const bearer = protocols.find((entry) => entry.startsWith(BEARER_SUBPROTOCOL_PREFIX));
  return bearer ? bearer.slice(BEARER_SUBPROTOCOL_PREFIX.length) : null;
}

export class Relay implements RelayControl {
  readonly instanceId: string;
  readonly limits: RelayLimits;
  private readonly wss: WebSocketServer;
  private readonly robots = new Map<string, RobotPeer>();
  private readonly sessions = new Map<string, SessionState>();
  private readonly upgradeBuckets = new Map<string, TokenBucket>();
  private readonly refusalAuditBuckets = new Map<string, TokenBucket>();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly log: Logger;
  private closed = false;
  /** Sweeps since start; the store backstop for expired sessions runs every 12th. */
  private sweeps = 0;

  constructor(private readonly options: RelayOptions) {
    this.instanceId = options.instanceId;
    this.limits = { ...DEFAULT_RELAY_LIMITS, ...options.limits };
    this.log = options.log.child({ module: "relay", instance: options.instanceId });
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: HARD_MAX_FRAME_BYTES,
      perMessageDeflate: false,
      // Browsers offer ["continuon.remote.v1", "bearer.<token>"]: pick ours, never echo the token.
      handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
    });
  }

  // ── RelayControl (read by route handlers through the runtime registry) ─────────────────────────

  liveSession(sessionId: string): LiveSession | null {
    const state = this.sessions.get(sessionId);
    return state ? this.view(state) : null;
  }

  liveSessions(): LiveSession[] {
    return [...this.sessions.values()].map((state) => this.view(state));
  }

  isRobotConnected(deviceId: string): boolean {
    return this.robots.get(deviceId)?.isOpen ?? false;
  }

  endSession(sessionId: string, reason: EndedReason): boolean {
    const state = this.sessions.get(sessionId);
    if (!state) return false;
    this.finishSession(state, reason, { persist: true });
    return true;
  }

  /** Connections open now (for metrics and tests). */
  get connectionCount(): { robots: number; clients: number } {
    let clients = 0;
    for (const state of this.sessions.values()) if (state.client?.isOpen) clients++;
    return { robots: this.robots.size, clients };
  }

  // ── Upgrades ───────────────────────────────────────────────────────────────────────────────────

  /** The custom server's upgrade handler for `/api/remote/signal` and `/api/remote/signal/{id}`. */
  handleUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on("error", () => undefined);
    const info = this.requestInfo(request);
    const nowMs = this.options.now().getTime();
    if (this.closed) {
      refuseUpgrade(
        socket,
        new DomainError("unavailable", "The relay is restarting; reconnect.", { reason: "relay_closing" }),
      );
      return;
    }
    if (!this.failureBucket(info).has(1, nowMs)) {
      const error = new DomainError("rate_limited", "Too many failed connection attempts; wait and retry.", {
        reason: "rate_limited",
        retryAfterS: 10,
      });
      this.auditRefusal(info, { kind: "anonymous" }, error, { stage: "upgrade" });
      refuseUpgrade(socket, error);
      return;
    }
    this.track(this.authenticateUpgrade(request, socket, head, info));
  };

  private async authenticateUpgrade(
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    info: RequestInfo,
  ): Promise<void> {
    let role: Role | null = null;
    let actor: Actor = { kind: "anonymous" };
    let auditTarget: Record<string, string> = {};
    try {
      const pathDeviceId = this.pathDeviceId(request);
      const isSigned = "signature-input" in request.headers || "signature" in request.headers;
      const token = clientTokenOf(request);
      if (isSigned) {
        role = "robot";
        const { deviceId } = await this.options.authenticateRobot(this.toFetchRequest(request), info);
        actor = { kind: "robot", deviceId };
        if (pathDeviceId !== null && pathDeviceId !== deviceId) {
          throw new DomainError(
            "forbidden",
            `The relay URL names robot ${pathDeviceId}, but the request is signed by ${deviceId}; a robot may connect only as itself.`,
            { reason: "robot_mismatch" },
          );
        }
        if (socket.destroyed) return;
        this.wss.handleUpgrade(request, socket, head, (ws) => this.attachRobot(ws, info, deviceId));
      } else if (token !== null) {
        role = "client";
        const auth = await authorizeRelayClient(this.context({ kind: "anonymous" }, info), {
          token,
          pathDeviceId,
          onIdentified: (user, sid) => {
            actor = user;
            auditTarget = { session_id: sid };
          },
        });
        actor = auth.actor;
        const live = [...this.sessions.values()].filter((state) => state.deviceId === auth.deviceId);
        if (
          live.length >= this.limits.maxSessionsPerRobot &&
          !live.some((state) => state.sessionId === auth.sessionId)
        ) {
          throw new DomainError("rate_limited", `Robot ${auth.deviceId} has too many live sessions.`, {
            reason: "too_many_sessions",
            retryAfterS: 30,
          });
        }
        if (socket.destroyed) return;
        this.wss.handleUpgrade(request, socket, head, (ws) => this.attachClient(ws, info, auth));
      } else {
        throw new DomainError(
          "unauthenticated",
          "Connect with a session token (Authorization: Bearer, or the bearer.<token> subprotocol) or, for robots, a signed request.",
          { reason: "credentials_missing" },
        );
      }
    } catch (error) {
      if (!isDomainError(error)) this.log.error({ err: error }, "relay upgrade failed");
      this.failureBucket(info).take(1, this.options.now().getTime());
      this.auditRefusal(info, actor, error, { stage: "upgrade", role, ...auditTarget });
      refuseUpgrade(socket, error);
    }
  }

  private failureBucket(info: RequestInfo): TokenBucket {
    const key = info.ip ?? "unknown";
    let bucket = this.upgradeBuckets.get(key);
    if (!bucket) {
      const perMinute = this.limits.upgradeFailuresPerMinutePerIp;
      bucket = new TokenBucket(perMinute, perMinute / 60, this.options.now().getTime());
      this.upgradeBuckets.set(key, bucket);
    }
    return bucket;
  }

  private pathDeviceId(request: IncomingMessage): string | null {
    const pathname = new URL(request.url ?? "/", "http://relay").pathname;
    const rest = pathname.slice(SIGNAL_PATH.length).replace(/^\/+/, "").replace(/\/+$/, "");
    if (rest === "") return null;
    if (!isDeviceId(rest)) {
      throw new DomainError("invalid", `The relay URL must be ${SIGNAL_PATH} or ${SIGNAL_PATH}/{device_id}.`, {
        reason: "invalid_relay_path",
      });
    }
    return rest;
  }

  /** The upgrade as a fetch Request, for the robot API's signature check (GET, no body). */
  private toFetchRequest(request: IncomingMessage): Request {
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) {
      if (value === undefined) continue;
      for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
    }
    return new Request(`http://${request.headers.host ?? "relay"}${request.url ?? "/"}`, {
      method: request.method ?? "GET",
      headers,
    });
  }

  private requestInfo(request: IncomingMessage): RequestInfo {
    // As the HTTP routes do: behind Google's front end the last X-Forwarded-For hop is the client.
    const forwarded = request.headers["x-forwarded-for"];
    const lastHop = typeof forwarded === "string" ? forwarded.split(",").pop()?.trim() : undefined;
    const ip =
      (this.options.config.trustProxy && lastHop) ||
      (request.headers["x-continuon-remote-addr"] as string | undefined) ||
      request.socket.remoteAddress ||
      null;
    return {
      requestId: createId("ws", this.options.now()),
      ip,
      userAgent: request.headers["user-agent"]?.slice(0, 300) ?? null,
    };
  }

  // ── Robots ─────────────────────────────────────────────────────────────────────────────────────

  private attachRobot(ws: WebSocket, info: RequestInfo, deviceId: string): void {
    const nowMs = this.options.now().getTime();
    const peer = new RobotPeer(ws, info, deviceId, this.limits.robot, nowMs);
    const previous = this.robots.get(deviceId);
    if (previous) previous.close(CLOSE_CODES.replaced, "replaced by a newer connection");
    this.robots.set(deviceId, peer);
    this.wire(peer);
    this.track(
      appendAudit(this.context(peer.actor, info), {
        action: "remote.robot_connect",
        target: { type: "robot", id: deviceId },
        details: { relay_instance: this.instanceId, replaced: previous !== undefined },
      }),
    );
    for (const state of this.sessions.values()) {
      if (state.deviceId !== deviceId || !state.client) continue;
      this.announceToRobot(peer, state);
      state.client.send({
        type: "status",
        session_id: state.sessionId,
        state: "robot_online",
        expires_at: state.expiresAt.toISOString(),
      });
      this.markConnected(state);
    }
    ws.on("close", (code) => {
      if (this.robots.get(deviceId) === peer) this.robots.delete(deviceId);
      const replaced = this.robots.has(deviceId);
      if (!replaced) {
        for (const state of this.sessions.values()) {
          if (state.deviceId === deviceId)
            state.client?.send({ type: "status", session_id: state.sessionId, state: "robot_offline" });
        }
      }
      this.track(
        appendAudit(this.context(peer.actor, info), {
          action: "remote.robot_disconnect",
          target: { type: "robot", id: deviceId },
          details: { code, reason: peer.closeReason ?? "closed_by_robot", relay_instance: this.instanceId },
        }),
      );
    });
  }

  private announceToRobot(robot: RobotPeer, state: SessionState): void {
    robot.send({
      type: "status",
      session_id: state.sessionId,
      state: "peer_joined",
      user_uid: state.userUid,
      expires_at: state.expiresAt.toISOString(),
      ice_servers: iceServersFor(this.options.config.turn, {
        subject: `robot_${state.deviceId}`,
        expiresAt: state.expiresAt,
      }),
    });
  }

  // ── Clients ────────────────────────────────────────────────────────────────────────────────────

  private attachClient(ws: WebSocket, info: RequestInfo, auth: AuthorizedClient): void {
    const now = this.options.now();
    const peer = new ClientPeer(ws, info, auth, this.limits.client, now.getTime());
    let state = this.sessions.get(auth.sessionId);
    const reconnect = state !== undefined;
    if (!state) {
      state = {
        sessionId: auth.sessionId,
        deviceId: auth.deviceId,
        userUid: auth.userUid,
        expiresAt: auth.expiresAt,
        client: null,
        clientLeftAt: null,
        clientConnectedAt: null,
        connectedWritten: false,
        path: null,
        connectionType: null,
        pathDirty: false,
        bytes: 0,
        messages: 0,
        pendingBytes: 0,
        pendingMessages: 0,
        expiryTimer: null,
      };
      this.sessions.set(auth.sessionId, state);
      this.scheduleExpiry(state);
    }
    if (state.client) state.client.close(CLOSE_CODES.replaced, "replaced by a newer connection");
    state.client = peer;
    state.clientLeftAt = null;
    state.clientConnectedAt = now.toISOString();
    this.wire(peer);

    const robot = this.robots.get(auth.deviceId);
    const robotOnline = robot?.isOpen ?? false;
    peer.send({
      type: "status",
      session_id: state.sessionId,
      state: robotOnline ? "robot_online" : "waiting_for_robot",
      expires_at: state.expiresAt.toISOString(),
    });
    if (robot && robotOnline) this.announceToRobot(robot, state);
    state.connectedWritten ||= robotOnline;
    this.track(
      recordSessionConnect(this.context(auth.actor, info), {
        sessionId: state.sessionId,
        instance: this.instanceId,
        robotOnline,
        reconnect,
      }),
    );
    const current = state;
    ws.on("close", (code) => {
      if (current.client !== peer) return;
      current.client = null;
      if (!this.sessions.has(current.sessionId)) return;
      current.clientLeftAt = this.options.now().getTime();
      this.robots.get(current.deviceId)?.send({ type: "status", session_id: current.sessionId, state: "peer_left" });
      this.log.info({ session_id: current.sessionId, code, reason: peer.closeReason }, "relay client left");
    });
  }

  private markConnected(state: SessionState): void {
    if (state.connectedWritten) return;
    state.connectedWritten = true;
    this.track(markSessionConnected(this.context({ kind: "system", name: "relay" }), { sessionId: state.sessionId }));
  }

  private scheduleExpiry(state: SessionState): void {
    const delay = state.expiresAt.getTime() - this.options.now().getTime();
    // A timer per session closes it at the exact second; sweep() is the backstop (and what tests drive).
    state.expiryTimer = setTimeout(() => this.sweepExpiry(), Math.max(0, Math.min(delay + 50, 2 ** 31 - 1)));
    state.expiryTimer.unref();
  }

  // ── Messages ───────────────────────────────────────────────────────────────────────────────────

  private wire(peer: Peer): void {
    peer.ws.on("pong", () => {
      peer.alive = true;
    });
    peer.ws.on("message", (data, isBinary) => this.onMessage(peer, data, isBinary));
    peer.ws.on("error", (error) => {
      // ws reports oversize frames (beyond HARD_MAX_FRAME_BYTES) and bad framing here, then closes.
      const tooBig = (error as { code?: string }).code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH";
      this.refuse(peer, {
        code: tooBig ? "too_large" : "invalid",
        reason: tooBig ? "message_too_large" : "bad_frame",
        message: tooBig ? `Frame larger than ${HARD_MAX_FRAME_BYTES} bytes.` : "Bad WebSocket frame.",
      });
    });
  }

  private onMessage(peer: Peer, data: RawData, isBinary: boolean): void {
    peer.alive = true;
    const size = Array.isArray(data) ? data.reduce((sum, part) => sum + part.length, 0) : (data as Buffer).byteLength;
    const nowMs = this.options.now().getTime();
    if (size > this.limits.maxMessageBytes) {
      this.refuse(peer, {
        code: "too_large",
        reason: "message_too_large",
        message: `Message of ${size} bytes is over the ${this.limits.maxMessageBytes}-byte limit.`,
      });
      peer.close(CLOSE_CODES.too_large, "message too large");
      return;
    }
    if (!peer.messages.take(1, nowMs) || !peer.bytes.take(size, nowMs)) {
      peer.dropped++;
      if (nowMs - peer.lastRateErrorAt >= 1000) {
        peer.lastRateErrorAt = nowMs;
        this.refuse(peer, {
          code: "rate_limited",
          reason: "rate_limited",
          message: "Too many messages; some were dropped. Slow down.",
        });
      }
      if (peer.dropped > this.limits.floodCloseAfter) {
        this.refuse(peer, { code: "rate_limited", reason: "flood", message: "Message flood; closing." });
        peer.close(CLOSE_CODES.rate_limited, "message flood");
      }
      return;
    }
    if (isBinary) {
      this.violation(peer, { code: "invalid", reason: "binary_not_supported", message: "Send JSON text frames." });
      return;
    }
    const text = Array.isArray(data)
      ? Buffer.concat(data).toString("utf8")
      : Buffer.from(data as Buffer).toString("utf8");
    const parsed = parseRelayMessage(text);
    if (!parsed.ok) {
      this.violation(peer, parsed.violation);
      return;
    }
    const message = parsed.message;
    if (!(peer.role === "client" ? CLIENT_SENDABLE : ROBOT_SENDABLE).has(message.type)) {
      this.violation(peer, {
        code: "invalid",
        reason: "not_allowed",
        message: `A ${peer.role} may not send "${message.type}".`,
        ref: message.id,
      });
      return;
    }
    if (peer instanceof ClientPeer) this.fromClient(peer, message, size);
    else if (peer instanceof RobotPeer) this.fromRobot(peer, message, size);
  }

  private fromClient(peer: ClientPeer, message: RelayMessage, size: number): void {
    const state = this.sessions.get(peer.auth.sessionId);
    if (!state || state.client !== peer) return;
    if (message.session_id !== undefined && message.session_id !== state.sessionId) {
      this.refuse(peer, {
        code: "forbidden",
        reason: "session_mismatch",
        message: "A client connection speaks only for its own session.",
        ref: message.id,
      });
      return;
    }
    if (message.type === "ping") {
      peer.send({ type: "pong", ts: message.ts, ...(message.id ? { id: message.id } : {}) });
      return;
    }
    if (message.type === "path") {
      state.path = message.path;
      state.connectionType = message.connection_type;
      state.pathDirty = true;
      return;
    }
    const robot = this.robots.get(state.deviceId);
    if (!robot?.isOpen) {
      if (message.type !== "bye") {
        peer.send({
          type: "error",
          session_id: state.sessionId,
          code: "unavailable",
          reason: "robot_offline",
          message: "The robot is not connected to the relay.",
          ...(message.id ? { ref: message.id } : {}),
        });
      }
    } else if (!this.forward(robot, state, message, size)) {
      peer.send({
        type: "error",
        session_id: state.sessionId,
        code: "unavailable",
        reason: "peer_congested",
        message: "The robot is not keeping up; data was dropped.",
        ...(message.id ? { ref: message.id } : {}),
      });
    }
    if (message.type === "bye") this.finishSession(state, "bye", { persist: true });
  }

  private fromRobot(peer: RobotPeer, message: RelayMessage, size: number): void {
    if (message.type === "ping") {
      peer.send({ type: "pong", ts: message.ts, ...(message.id ? { id: message.id } : {}) });
      return;
    }
    if (message.session_id === undefined) {
      this.violation(peer, {
        code: "invalid",
        reason: "session_id_required",
        message: `A robot's "${message.type}" must name its session_id.`,
        ref: message.id,
      });
      return;
    }
    const state = this.sessions.get(message.session_id);
    if (!state || state.deviceId !== peer.deviceId) {
      // Another robot's session, or one that ended: same answer, nothing forwarded.
      this.refuse(peer, {
        code: "not_found",
        reason: "unknown_session",
        message: `No live session ${message.session_id} for robot ${peer.deviceId}.`,
        ref: message.id,
      });
      return;
    }
    const client = state.client;
    if (!client?.isOpen) {
      if (message.type !== "bye") {
        peer.send({
          type: "error",
          session_id: state.sessionId,
          code: "unavailable",
          reason: "client_offline",
          message: "The session's client is not connected.",
          ...(message.id ? { ref: message.id } : {}),
        });
      }
    } else if (!this.forward(client, state, message, size)) {
      peer.send({
        type: "error",
        session_id: state.sessionId,
        code: "unavailable",
        reason: "peer_congested",
        message: "The client is not keeping up; data was dropped.",
        ...(message.id ? { ref: message.id } : {}),
      });
    }
    if (message.type === "bye") this.finishSession(state, "robot_ended", { persist: true });
  }

  /**
   * Send a validated message on to the other end, re-encoded from the parsed value (only the
   * schema's fields travel) with the session stamped on it. Data to a receiver that is not keeping
   * up is dropped rather than queued without bound.
   */
  private forward(to: Peer, state: SessionState, message: RelayMessage, size: number): boolean {
    if (message.type === "data" && to.ws.bufferedAmount > this.limits.maxBufferedBytes) return false;
    to.sendRaw(encodeRelayMessage({ ...message, session_id: state.sessionId }));
    state.messages++;
    state.pendingMessages++;
    if (message.type === "data") {
      state.bytes += size;
      state.pendingBytes += size;
      if (state.path === null) {
        // Application data through the relay before (or without) any report: it is a tunnel.
        state.path = "relayed";
        state.connectionType = "tunnel";
        state.pathDirty = true;
      }
    }
    return true;
  }

  /** A malformed message: answer with `error`, audit the first of each kind, close after too many. */
  private violation(peer: Peer, violation: { code: ErrorCode; reason: string; message: string; ref?: string }): void {
    peer.malformed++;
    this.refuse(peer, violation);
    if (peer.malformed >= this.limits.malformedCloseAfter) {
      this.refuse(peer, {
        code: "invalid",
        reason: "too_many_malformed",
        message: "Too many malformed messages; closing.",
      });
      peer.close(CLOSE_CODES.invalid, "too many malformed messages");
    }
  }

  /** Tell the peer what was refused; audit it once per reason per connection. */
  private refuse(peer: Peer, error: { code: ErrorCode; reason: string; message: string; ref?: string }): void {
    const sessionId = peer instanceof ClientPeer ? peer.auth.sessionId : undefined;
    peer.send({
      type: "error",
      code: error.code,
      reason: error.reason,
      message: error.message,
      ...(sessionId ? { session_id: sessionId } : {}),
      ...(error.ref ? { ref: error.ref } : {}),
    });
    if (peer.auditedReasons.has(error.reason)) return;
    peer.auditedReasons.add(error.reason);
    this.auditRefusal(peer.info, peer.actor, new DomainError(error.code, error.message, { reason: error.reason }), {
      stage: "message",
      role: peer.role,
      ...(sessionId ? { session_id: sessionId } : {}),
      ...(peer instanceof RobotPeer ? { robot_id: peer.deviceId } : {}),
    });
  }

  private auditRefusal(info: RequestInfo, actor: Actor, error: unknown, details: Record<string, unknown>): void {
    const fields = errorFields(error);
    this.log.warn({ ...details, ...fields, ip: info.ip }, "relay refused");
    const key = info.ip ?? "unknown";
    const nowMs = this.options.now().getTime();
    let bucket = this.refusalAuditBuckets.get(key);
    if (!bucket) {
      const perMinute = this.limits.refusalAuditsPerMinutePerIp;
      bucket = new TokenBucket(perMinute, perMinute / 60, nowMs);
      this.refusalAuditBuckets.set(key, bucket);
    }
    // An attacker must not be able to flood the audit log through us: past the budget, log only.
    if (!bucket.take(1, nowMs)) return;
    const target =
      typeof details.session_id === "string"
        ? { type: "remote_session", id: details.session_id }
        : actor.kind === "robot"
          ? { type: "robot", id: actor.deviceId }
          : null;
    this.track(
      appendAudit(this.context(actor, info), {
        action: "remote.refuse",
        target,
        outcome: "denied",
        details: { ...details, code: fields.code, reason: fields.reason, message: fields.message },
      }),
    );
  }

  // ── Ending, sweeping, heartbeats ──────────────────────────────────────────────────────────────

  private finishSession(state: SessionState, reason: EndedReason, options: { persist: boolean }): void {
    if (this.sessions.get(state.sessionId) !== state) return;
    this.sessions.delete(state.sessionId);
    if (state.expiryTimer) clearTimeout(state.expiryTimer);
    const client = state.client;
    state.client = null;
    if (client) {
      if (reason === "token_expired") {
        client.send({
          type: "error",
          session_id: state.sessionId,
          code: "unauthenticated",
          reason: "token_expired",
          message: "The session token expired; the session has ended.",
        });
      } else if (reason === "revoked" || reason === "ownership_changed") {
        client.send({
          type: "error",
          session_id: state.sessionId,
          code: "forbidden",
          reason: reason === "revoked" ? "session_revoked" : "ownership_changed",
          message: reason === "revoked" ? "The session was revoked." : "The robot changed hands.",
        });
      }
      client.send({ type: "status", session_id: state.sessionId, state: "session_ended", reason });
      client.close(END_CLOSE[reason], `session ended: ${reason}`);
    }
    this.robots
      .get(state.deviceId)
      ?.send({ type: "status", session_id: state.sessionId, state: "session_ended", reason });
    const pendingBytes = state.pendingBytes;
    const pendingMessages = state.pendingMessages;
    state.pendingBytes = 0;
    state.pendingMessages = 0;
    const ctx = this.context(client?.actor ?? { kind: "system", name: "relay" }, client?.info);
    const path = state.pathDirty ? state.path : null;
    this.track(
      (async () => {
        if (path) {
          await recordSessionsProgress(ctx, [
            { sessionId: state.sessionId, bytes: 0, messages: 0, path, connectionType: state.connectionType },
          ]);
        }
        if (options.persist) {
          await endRemoteSession(ctx, { sessionId: state.sessionId, reason, pendingBytes, pendingMessages });
        } else if (pendingBytes > 0 || pendingMessages > 0) {
          await recordSessionsProgress(ctx, [
            { sessionId: state.sessionId, bytes: pendingBytes, messages: pendingMessages },
          ]);
        }
      })(),
    );
  }

  private sweepExpiry(): void {
    const nowMs = this.options.now().getTime();
    for (const state of [...this.sessions.values()]) {
      if (nowMs >= state.expiresAt.getTime()) this.finishSession(state, "token_expired", { persist: true });
    }
  }

  /**
   * Periodic work (every few seconds): token expiry, the client grace period, revocations made on
   * other instances (read back from the store), traffic and path writes, and — every 12th sweep —
   * the store backstop that ends expired sessions no relay holds.
   */
  async sweep(): Promise<void> {
    const nowMs = this.options.now().getTime();
    this.sweepExpiry();
    for (const state of [...this.sessions.values()]) {
      if (!state.client && state.clientLeftAt !== null && nowMs - state.clientLeftAt >= this.limits.clientGraceMs) {
        this.finishSession(state, "client_left", { persist: true });
      }
    }
    const ctx = this.context({ kind: "system", name: "relay" });
    const ids = [...this.sessions.keys()];
    for (let i = 0; i < ids.length; i += 100) {
      const docs = await ctx.db.getMany(RemoteSessions, ids.slice(i, i + 100));
      for (const doc of docs) {
        const state = doc ? this.sessions.get(doc.id) : undefined;
        if (doc && state && !doc.data.active)
          this.finishSession(state, doc.data.ended_reason ?? "revoked", { persist: false });
      }
    }
    const batch: Array<{ state: SessionState; write: SessionProgress }> = [];
    for (const state of this.sessions.values()) {
      if (state.pendingBytes === 0 && state.pendingMessages === 0 && !state.pathDirty) continue;
      batch.push({
        state,
        write: {
          sessionId: state.sessionId,
          bytes: state.pendingBytes,
          messages: state.pendingMessages,
          path: state.pathDirty ? state.path : null,
          connectionType: state.pathDirty ? state.connectionType : null,
        },
      });
      state.pendingBytes = 0;
      state.pendingMessages = 0;
      state.pathDirty = false;
    }
    if (batch.length > 0) {
      await recordSessionsProgress(
        ctx,
        batch.map((entry) => entry.write),
      ).catch((error: unknown) => {
        // Put the counts back: the next sweep retries.
        for (const { state, write } of batch) {
          state.pendingBytes += write.bytes;
          state.pendingMessages += write.messages;
          if (write.path) state.pathDirty = true;
        }
        this.log.warn({ err: error, sessions: batch.length }, "relay could not write session progress");
      });
    }
    if (this.sweeps++ % 12 === 0) await expireRemoteSessions(ctx);
    for (const [key, bucket] of this.upgradeBuckets) if (bucket.isFull(nowMs)) this.upgradeBuckets.delete(key);
    for (const [key, bucket] of this.refusalAuditBuckets)
      if (bucket.isFull(nowMs)) this.refusalAuditBuckets.delete(key);
  }

  /** Ping every connection; one that did not answer the previous ping is dead and dropped (4408). */
  heartbeat(): void {
    const peers: Peer[] = [...this.robots.values()];
    for (const state of this.sessions.values()) if (state.client) peers.push(state.client);
    for (const peer of peers) {
      if (!peer.alive) {
        peer.closeReason ??= "dead_peer";
        peer.ws.terminate();
        continue;
      }
      peer.alive = false;
      if (peer.isOpen) peer.ws.ping();
    }
  }

  /** Wait for the relay's background writes (audit, session updates) to finish. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Shutdown: refuse new upgrades, write pending traffic, close every connection with 1001 (clients reconnect elsewhere). */
  async close(): Promise<void> {
    this.closed = true;
    await this.sweep().catch((error: unknown) => this.log.warn({ err: error }, "relay final sweep failed"));
    for (const state of this.sessions.values()) {
      if (state.expiryTimer) clearTimeout(state.expiryTimer);
      state.client?.close(CLOSE_CODES.going_away, "relay restarting");
    }
    for (const robot of this.robots.values()) robot.close(CLOSE_CODES.going_away, "relay restarting");
    await this.settled();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private view(state: SessionState): LiveSession {
    return {
      session_id: state.sessionId,
      device_id: state.deviceId,
      user_uid: state.userUid,
      client_connected: state.client?.isOpen ?? false,
      robot_connected: this.isRobotConnected(state.deviceId),
      path: state.path,
      connection_type: state.connectionType,
      bytes_relayed: state.bytes,
      messages_relayed: state.messages,
      pending_bytes: state.pendingBytes,
      pending_messages: state.pendingMessages,
      client_connected_at: state.clientConnectedAt,
      instance: this.instanceId,
    };
  }

  private context(actor: Actor, info?: RequestInfo): Ctx {
    return this.options.contextFor(actor, info);
  }

  private track(promise: Promise<unknown>): void {
    const tracked = promise.catch((error: unknown) => this.log.error({ err: error }, "relay background write failed"));
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }
}
