import type { Ctx } from "@/lib/context";
import { requireUser } from "@/lib/users/authorize";
import { parseInput } from "@/lib/validation";
import { getRelayControl } from "./relay-control";
import { RemoteSessions, ZListSessionsInput } from "./schemas";
import { toSessionView, type RemoteSessionView } from "./views";

/**
 * Sessions, newest first: `mine` (the caller's) for everyone, `active` (every live session) for
 * admins — the console's "active sessions" list, from which an admin can end one.
 */
export async function listRemoteSessions(
  ctx: Ctx,
  rawInput: unknown = {},
): Promise<{ sessions: RemoteSessionView[]; next_cursor: string | null }> {
  const input = parseInput(ZListSessionsInput, rawInput, "query");
  const user = requireUser(ctx, input.scope === "active" ? "admin" : "owner");
  const page = await ctx.db.query(RemoteSessions, {
    where: [
      input.scope === "active"
        ? { field: "active", op: "==", value: true }
        : { field: "user_uid", op: "==", value: user.uid },
    ],
    orderBy: { field: "created_at", direction: "desc" },
    limit: input.limit ?? 50,
    cursor: input.cursor ?? null,
  });
  const relay = getRelayControl(ctx);
  return {
    sessions: page.docs.map((doc) => toSessionView(doc, relay?.liveSession(doc.id) ?? null)),
    next_cursor: page.nextCursor,
  };
}
