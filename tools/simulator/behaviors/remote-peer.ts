/**
 * The robot side of remote sessions, as a robot maker would write it (and what the simulator runs):
 *
 * 1. Keep one outbound WebSocket to the relay, `GET /api/remote/signal/{device_id}` signed like every
 *    robot request (a fresh signature, so a fresh nonce, on each connect), reconnecting with
 *    exponential backoff and jitter.
 * 2. On `status peer_joined` a session starts: the client is there. Telemetry flows at once through
 *    the relay as `data` messages, so the client sees the robot before any peer-to-peer path exists.
 * 3. Answer the client's `offer` with werift (pure TypeScript WebRTC), trickle ICE both ways (remote
 *    candidates that arrive before the offer is applied are queued), and once the `control` data
 *    channel opens, move telemetry and replies onto it.
 * 4. Execute `command` messages (`set_mode`, `say`) and acknowledge each on the path it came by;
 *    apply `teleop` only in a manual mode, with a watchdog that stops the robot when they stop coming;
 *    echo `rtt_probe`.
 * 5. On `status session_ended` / `bye`, tear the session down.
 *
 * Never does it forward anything to the robot's local HTTP API: commands are executed here, after
 * schema validation, as the session's user (the relay authenticated them). A robot whose local API
 * trusts loopback must not expose it through a session.
 */
import { RTCPeerConnection, type RTCDataChannel } from "werift";
import WebSocket from "ws";
import {
  DATA_CHANNEL_LABEL,
  MAX_ANGULAR_RAD_S,
  MAX_LINEAR_M_S,
  parseAppMessage,
  type AckMessage,
  type AppMessage,
  type CommandMessage,
  type RobotMode,
  type Telemetry,
} from "@/lib/remote/app-messages";
import { parseRelayMessage, type IceServer, type RelayMessage } from "@/lib/remote/protocol";
import { SIGNAL_PATH } from "@/lib/remote/views";
import type { RobotClient } from "@/tools/robot-client";

/** The simulated body a session drives (shared with other simulator behaviours when given). */
export interface SimulatedBody {
  mode: RobotMode;
  battery: { percent: number; charging: boolean };
  pose: { x: number; y: number; theta: number };
  velocity: { linear: number; angular: number };
  lastUtterance: string | null;
}

export function createSimulatedBody(): SimulatedBody {
  return {
    mode: "idle",
    battery: { percent: 87, charging: false },
    pose: { x: 0, y: 0, theta: 0 },
    velocity: { linear: 0, angular: 0 },
    lastUtterance: null,
  };
}

export interface RemotePeerOptions {
  client: RobotClient;
  body?: SimulatedBody;
  /** Telemetry messages per second per session (default 5). */
  telemetryHz?: number;
  /** Answer WebRTC offers (default true); without it every session runs over the relay. */
  webrtc?: boolean;
  /** Reconnect backoff bounds (ms). */
  backoff?: { minMs: number; maxMs: number };
  /** Stop teleop motion when no teleop arrived for this long (ms). */
  teleopWatchdogMs?: number;
  log?: (message: string, data?: Record<string, unknown>) => void;
  /** Called after each command ran (tests and the simulator's own log). */
  onCommand?: (command: CommandMessage, ack: AckMessage) => void;
  /**
   * Who drives telemetry: by default the peer's own timer; `external` leaves it to the caller, who
   * calls {@link RemoteRobotPeer.tick} (the simulator runs it on the robot's scheduler).
   */
  clock?: "internal" | "external";
}

interface RobotSession {
  id: string;
  userUid: string | null;
  iceServers: IceServer[];
  pc: RTCPeerConnection | null;
  channel: RTCDataChannel | null;
  pendingIce: Array<NonNullable<Extract<RelayMessage, { type: "ice" }>["candidate"]>>;
  remoteDescriptionSet: boolean;
  clientPresent: boolean;
  seq: number;
  lastTeleopAt: number;
}

export class RemoteRobotPeer {
  readonly body: SimulatedBody;
  private ws: WebSocket | null = null;
  private stopped = true;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private tickTimer: NodeJS.Timeout | null = null;
  private lastTick = Date.now();
  private readonly sessions = new Map<string, RobotSession>();
  private readonly telemetryHz: number;
  private readonly log: (message: string, data?: Record<string, unknown>) => void;
  /** Resolves each time the relay connection opens (tests await it). */
  private openWaiters: Array<() => void> = [];

