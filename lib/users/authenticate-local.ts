import { appendAudit } from "@/lib/audit/append-audit";
import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { DUMMY_PASSWORD_HASH, verifyPassword } from "./password";
import { LocalCredentials, Users, ZSignInInput, type User } from "./schemas";
import { credentialId } from "./sign-up-local";
import { beginSignInAttempt, clearSignInFailures } from "./sign-in-throttle";

/**
 * Check an email and password. Attempts are throttled per account and address, and per address
 * (`sign-in-throttle.ts`, in the store so the limits hold across instances); failures are audited
 * without saying which part was wrong. A disabled account is refused even with the right password.
 */
export async function authenticateLocal(ctx: Ctx, rawInput: unknown): Promise<{ uid: string; user: User }> {
  if (ctx.config.authDriver !== "local") {
    throw new DomainError("forbidden", "Accounts are managed by Firebase Auth on this deployment.", {
      reason: "local_accounts_disabled",
    });
  }
  const parsed = ZSignInInput.safeParse(rawInput);
  if (!parsed.success) {
    throw new DomainError("invalid", "Enter your email and password.", { reason: "invalid_credentials_format" });
  }
  const { email, password } = parsed.data;
  await beginSignInAttempt(ctx, email);
  const credential = await ctx.db.get(LocalCredentials, credentialId(email));
  const ok = await verifyPassword(password, credential?.data.password_hash ?? DUMMY_PASSWORD_HASH);
  const user = credential && ok ? await ctx.db.get(Users, credential.data.uid) : null;
  if (!credential || !ok || !user) {
    await appendAudit(ctx, { action: "user.sign_in", outcome: "failure", target: null, details: { email } });
    throw new DomainError("unauthenticated", "Wrong email or password.", { reason: "bad_credentials" });
  }
  await clearSignInFailures(ctx, email);
  if (user.data.disabled_at) {
    await appendAudit(ctx, {
      action: "user.sign_in",
      outcome: "denied",
      target: { type: "user", id: user.id },
      details: { email, reason: "account_disabled" },
    });
    throw new DomainError("unauthenticated", "This account is disabled; ask an admin.", { reason: "account_disabled" });
  }
  const now = ctx.now().toISOString();
  await ctx.db.update(Users, user.id, { last_sign_in_at: now });
  await appendAudit(
    { ...ctx, actor: { kind: "user", uid: user.id, role: user.data.role, email: user.data.email } },
    { action: "user.sign_in", target: { type: "user", id: user.id } },
  );
  return { uid: user.id, user: { ...user.data, last_sign_in_at: now } };
}
