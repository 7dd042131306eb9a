import { auditEntry } from "@/lib/audit/append-audit";
import { AuditLog } from "@/lib/audit/schemas";
import type { Ctx } from "@/lib/context";
import type { Doc } from "@/lib/storage/typed";
import { RemoteSessions, type EndedReason, type RemoteSession } from "./schemas";

/** The audit action for each way a session ends (PRODUCT.md §3.5: disconnect, expiry, revocation). */
export function endAuditAction(reason: EndedReason): string {
  if (reason === "token_expired" || reason === "expired_unused") return "remote.expire";
  if (reason === "revoked") return "remote.revoke";
  return "remote.disconnect";
}

/**
 * Mark a session `disconnected` with its reason, the traffic the relay counted since its last
 * write, and an audit entry — in one transaction, once: a session already ended keeps its first
 * reason (two instances or a revocation racing an expiry cannot both end it).
 *
 * Returns the ended session, or null when it had already ended or does not exist.
 */
export async function endRemoteSession(
  ctx: Ctx,
  input: {
    sessionId: string;
    reason: EndedReason;
    pendingBytes?: number;
    pendingMessages?: number;
    revokedBy?: string | null;
    details?: Record<string, unknown>;
  },
): Promise<Doc<RemoteSession> | null> {
  const now = ctx.now().toISOString();
  return ctx.db.transaction(async (tx) => {
    const doc = await tx.get(RemoteSessions, input.sessionId);
    if (!doc || !doc.data.active) return null;
    const data: RemoteSession = {
      ...doc.data,
      status: "disconnected",
      active: false,
      ended_reason: input.reason,
      disconnected_at: now,
      revoked_by: input.revokedBy ?? doc.data.revoked_by,
      bytes_relayed: doc.data.bytes_relayed + (input.pendingBytes ?? 0),
      messages_relayed: doc.data.messages_relayed + (input.pendingMessages ?? 0),
    };
    tx.set(RemoteSessions, doc.id, data);
    const { id, entry } = auditEntry(ctx, {
      action: endAuditAction(input.reason),
      target: { type: "remote_session", id: doc.id },
      details: {
        robot_id: data.robot_id,
        user_uid: data.user_uid,
        reason: input.reason,
        path: data.path,
        connection_type: data.connection_type,
        bytes_relayed: data.bytes_relayed,
        messages_relayed: data.messages_relayed,
        connected_at: data.connected_at,
        ...input.details,
      },
    });
    tx.create(AuditLog, id, entry);
    return { ...doc, data };
  });
}
