import { auditEntry } from "@/lib/audit/append-audit";
import { AuditLog } from "@/lib/audit/schemas";
import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { requireUser } from "@/lib/users/authorize";
import { TrainingTokens } from "./schemas";
import { toTrainingTokenView, type TrainingTokenView } from "./views";

/**
 * An admin revokes a training token: every later call with it is refused (401 `token_revoked`).
 * Revoking twice is refused (409) so the audit log holds one revocation.
 */
export async function revokeTrainingToken(ctx: Ctx, tokenId: string): Promise<TrainingTokenView> {
  const admin = requireUser(ctx, "admin");
  const now = ctx.now();
  const doc = await ctx.db.transaction(async (tx) => {
    const existing = await tx.get(TrainingTokens, tokenId);
    if (!existing)
      throw new DomainError("not_found", `Training token ${tokenId} was not found.`, { reason: "token_not_found" });
    if (existing.data.revoked_at) {
      throw new DomainError("conflict", `Training token ${existing.data.name} is already revoked.`, {
        reason: "already_revoked",
      });
    }
    const patch = { revoked_at: now.toISOString(), revoked_by: admin.email };
    tx.update(TrainingTokens, tokenId, patch);
    const audit = auditEntry(ctx, {
      action: "training_token.revoke",
      target: { type: "training_token", id: tokenId },
      details: { name: existing.data.name },
    });
    tx.create(AuditLog, audit.id, audit.entry);
    return { ...existing, data: { ...existing.data, ...patch } };
  });
  return toTrainingTokenView(doc, now);
}
