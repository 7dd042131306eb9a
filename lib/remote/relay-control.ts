import type { Ctx } from "@/lib/context";
import type { ConnectionType, EndedReason, SessionPath } from "./schemas";

/**
 * The port through which route handlers reach the relay running in this process. The custom
 * server's relay module registers an implementation in `ctx.services.registry` under
 * {@link RELAY_CONTROL_KEY}; Next's route bundles read it from there (the registry lives on the
 * process-wide runtime, so both module graphs see the same object). When no relay runs in this
 * process (a route-only instance), verbs fall back to what the store says.
 */
export const RELAY_CONTROL_KEY = "remote.relay";

/** What the relay knows about a session right now (memory, not the store). */
export interface LiveSession {
  session_id: string;
  device_id: string;
  user_uid: string;
  client_connected: boolean;
  robot_connected: boolean;
  path: SessionPath | null;
  connection_type: ConnectionType | null;
  /** Counted on this instance since the session's first connection here. */
  bytes_relayed: number;
  messages_relayed: number;
  /** The part of those counts not yet written to the session document (written in batches). */
  pending_bytes: number;
  pending_messages: number;
  client_connected_at: string | null;
  /** The relay instance holding it. */
  instance: string;
}

export interface RelayControl {
  readonly instanceId: string;
  liveSession(sessionId: string): LiveSession | null;
  liveSessions(): LiveSession[];
  isRobotConnected(deviceId: string): boolean;
  /**
   * Close a session's live connections now (revocation). Returns whether this instance held it;
   * other instances notice through the store within their revocation check interval.
   */
  endSession(sessionId: string, reason: EndedReason): boolean;
}

export function getRelayControl(ctx: Pick<Ctx, "services">): RelayControl | null {
  return (ctx.services.registry.get(RELAY_CONTROL_KEY) as RelayControl | undefined) ?? null;
}
