import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { hasRole, requireUser } from "@/lib/users/authorize";
import { parseInput } from "@/lib/validation";
import { endRemoteSession } from "./end-remote-session";
import { getRelayControl } from "./relay-control";
import { RemoteSessions, ZRevokeInput } from "./schemas";
import { toSessionView, type RemoteSessionView } from "./views";

/**
 * Revoke a session: its token stops working at once and a live connection is closed. The session's
 * user may revoke it (the console's Disconnect does), and so may admins (ending someone's session).
 * Revoking an ended session changes nothing and is not an error.
 *
 * The relay in this process closes the connections immediately; a relay on another instance sees
 * the session ended in the store at its next revocation check (seconds).
 */
export async function revokeRemoteSession(ctx: Ctx, rawInput: unknown): Promise<RemoteSessionView> {
  const user = requireUser(ctx);
  const input = parseInput(ZRevokeInput, rawInput, "body");
  const doc = await ctx.db.get(RemoteSessions, input.session_id);
  const isAdmin = hasRole(user.role, "admin");
  if (!doc || (doc.data.user_uid !== user.uid && !isAdmin)) {
    throw new DomainError("not_found", `Remote session ${input.session_id} was not found.`, {
      reason: "session_not_found",
    });
  }
  const relay = getRelayControl(ctx);
  const ended = await endRemoteSession(ctx, {
    sessionId: doc.id,
    reason: "revoked",
    pendingBytes: relay?.liveSession(doc.id)?.pending_bytes ?? 0,
    pendingMessages: relay?.liveSession(doc.id)?.pending_messages ?? 0,
    revokedBy: user.uid,
    details: { by_admin: doc.data.user_uid !== user.uid, note: input.reason ?? null },
  });
  relay?.endSession(doc.id, "revoked");
  const latest = ended ?? (await ctx.db.require(RemoteSessions, doc.id, "Remote session"));
  return toSessionView(latest, null);
}
