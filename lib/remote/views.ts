import type { Doc } from "@/lib/storage/typed";
import type { LiveSession } from "./relay-control";
import type { RemoteSession } from "./schemas";

/** The path every relay connection upgrades on. */
export const SIGNAL_PATH = "/api/remote/signal";

/**
 * The relay URL for a robot: `wss://<host>/api/remote/signal/<device_id>` (the seed's
 * `robot_endpoint`). The device id in the path lets a load balancer route a robot and its clients
 * to one relay instance (see the scale-out docs).
 */
export function relayEndpointFor(publicUrl: string, deviceId: string): string {
  const url = new URL(publicUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  url.pathname = `${url.pathname.replace(/\/$/, "")}${SIGNAL_PATH}/${deviceId}`;
  url.search = "";
  url.hash = "";
  return url.toString();
}

/** A session as the API shows it: the stored document, plus the relay's live view when it has one. */
export interface RemoteSessionView extends RemoteSession {
  session_id: string;
  live: LiveSession | null;
}

export function toSessionView(doc: Doc<RemoteSession>, live: LiveSession | null): RemoteSessionView {
  const data = doc.data;
  return {
    session_id: doc.id,
    ...data,
    // The relay writes traffic in batches: add what it counted since its last write.
    bytes_relayed: data.bytes_relayed + (live?.pending_bytes ?? 0),
    messages_relayed: data.messages_relayed + (live?.pending_messages ?? 0),
    path: live?.path ?? data.path,
    connection_type: live?.connection_type ?? data.connection_type,
    live: data.active ? live : null,
  };
}
