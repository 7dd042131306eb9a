import { appendAudit } from "@/lib/audit/append-audit";
import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { consumeRateLimit } from "@/lib/rate-limit/consume-rate-limit";
import { DUMMY_PASSWORD_HASH, verifyPassword } from "./password";
import { LocalCredentials, Users, ZSignInInput, type User } from "./schemas";
import { credentialId } from "./sign-up-local";

/**
 * Check an email and password. Attempts are rate-limited per email and per address (in the
 * store, so the limit holds across instances); failures are audited without saying which part
 * was wrong.
 */
export async function authenticateLocal(ctx: Ctx, rawInput: unknown): Promise<{ uid: string; user: User }> {
  const parsed = ZSignInInput.safeParse(rawInput);
  if (!parsed.success) {
    throw new DomainError("invalid", "Enter your email and password.", { reason: "invalid_credentials_format" });
  }
  const { email, password } = parsed.data;
  await consumeRateLimit(ctx, { key: `signin:email:${email}`, limit: 10, windowS: 900 });
  if (ctx.request.ip) {
    const limit = ctx.config.rateLimits.signinsPer15Min;
    await consumeRateLimit(ctx, { key: `signin:ip:${ctx.request.ip}`, limit, windowS: 900 });
  }
  const credential = await ctx.db.get(LocalCredentials, credentialId(email));
  const ok = await verifyPassword(password, credential?.data.password_hash ?? DUMMY_PASSWORD_HASH);
  const user = credential && ok ? await ctx.db.get(Users, credential.data.uid) : null;
  if (!credential || !ok || !user) {
    await appendAudit(ctx, { action: "user.sign_in", outcome: "failure", target: null, details: { email } });
    throw new DomainError("unauthenticated", "Wrong email or password.", { reason: "bad_credentials" });
  }
  const now = ctx.now().toISOString();
  await ctx.db.update(Users, user.id, { last_sign_in_at: now });
  await appendAudit(
    { ...ctx, actor: { kind: "user", uid: user.id, role: user.data.role, email: user.data.email } },
    { action: "user.sign_in", target: { type: "user", id: user.id } },
  );
  return { uid: user.id, user: { ...user.data, last_sign_in_at: now } };
}
