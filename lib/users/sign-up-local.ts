import { createHash } from "node:crypto";
import { auditEntry } from "@/lib/audit/append-audit";
import { AuditLog } from "@/lib/audit/schemas";
import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { createId } from "@/lib/ids";
import { consumeRateLimit } from "@/lib/rate-limit/consume-rate-limit";
import { parseInput } from "@/lib/validation";
import { hashPassword } from "./password";
import { LocalCredentials, Users, ZSignUpInput, type User } from "./schemas";

export function credentialId(email: string): string {
  return createHash("sha256").update(email.trim().toLowerCase()).digest("hex");
}

/**
 * Create a local account (embedded default). The first account ever created becomes `admin`;
 * every later one is an `owner` until an admin changes it. No default account exists.
 */
export async function signUpLocal(ctx: Ctx, rawInput: unknown): Promise<{ uid: string; user: User }> {
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
  const passwordHash = await hashPassword(input.password);
  const uid = createId("usr", ctx.now());
  const now = ctx.now().toISOString();
  return ctx.db.transaction(async (tx) => {
    const existing = await tx.get(LocalCredentials, credentialId(input.email));
    if (existing) {
      throw new DomainError("conflict", "An account with this email already exists; sign in instead.", {
        reason: "email_taken",
      });
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
    return { uid, user };
  });
}
