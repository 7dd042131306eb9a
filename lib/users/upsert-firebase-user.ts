import { auditEntry } from "@/lib/audit/append-audit";
import { AuditLog } from "@/lib/audit/schemas";
import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { Users, type User } from "./schemas";

export interface VerifiedFirebaseIdentity {
  uid: string;
  email: string | null;
  name: string | null;
  emailVerified: boolean;
}

/**
 * Record a Firebase-authenticated user (cloud sign-in). The Firebase uid is the user id, so
 * `user_uid` in robot-facing APIs is the uid field clients already know. As with local accounts,
 * the very first user becomes admin.
 */
export async function upsertFirebaseUser(
  ctx: Ctx,
  identity: VerifiedFirebaseIdentity,
): Promise<{ uid: string; user: User; created: boolean }> {
  if (!identity.email) {
    throw new DomainError("forbidden", "Your Google account has no email address.", { reason: "email_required" });
  }
  const email = identity.email;
  const now = ctx.now().toISOString();
  return ctx.db.transaction(async (tx) => {
    const existing = await tx.get(Users, identity.uid);
    if (existing) {
      tx.update(Users, identity.uid, { last_sign_in_at: now, email });
      return { uid: identity.uid, user: { ...existing.data, email, last_sign_in_at: now }, created: false };
    }
    const anyUser = await tx.query(Users, { limit: 1 });
    const user: User = {
      email,
      display_name: identity.name ?? email.split("@")[0] ?? email,
      role: anyUser.docs.length === 0 ? "admin" : "owner",
      created_at: now,
      robots: [],
      auth_provider: "firebase",
      last_sign_in_at: now,
    };
    tx.create(Users, identity.uid, user);
    const audit = auditEntry(
      { ...ctx, actor: { kind: "user", uid: identity.uid, role: user.role, email } },
      {
        action: "user.sign_up",
        target: { type: "user", id: identity.uid },
        details: { role: user.role, provider: "firebase" },
      },
    );
    tx.create(AuditLog, audit.id, audit.entry);
    return { uid: identity.uid, user, created: true };
  });
}
