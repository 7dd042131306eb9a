import { createHash } from "node:crypto";
import { auditEntry } from "@/lib/audit/append-audit";
import { AuditLog } from "@/lib/audit/schemas";
import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { createId } from "@/lib/ids";
import { consumeRateLimit } from "@/lib/rate-limit/consume-rate-limit";
import { parseInput } from "@/lib/validation";
import { hashPassword } from "./password";
import { assertStrongPassword } from "./password-policy";
import { LocalCredentials, Users, ZSignUpInput, type User } from "./schemas";

export function credentialId(email: string): string {
  return createHash("sha256").update(email.trim().toLowerCase()).digest("hex");
}

/**
 * What sign-up did. Callers answer the same for both outcomes, so the answer does not tell
 * whether an email has an account.
 */
export type SignUpOutcome =
  { created: true; email: string; uid: string; user: User } | { created: false; email: string };

/**
 * Create a local account (embedded default). The first account ever created becomes `admin`;
 * every later one is an `owner` until an admin changes it. No default account exists.
 *
 * An email that already has an account is not an error: nothing changes (the existing account,
 * its password and its sessions are untouched), the attempt is audited, and the outcome says
 * `created: false` for the caller to keep to itself. The password must pass the password policy
 * either way, and the same work (hashing) is done either way.
 */
export async function signUpLocal(ctx: Ctx, rawInput: unknown): Promise<SignUpOutcome> {
  if (ctx.config.authDriver !== "local") {
    throw new DomainError("forbidden", "Accounts are managed by Firebase Auth on this deployment.", {
      reason: "local_accounts_disabled",
    });
  }
  const input = parseInput(ZSignUpInput, rawInput);
  if (ctx.request.ip) {
    const limit = ctx.config.rateLimits.signupsPerHour;
    await consumeRateLimit(ctx, { key: `signup:ip:${ctx.request.ip}`, limit, windowS: 3600 });
  }
  assertStrongPassword(input.password, [input.email, input.display_name]);
  const passwordHash = await hashPassword(input.password);
  const uid = createId("usr", ctx.now());
  const now = ctx.now().toISOString();
  return ctx.db.transaction(async (tx): Promise<SignUpOutcome> => {
    const existing = await tx.get(LocalCredentials, credentialId(input.email));
    if (existing) {
      const audit = auditEntry(ctx, {
        action: "user.sign_up",
        outcome: "denied",
        target: null,
        details: { email: input.email, reason: "email_taken" },
      });
      tx.create(AuditLog, audit.id, audit.entry);
      return { created: false, email: input.email };
    }
    const anyUser = await tx.query(Users, { limit: 1 });
    const user: User = {
      email: input.email,
      display_name: input.display_name,
      role: anyUser.docs.length === 0 ? "admin" : "owner",
      created_at: now,
      robots: [],
      auth_provider: "local",
      last_sign_in_at: null,
    };
    tx.create(Users, uid, user);
    tx.create(LocalCredentials, credentialId(input.email), {
      uid,
      email: input.email,
      password_hash: passwordHash,
      updated_at: now,
    });
    const audit = auditEntry(
      { ...ctx, actor: { kind: "user", uid, role: user.role, email: user.email } },
      { action: "user.sign_up", target: { type: "user", id: uid }, details: { role: user.role } },
    );
    tx.create(AuditLog, audit.id, audit.entry);
    return { created: true, email: input.email, uid, user };
  });
}
