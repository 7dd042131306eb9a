import type { Ctx } from "@/lib/context";
import { fieldValue, type WriteOp } from "@/lib/storage/port";
import { writes } from "@/lib/storage/typed";
import { RemoteSessions, type ConnectionType, type SessionPath } from "./schemas";

export interface SessionProgress {
  sessionId: string;
  bytes: number;
  messages: number;
  path?: SessionPath | null;
  connectionType?: ConnectionType | null;
}

/** The store's batch limit. */
const BATCH = 500;

/**
 * Write what the relay counted since its last write — traffic as increments (two writers add up)
 * and the path the client reported — for many sessions in one batch per 500: the relay calls this
 * every few seconds, never per message, and one commit instead of one per session keeps a busy
 * relay's event loop free (the embedded store commits synchronously).
 */
export async function recordSessionsProgress(ctx: Ctx, entries: readonly SessionProgress[]): Promise<void> {
  const ops: WriteOp[] = [];
  for (const entry of entries) {
    const patch: Record<string, unknown> = {};
    if (entry.bytes > 0) patch.bytes_relayed = fieldValue.increment(entry.bytes);
    if (entry.messages > 0) patch.messages_relayed = fieldValue.increment(entry.messages);
    if (entry.path) patch.path = entry.path;
    if (entry.connectionType) patch.connection_type = entry.connectionType;
    if (Object.keys(patch).length > 0) ops.push(writes.update(RemoteSessions, entry.sessionId, patch));
  }
  for (let index = 0; index < ops.length; index += BATCH) await ctx.db.batch(ops.slice(index, index + BATCH));
}
