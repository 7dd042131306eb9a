import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { hasRole, requireUser } from "@/lib/users/authorize";
import { parseInput } from "@/lib/validation";
import { getRelayControl } from "./relay-control";
import { RemoteSessions, ZSessionIdInput } from "./schemas";
import { toSessionView, type RemoteSessionView } from "./views";

/**
 * `GET /api/remote/session?session_id=…`: a session's status. Its user and admins may read it;
 * anyone else is told it does not exist. While the relay in this process holds the session, the
 * answer carries its live view (who is connected, path, traffic not yet written).
 */
export async function getRemoteSession(ctx: Ctx, rawInput: unknown): Promise<RemoteSessionView> {
  const user = requireUser(ctx);
  const input = parseInput(ZSessionIdInput, rawInput, "query");
  const doc = await ctx.db.get(RemoteSessions, input.session_id);
  if (!doc || (doc.data.user_uid !== user.uid && !hasRole(user.role, "admin"))) {
    throw new DomainError("not_found", `Remote session ${input.session_id} was not found.`, {
      reason: "session_not_found",
    });
  }
  return toSessionView(doc, getRelayControl(ctx)?.liveSession(doc.id) ?? null);
}
