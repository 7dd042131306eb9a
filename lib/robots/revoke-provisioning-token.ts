import { z } from "zod";
import { auditEntry } from "@/lib/audit/append-audit";
import { AuditLog } from "@/lib/audit/schemas";
import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { requireUser } from "@/lib/users/authorize";
import { parseInput } from "@/lib/validation";
import { ProvisioningTokens } from "./schemas";
import { toProvisioningTokenView, type ProvisioningTokenView } from "./views";

const ZRevokeInput = z.object({ token_id: z.string().regex(/^[0-9a-f]{64}$/, "must be a provisioning token id") });

/**
 * An admin revokes a provisioning token: robots can no longer register with it (robots already
 * registered keep working). Revoking a revoked token changes nothing and answers the same.
 */
export async function revokeProvisioningToken(ctx: Ctx, rawInput: unknown): Promise<ProvisioningTokenView> {
  const admin = requireUser(ctx, "admin");
  const { token_id: id } = parseInput(ZRevokeInput, rawInput, "path");
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const doc = await tx.get(ProvisioningTokens, id);
    if (!doc) {
      throw new DomainError("not_found", `Provisioning token ${id.slice(0, 12)}… was not found.`, {
        reason: "provisioning_token_not_found",
      });
    }
    if (doc.data.revoked_at !== null) return toProvisioningTokenView(doc, now);
    const patch = { revoked_at: now.toISOString(), revoked_by: admin.uid };
    tx.update(ProvisioningTokens, id, patch);
    const audit = auditEntry(ctx, {
      action: "provisioning_token.revoke",
      target: { type: "provisioning_token", id },
      details: { model: doc.data.model, use_count: doc.data.use_count },
    });
    tx.create(AuditLog, audit.id, audit.entry);
    return toProvisioningTokenView({ ...doc, data: { ...doc.data, ...patch } }, now);
  });
}
