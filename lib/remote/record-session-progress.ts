import type { Ctx } from "@/lib/context";
import { fieldValue } from "@/lib/storage/port";
import { RemoteSessions, type ConnectionType, type SessionPath } from "./schemas";

/**
 * Write what the relay counted since its last write (traffic as increments, so two writers add up)
 * and the path the client reported. The relay calls this in batches, never per message.
 */
export async function recordSessionProgress(
  ctx: Ctx,
  input: {
    sessionId: string;
    bytes: number;
    messages: number;
    path?: SessionPath | null;
    connectionType?: ConnectionType | null;
  },
): Promise<void> {
  const patch: Record<string, unknown> = {};
  if (input.bytes > 0) patch.bytes_relayed = fieldValue.increment(input.bytes);
  if (input.messages > 0) patch.messages_relayed = fieldValue.increment(input.messages);
  if (input.path) patch.path = input.path;
  if (input.connectionType) patch.connection_type = input.connectionType;
  if (Object.keys(patch).length === 0) return;
  await ctx.db.update(RemoteSessions, input.sessionId, patch);
}
