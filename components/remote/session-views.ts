import type { Tone } from "@/components/ui/badge";
import type { RemoteSessionView } from "@/lib/remote/views";

/** Labels shared by the session lists. */
export function sessionStatusTone(session: Pick<RemoteSessionView, "status">): Tone {
  return session.status === "connected" ? "good" : session.status === "pending" ? "info" : "neutral";
}

export function sessionPathLabel(session: Pick<RemoteSessionView, "path" | "connection_type">): string {
  if (session.path === "direct") return "direct";
  if (session.path === "relayed") return session.connection_type === "webrtc" ? "relayed (TURN)" : "relayed (relay)";
  return "—";
}
