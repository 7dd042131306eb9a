import { appendAudit } from "@/lib/audit/append-audit";
import type { Ctx } from "@/lib/context";
import { fieldValue } from "@/lib/storage/port";
import { Users, type User } from "./schemas";

/**
 * Whether a session issued at `sessionVersion` may still act for `user`: not after the account's
 * sessions were ended (sign-out, role change, password change, disabled) and never for a
 * disabled account. Sessions from before versions existed carry none and count as version 0.
 */
export function sessionStillValid(user: User, sessionVersion: number | undefined): boolean {
  return !user.disabled_at && (sessionVersion ?? 0) === (user.session_version ?? 0);
}

/**
 * Sign-out: end every session of the user (all browsers), by raising the account's session
 * version. Only a session that is still valid can do it, so a stolen, already-ended cookie
 * replayed against sign-out changes nothing.
 */
export async function endSessions(ctx: Ctx, uid: string, sessionVersion: number | undefined): Promise<boolean> {
  const user = await ctx.db.get(Users, uid);
  if (!user || !sessionStillValid(user.data, sessionVersion)) return false;
  await ctx.db.update(Users, uid, { session_version: fieldValue.increment(1) });
  await appendAudit(
    { ...ctx, actor: { kind: "user", uid, role: user.data.role, email: user.data.email } },
    { action: "user.sign_out", target: { type: "user", id: uid } },
  );
  return true;
}
