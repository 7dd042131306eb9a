/**
 * The client end of a remote session, in the browser (no React here; the panel renders its events).
 *
 * Relay first, peer-to-peer when it can: application data flows through the relay as `data`
 * messages from the moment the robot is online, while a WebRTC data channel is negotiated over the
 * same relay connection. When the channel opens, data moves onto it (direct, or through TURN when
 * that is the only path ICE found); when ICE fails, does not finish in time, or the channel closes,
 * data stays on (or returns to) the relay. Every change is reported to the relay (`path`), so the
 * session records it and the console shows it.
 */
import { DATA_CHANNEL_LABEL, parseAppMessage, type AppMessage } from "@/lib/remote/app-messages";
import {
  BEARER_SUBPROTOCOL_PREFIX,
  parseRelayMessage,
  SUBPROTOCOL,
  type IceServer,
  type RelayMessage,
} from "@/lib/remote/protocol";

export type LinkState =
  "connecting" | "waiting_for_robot" | "robot_online" | "robot_offline" | "reconnecting" | "ended";

/** How application data flows now. */
export interface PathInfo {
  /** `direct`: WebRTC peer-to-peer; `turn`: WebRTC through a TURN server; `relay`: our relay (tunnel). */
  via: "direct" | "turn" | "relay";
  /** Why, when relayed: `negotiating`, `ice_failed`, `timeout`, `channel_closed`, `webrtc_unavailable`. */
  detail: string | null;
}

export interface RemoteConnectionEvents {
  onLink(state: LinkState): void;
  onPath(path: PathInfo): void;
  onApp(message: AppMessage): void;
  onRtt(ms: number): void;
  onError(error: { code: string; reason: string; message: string }): void;
  /** The session is over (`reason` as the relay or the close code says). */
  onEnded(reason: string): void;
}

export interface RemoteConnectionOptions {
  relayUrl: string;
  token: string;
  iceServers: IceServer[];
  events: RemoteConnectionEvents;
  /** Give up waiting for the data channel after this long and say so (default 10 s; ICE keeps trying). */
  directTimeoutMs?: number;
  /** How often RTT is measured over the current path (default 2 s). */
  rttIntervalMs?: number;
}

const CLOSE_REASONS: Record<number, string> = {
  1000: "bye",
  4401: "token_expired",
  4403: "revoked",
  4409: "replaced",
  4410: "session_ended",
  4413: "protocol_violation",
  4429: "rate_limited",
  4400: "protocol_violation",
};

export class RemoteConnection {
  private ws: WebSocket | null = null;
  private pc: RTCPeerConnection | null = null;
  private channel: RTCDataChannel | null = null;
  private pendingIce: RTCIceCandidateInit[] = [];
  private remoteDescriptionSet = false;
  private ended = false;
  private attempts = 0;
  private directTimer: ReturnType<typeof setTimeout> | null = null;
  private rttTimer: ReturnType<typeof setInterval> | null = null;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private path: PathInfo = { via: "relay", detail: "negotiating" };
  private probes = new Map<string, number>();
  private probeSeq = 0;

  constructor(private readonly options: RemoteConnectionOptions) {}

  start(): void {
    this.openRelay();
    this.rttTimer = setInterval(() => this.probe(), this.options.rttIntervalMs ?? 2000);
  }

  /** Send an application message on the best path there is. */
  send(message: AppMessage): boolean {
    if (this.channel?.readyState === "open") {
      this.channel.send(JSON.stringify(message));
      return true;
    }
    return this.sendRelay({ type: "data", payload: message });
  }

  /** End the session: `bye` to the relay (which ends it for both ends), then close everything. */
  disconnect(): void {
    this.sendRelay({ type: "bye", reason: "user disconnected" });
    this.finish("bye");
  }

  /** Close without ending the session (page unload): the relay keeps it for its grace period. */
  close(): void {
    this.ended = true;
    this.teardown();
  }

  // ── Relay ──────────────────────────────────────────────────────────────────────────────────────

