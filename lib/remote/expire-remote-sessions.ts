import type { Ctx } from "@/lib/context";
import { endRemoteSession } from "./end-remote-session";
import { RemoteSessions } from "./schemas";

/**
 * End sessions whose hour is up but that no relay closed: never connected (`expired_unused`), or
 * held by a relay instance that died (`token_expired`). Live ones are closed by their relay at the
 * exact expiry; this sweep is the backstop. Returns how many it ended.
 */
export async function expireRemoteSessions(ctx: Ctx, input: { limit?: number } = {}): Promise<number> {
  const page = await ctx.db.query(RemoteSessions, {
    where: [
      { field: "active", op: "==", value: true },
      { field: "expires_at", op: "<=", value: ctx.now().toISOString() },
    ],
    orderBy: { field: "expires_at" },
    limit: input.limit ?? 100,
  });
  let ended = 0;
  for (const doc of page.docs) {
    const reason = doc.data.connected_at ? "token_expired" : "expired_unused";
    if (await endRemoteSession(ctx, { sessionId: doc.id, reason })) ended++;
  }
  return ended;
}
