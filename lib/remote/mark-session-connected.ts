import type { Ctx } from "@/lib/context";
import { RemoteSessions } from "./schemas";

/** Both ends are on the relay: `pending → connected` (first time only sets `connected_at`). */
export async function markSessionConnected(ctx: Ctx, input: { sessionId: string }): Promise<void> {
  const now = ctx.now().toISOString();
  await ctx.db.transaction(async (tx) => {
    const doc = await tx.get(RemoteSessions, input.sessionId);
    if (!doc || !doc.data.active || doc.data.status === "connected") return;
    tx.update(RemoteSessions, doc.id, { status: "connected", connected_at: doc.data.connected_at ?? now });
  });
}
