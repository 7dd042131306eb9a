import { z } from "zod";
import { auditEntry } from "@/lib/audit/append-audit";
import { AuditLog } from "@/lib/audit/schemas";
import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { fieldValue } from "@/lib/storage/port";
import { parseInput } from "@/lib/validation";
import { requireUser } from "./authorize";
import { hashPassword, verifyPassword } from "./password";
import { assertStrongPassword } from "./password-policy";
import { LocalCredentials, Users, ZPassword } from "./schemas";
import { credentialId } from "./sign-up-local";
import { beginSignInAttempt, clearSignInFailures } from "./sign-in-throttle";

export const ZChangePasswordInput = z.object({
  current_password: z.string().min(1, "Enter your current password.").max(200),
  new_password: ZPassword,
});

/**
 * A signed-in user with a local account changes their password. The current password is checked
 * (and throttled like a sign-in), the new one must pass the password policy, and every session
 * of the account ends, this one included: the user signs in again with the new password.
 */
export async function changePassword(ctx: Ctx, rawInput: unknown): Promise<void> {
  const actor = requireUser(ctx);
  const input = parseInput(ZChangePasswordInput, rawInput);
  const user = await ctx.db.get(Users, actor.uid);
  if (!user || user.data.auth_provider !== "local") {
    throw new DomainError("forbidden", "This account signs in with Google; change the password there.", {
      reason: "local_accounts_disabled",
    });
  }
  const email = user.data.email;
  await beginSignInAttempt(ctx, email);
  const credential = await ctx.db.get(LocalCredentials, credentialId(email));
  if (!credential || !(await verifyPassword(input.current_password, credential.data.password_hash))) {
    throw new DomainError("invalid", "Your current password is not right.", {
      reason: "wrong_current_password",
      details: { issues: [{ path: "current_password", message: "Your current password is not right." }] },
    });
  }
  await clearSignInFailures(ctx, email);
  assertStrongPassword(input.new_password, [email, user.data.display_name], "new_password");
  const hash = await hashPassword(input.new_password);
  const now = ctx.now().toISOString();
  await ctx.db.transaction(async (tx) => {
    tx.update(LocalCredentials, credential.id, { password_hash: hash, updated_at: now });
    tx.update(Users, actor.uid, { session_version: fieldValue.increment(1) });
    const audit = auditEntry(ctx, { action: "user.password_change", target: { type: "user", id: actor.uid } });
    tx.create(AuditLog, audit.id, audit.entry);
  });
}
