import { auditEntry } from "@/lib/audit/append-audit";
import { AuditLog } from "@/lib/audit/schemas";
import type { Ctx } from "@/lib/context";
import { RemoteSessions } from "./schemas";

/**
 * A client's connection was accepted by a relay instance: record which instance holds the session,
 * move it to `connected` when the robot is there too, and audit `remote.connect` — one transaction.
 * The actor is the session's user (the relay builds the context from the verified token).
 */
export async function recordSessionConnect(
  ctx: Ctx,
  input: { sessionId: string; instance: string; robotOnline: boolean; reconnect: boolean },
): Promise<void> {
  const now = ctx.now().toISOString();
  await ctx.db.transaction(async (tx) => {
    const doc = await tx.get(RemoteSessions, input.sessionId);
    if (!doc || !doc.data.active) return;
    tx.update(RemoteSessions, doc.id, {
      relay_instance: input.instance,
      ...(input.robotOnline ? { status: "connected", connected_at: doc.data.connected_at ?? now } : {}),
    });
    const { id, entry } = auditEntry(ctx, {
      action: "remote.connect",
      target: { type: "remote_session", id: doc.id },
      details: {
        robot_id: doc.data.robot_id,
        robot_online: input.robotOnline,
        reconnect: input.reconnect,
        relay_instance: input.instance,
      },
    });
    tx.create(AuditLog, id, entry);
  });
}