  constructor(private readonly options: RemotePeerOptions) {
    this.body = options.body ?? createSimulatedBody();
    this.telemetryHz = options.telemetryHz ?? 5;
    this.log = options.log ?? (() => undefined);
  }

  get deviceId(): string {
    return this.options.client.deviceId;
  }

  get isConnected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  /** Sessions with a client present, and whether each has its data channel open. */
  get activeSessions(): Array<{ id: string; direct: boolean }> {
    return [...this.sessions.values()]
      .filter((session) => session.clientPresent)
      .map((session) => ({ id: session.id, direct: session.channel?.readyState === "open" }));
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
    this.lastTick = Date.now();
    if (this.options.clock !== "external") {
      this.tickTimer = setInterval(() => this.tick(), 1000 / this.telemetryHz);
      this.tickTimer.unref?.();
    }
  }

  /** Resolves once the relay connection is open. */
  connected(): Promise<void> {
    if (this.isConnected) return Promise.resolve();
    return new Promise((resolve) => this.openWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.tickTimer) clearInterval(this.tickTimer);
    for (const session of this.sessions.values()) await this.teardown(session);
    this.sessions.clear();
    const ws = this.ws;
    this.ws = null;
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        ws.once("close", () => resolve());
        ws.close(1000, "robot stopping");
        setTimeout(() => {
          ws.terminate();
          resolve();
        }, 1000).unref();
      });
    }
  }

  // ── Relay connection ───────────────────────────────────────────────────────────────────────────

  private connect(): void {
    const path = `${SIGNAL_PATH}/${this.deviceId}`;
    const signed = this.options.client.prepare("GET", path);
    const url = signed.url.replace(/^http/, "ws");
    const ws = new WebSocket(url, { headers: signed.headers });
    this.ws = ws;
    ws.on("open", () => {
      this.attempt = 0;
      this.log("relay connected", { url });
      for (const resolve of this.openWaiters.splice(0)) resolve();
    });
    ws.on("message", (data) => this.onRelayMessage(data.toString()));
    ws.on("unexpected-response", (_request, response) => {
      this.log("relay refused the connection", { status: response.statusCode });
      response.resume();
    });
    ws.on("error", (error) => this.log("relay connection error", { error: error.message }));
    ws.on("close", (code) => {
      if (this.ws === ws) this.ws = null;
      // Sessions survive a relay reconnect on the peer-to-peer path; relayed ones resume when the relay is back.
      if (this.stopped) return;
      const { minMs, maxMs } = this.options.backoff ?? { minMs: 500, maxMs: 30_000 };
      const delay = Math.min(maxMs, minMs * 2 ** this.attempt++) * (0.5 + Math.random() / 2);
      this.log("relay connection closed; reconnecting", { code, delay_ms: Math.round(delay) });
      this.reconnectTimer = setTimeout(() => this.connect(), delay);
      this.reconnectTimer.unref?.();
    });
  }

  private sendRelay(message: Record<string, unknown>): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ v: 1, ...message }));
  }

  private onRelayMessage(text: string): void {
    const parsed = parseRelayMessage(text);
    if (!parsed.ok) {
      this.log("relay sent an unreadable message", { reason: parsed.violation.reason });
      return;
    }
    const message = parsed.message;
    if (message.type === "error") {
      this.log("relay error", { code: message.code, reason: message.reason, message: message.message });
      return;
    }
    if (message.type === "pong" || !message.session_id) return;
    const sessionId = message.session_id;
    switch (message.type) {
      case "status":
        if (message.state === "peer_joined") {
          const session = this.session(sessionId);
          session.clientPresent = true;
          session.userUid = message.user_uid ?? null;
          session.iceServers = message.ice_servers ?? [];
          this.log("client joined", { session_id: sessionId, user_uid: session.userUid });
        } else if (message.state === "peer_left") {
          const session = this.sessions.get(sessionId);
          if (session) session.clientPresent = false;
        } else if (message.state === "session_ended") {
          void this.end(sessionId);
        }
        return;
      case "offer":
        void this.answer(this.session(sessionId), message.sdp).catch((error: unknown) =>
          this.log("could not answer the offer", { session_id: sessionId, error: String(error) }),
        );
        return;
      case "ice": {
        const session = this.session(sessionId);
        if (message.candidate === null) return;
        if (session.pc && session.remoteDescriptionSet) void this.addIce(session, message.candidate);
        else session.pendingIce.push(message.candidate);
        return;
      }
      case "data": {
        const session = this.session(sessionId);
        session.clientPresent = true;
        this.onAppMessage(session, message.payload, "relay");
        return;
      }
      case "bye":
        void this.end(sessionId);
        return;
      default:
        return;
    }
  }

  private session(id: string): RobotSession {
    let session = this.sessions.get(id);
    if (!session) {
      session = {
        id,
        userUid: null,
        iceServers: [],
        pc: null,
        channel: null,
        pendingIce: [],
        remoteDescriptionSet: false,
        clientPresent: true,
        seq: 0,
        lastTeleopAt: 0,
      };
      this.sessions.set(id, session);
    }
    return session;
  }

  private async end(sessionId: string): Promise<void> {
    const session = this.sessions.get(sessionId);
    if (!session) return;
    this.sessions.delete(sessionId);
    await this.teardown(session);
    this.log("session ended", { session_id: sessionId });
  }

  private async teardown(session: RobotSession): Promise<void> {
    session.clientPresent = false;
    const pc = session.pc;
    session.pc = null;
    session.channel = null;
    if (pc) await pc.close().catch(() => undefined);
  }

  // ── WebRTC ─────────────────────────────────────────────────────────────────────────────────────

  private async answer(session: RobotSession, sdp: string): Promise<void> {
    if (this.options.webrtc === false) return;
    if (session.pc) await this.teardown(session).then(() => (session.clientPresent = true));
    const pc = new RTCPeerConnection({
      iceServers: session.iceServers.map((server) => ({
        urls: server.urls,
        ...(server.username ? { username: server.username } : {}),
        ...(server.credential ? { credential: server.credential } : {}),
      })),
    });
    session.pc = pc;
    session.remoteDescriptionSet = false;
    pc.onIceCandidate.subscribe((candidate) => {
      if (!candidate || session.pc !== pc) return;
      const json = candidate.toJSON();
      this.sendRelay({
        type: "ice",
        session_id: session.id,
        candidate: {
          candidate: json.candidate,
          sdpMid: json.sdpMid ?? null,
          sdpMLineIndex: json.sdpMLineIndex ?? null,
        },
      });
    });
    pc.onDataChannel.subscribe((channel) => {
      if (channel.label !== DATA_CHANNEL_LABEL || session.pc !== pc) return;
      const opened = () => {
        session.channel = channel;
        this.log("data channel open", { session_id: session.id });
      };
      if (channel.readyState === "open") opened();
      else channel.stateChanged.subscribe((state) => state === "open" && opened());
      channel.stateChanged.subscribe((state) => {
        if ((state === "closed" || state === "closing") && session.channel === channel) session.channel = null;
      });
      channel.onMessage.subscribe((data) => this.onAppMessage(session, data.toString(), "channel"));
    });
    pc.iceConnectionStateChange.subscribe((state) => this.log("ice", { session_id: session.id, state }));
    await pc.setRemoteDescription({ type: "offer", sdp });
    session.remoteDescriptionSet = true;
    for (const candidate of session.pendingIce.splice(0)) await this.addIce(session, candidate);
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    if (session.pc !== pc) return;
    this.sendRelay({ type: "answer", session_id: session.id, sdp: pc.localDescription?.sdp ?? answer.sdp });
  }

  private async addIce(
    session: RobotSession,
    candidate: NonNullable<Extract<RelayMessage, { type: "ice" }>["candidate"]>,
  ): Promise<void> {
    try {
      await session.pc?.addIceCandidate({
        candidate: candidate.candidate,
        sdpMid: candidate.sdpMid ?? undefined,
        sdpMLineIndex: candidate.sdpMLineIndex ?? undefined,
      });
    } catch (error) {
      this.log("ignored an ICE candidate", { error: String(error) });
    }
  }

  // ── Application messages ───────────────────────────────────────────────────────────────────────

  /** Send on the data channel when it is open, else through the relay. */
  private sendApp(session: RobotSession, message: AppMessage, via: "channel" | "relay" = "channel"): void {
    const channel = session.channel;
    if (via === "channel" && channel?.readyState === "open") {
      channel.send(JSON.stringify(message));
      return;
    }
    this.sendRelay({ type: "data", session_id: session.id, payload: message });
  }

  private onAppMessage(session: RobotSession, raw: unknown, via: "channel" | "relay"): void {
    const message = parseAppMessage(raw);
    if (!message) {
      this.log("ignored an invalid application message", { session_id: session.id, via });
      return;
    }
    switch (message.type) {
      case "command": {
        const ack = this.execute(message);
        this.sendApp(session, ack, via);
        this.options.onCommand?.(message, ack);
        return;
      }
      case "teleop": {
        if (this.body.mode !== "manual_control" && this.body.mode !== "manual_training") return;
        session.lastTeleopAt = Date.now();
        this.body.velocity = {
          linear: Math.max(-MAX_LINEAR_M_S, Math.min(MAX_LINEAR_M_S, message.linear)),
          angular: Math.max(-MAX_ANGULAR_RAD_S, Math.min(MAX_ANGULAR_RAD_S, message.angular)),
        };
        return;
      }
      case "rtt_probe":
        this.sendApp(session, { v: 1, type: "rtt_reply", id: message.id, t: message.t }, via);
        return;
      default:
        return;
    }
  }

  private execute(message: CommandMessage): AckMessage {
    const command = message.command;
    if (command.type === "set_mode") {
      const from = this.body.mode;
      this.body.mode = command.payload.mode;
      if (command.payload.mode === "emergency_stop" || command.payload.mode === "idle") {
        this.body.velocity = { linear: 0, angular: 0 };
      }
      this.body.battery.charging = command.payload.mode === "auto_charging";
      return {
        v: 1,
        type: "ack",
        id: message.id,
        status: "completed",
        response: `mode ${from} → ${command.payload.mode}`,
      };
    }
    if (this.body.mode === "emergency_stop") {
      return { v: 1, type: "ack", id: message.id, status: "failed", error: "emergency stop engaged" };
    }
    this.body.lastUtterance = command.payload.text;
    return { v: 1, type: "ack", id: message.id, status: "completed", response: `said "${command.payload.text}"` };
  }

  /** Telemetry interval (ms) at the configured rate. */
  get tickIntervalMs(): number {
    return 1000 / this.telemetryHz;
  }

  /** Move the simulated body and send each present client its telemetry. */
  tick(): void {
    const now = Date.now();
    const dt = Math.min(1, (now - this.lastTick) / 1000);
    this.lastTick = now;
    const body = this.body;
    const watchdogMs = this.options.teleopWatchdogMs ?? 600;
    const lastTeleop = Math.max(0, ...[...this.sessions.values()].map((session) => session.lastTeleopAt));
    if (now - lastTeleop > watchdogMs) body.velocity = { linear: 0, angular: 0 };
    body.pose.theta = (body.pose.theta + body.velocity.angular * dt) % (2 * Math.PI);
    body.pose.x += body.velocity.linear * Math.cos(body.pose.theta) * dt;
    body.pose.y += body.velocity.linear * Math.sin(body.pose.theta) * dt;
    if (this.options.clock !== "external") {
      const drain = body.battery.charging ? -0.05 : 0.002 + Math.abs(body.velocity.linear) * 0.01;
      body.battery.percent = Math.max(0, Math.min(100, body.battery.percent - drain * dt * 10));
    }
    for (const session of this.sessions.values()) {
      if (!session.clientPresent) continue;
      const telemetry: Telemetry = {
        v: 1,
        type: "telemetry",
        seq: session.seq++,
        t: now,
        mode: body.mode,
        battery: { percent: Math.round(body.battery.percent * 10) / 10, charging: body.battery.charging },
        pose: { x: round(body.pose.x), y: round(body.pose.y), theta: round(body.pose.theta) },
        velocity: { linear: round(body.velocity.linear), angular: round(body.velocity.angular) },
        metrics: { cpu_temp_c: round(48 + Math.sin(now / 10_000) * 3) },
        last_utterance: body.lastUtterance,
      };
      this.sendApp(session, telemetry);
    }
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