  private openRelay(): void {
    this.options.events.onLink(this.attempts === 0 ? "connecting" : "reconnecting");
    const ws = new WebSocket(this.options.relayUrl, [SUBPROTOCOL, `${BEARER_SUBPROTOCOL_PREFIX}${this.options.token}`]);
    this.ws = ws;
    ws.onopen = () => {
      this.attempts = 0;
    };
    ws.onmessage = (event) => this.onRelayMessage(String(event.data));
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.ended) return;
      const reason = CLOSE_REASONS[event.code];
      if (reason && reason !== "rate_limited") {
        this.finish(reason);
        return;
      }
      // A network blip or a relay restart: come back (the session waits for us for a while).
      // A refused upgrade also lands here (browsers hide its status); give up after a few tries.
      if (this.attempts >= 6) {
        this.finish("relay_unreachable");
        return;
      }
      const delay = Math.min(10_000, 500 * 2 ** this.attempts++);
      this.options.events.onLink("reconnecting");
      this.reconnectTimer = setTimeout(() => this.openRelay(), delay);
    };
  }

  private sendRelay(message: Record<string, unknown>): boolean {
    if (this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify({ v: 1, ...message }));
    return true;
  }

  private onRelayMessage(text: string): void {
    const parsed = parseRelayMessage(text);
    if (!parsed.ok) return;
    const message = parsed.message;
    switch (message.type) {
      case "status":
        this.onStatus(message);
        return;
      case "answer":
        void this.applyAnswer(message.sdp);
        return;
      case "ice":
        if (message.candidate === null) return;
        if (this.pc && this.remoteDescriptionSet)
          void this.pc.addIceCandidate(iceInit(message.candidate)).catch(() => undefined);
        else this.pendingIce.push(iceInit(message.candidate));
        return;
      case "data": {
        const app = parseAppMessage(message.payload);
        if (app) this.onApp(app);
        return;
      }
      case "bye":
        this.finish("robot_ended");
        return;
      case "error":
        this.options.events.onError({ code: message.code, reason: message.reason, message: message.message });
        return;
      default:
        return;
    }
  }

  private onStatus(message: Extract<RelayMessage, { type: "status" }>): void {
    switch (message.state) {
      case "waiting_for_robot":
        this.options.events.onLink("waiting_for_robot");
        return;
      case "robot_online":
        this.options.events.onLink("robot_online");
        // A robot that came back after a drop needs a new negotiation unless the channel survived.
        if (this.channel?.readyState !== "open") void this.negotiate();
        return;
      case "robot_offline":
        this.options.events.onLink("robot_offline");
        return;
      case "session_ended":
        this.finish(message.reason ?? "session_ended");
        return;
      default:
        return;
    }
  }

  // ── WebRTC ─────────────────────────────────────────────────────────────────────────────────────

  private async negotiate(): Promise<void> {
    this.closePeer();
    this.setPath({ via: "relay", detail: "negotiating" }, false);
    if (typeof RTCPeerConnection === "undefined") {
      this.setPath({ via: "relay", detail: "webrtc_unavailable" });
      return;
    }
    const pc = new RTCPeerConnection({ iceServers: this.options.iceServers as RTCIceServer[] });
    this.pc = pc;
    this.remoteDescriptionSet = false;
    this.pendingIce = [];
    const channel = pc.createDataChannel(DATA_CHANNEL_LABEL, { ordered: true });
    channel.onopen = () => {
      if (this.pc !== pc) return;
      this.channel = channel;
      if (this.directTimer) clearTimeout(this.directTimer);
      void this.describeSelectedPath(pc);
    };
    channel.onclose = () => {
      if (this.channel !== channel) return;
      this.channel = null;
      if (!this.ended) this.setPath({ via: "relay", detail: "channel_closed" });
    };
    channel.onmessage = (event) => {
      const app = parseAppMessage(String(event.data));
      if (app) this.onApp(app);
    };
    pc.onicecandidate = (event) => {
      if (this.pc !== pc || !event.candidate) return;
      const json = event.candidate.toJSON();
      this.sendRelay({
        type: "ice",
        candidate: {
          candidate: json.candidate ?? "",
          sdpMid: json.sdpMid ?? null,
          sdpMLineIndex: json.sdpMLineIndex ?? null,
          usernameFragment: json.usernameFragment ?? null,
        },
      });
    };
    pc.oniceconnectionstatechange = () => {
      if (this.pc !== pc) return;
      if (pc.iceConnectionState === "failed" && this.channel?.readyState !== "open") {
        this.setPath({ via: "relay", detail: "ice_failed" });
      }
    };
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    this.sendRelay({ type: "offer", sdp: offer.sdp ?? "" });
    this.directTimer = setTimeout(() => {
      if (this.pc === pc && this.channel?.readyState !== "open") this.setPath({ via: "relay", detail: "timeout" });
    }, this.options.directTimeoutMs ?? 10_000);
  }

  private async applyAnswer(sdp: string): Promise<void> {
    const pc = this.pc;
    if (!pc || pc.signalingState !== "have-local-offer") return;
    await pc.setRemoteDescription({ type: "answer", sdp });
    this.remoteDescriptionSet = true;
    for (const candidate of this.pendingIce.splice(0)) await pc.addIceCandidate(candidate).catch(() => undefined);
  }

  /** Direct or through TURN: read the candidate pair ICE selected. */
  private async describeSelectedPath(pc: RTCPeerConnection): Promise<void> {
    let via: PathInfo["via"] = "direct";
    try {
      const stats = await pc.getStats();
      let pairId: string | undefined;
      stats.forEach((report: { type: string; selectedCandidatePairId?: string }) => {
        if (report.type === "transport" && report.selectedCandidatePairId) pairId = report.selectedCandidatePairId;
      });
      const pair = pairId
        ? (stats.get(pairId) as { localCandidateId?: string; remoteCandidateId?: string })
        : undefined;
      const local = pair?.localCandidateId
        ? (stats.get(pair.localCandidateId) as { candidateType?: string })
        : undefined;
      const remote = pair?.remoteCandidateId
        ? (stats.get(pair.remoteCandidateId) as { candidateType?: string })
        : undefined;
      if (local?.candidateType === "relay" || remote?.candidateType === "relay") via = "turn";
    } catch {
      // Stats are best effort; a data channel that opened is WebRTC either way.
    }
    if (this.pc === pc && this.channel?.readyState === "open") this.setPath({ via, detail: null });
  }

  private setPath(path: PathInfo, report = true): void {
    this.path = path;
    this.options.events.onPath(path);
    if (!report) return;
    this.sendRelay({
      type: "path",
      path: path.via === "direct" ? "direct" : "relayed",
      connection_type: path.via === "relay" ? "tunnel" : "webrtc",
    });
  }

  get currentPath(): PathInfo {
    return this.path;
  }

  // ── Application data ───────────────────────────────────────────────────────────────────────────

  private onApp(message: AppMessage): void {
    if (message.type === "rtt_reply") {
      const sent = this.probes.get(message.id);
      if (sent !== undefined) {
        this.probes.delete(message.id);
        this.options.events.onRtt(Math.round((performance.now() - sent) * 10) / 10);
      }
      return;
    }
    this.options.events.onApp(message);
  }

  private probe(): void {
    if (this.probes.size > 10) this.probes.clear();
    const id = `rtt-${++this.probeSeq}`;
    const t = performance.now();
    if (this.send({ v: 1, type: "rtt_probe", id, t })) this.probes.set(id, t);
  }

  // ── Ending ─────────────────────────────────────────────────────────────────────────────────────

  private finish(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.teardown();
    this.options.events.onLink("ended");
    this.options.events.onEnded(reason);
  }

  private closePeer(): void {
    if (this.directTimer) clearTimeout(this.directTimer);
    this.channel = null;
    this.pc?.close();
    this.pc = null;
  }

  private teardown(): void {
    if (this.rttTimer) clearInterval(this.rttTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.closePeer();
    const ws = this.ws;
    this.ws = null;
    ws?.close(1000);
  }
}

function iceInit(candidate: NonNullable<Extract<RelayMessage, { type: "ice" }>["candidate"]>): RTCIceCandidateInit {
  return {
    candidate: candidate.candidate,
    sdpMid: candidate.sdpMid ?? null,
    sdpMLineIndex: candidate.sdpMLineIndex ?? null,
    usernameFragment: candidate.usernameFragment ?? null,
  };
}
