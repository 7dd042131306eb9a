import { auditEntry } from "@/lib/audit/append-audit";
import { AuditLog } from "@/lib/audit/schemas";
import { actorId, type Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { createSecretToken } from "@/lib/ids";
import { requireUser } from "@/lib/users/authorize";
import { parseInput } from "@/lib/validation";
import { provisioningTokenId } from "./provisioning-token-id";
import { ProvisioningTokens, ZCreateProvisioningTokenInput, type ProvisioningToken } from "./schemas";
import { toProvisioningTokenView, type ProvisioningTokenView } from "./views";

export const PROVISIONING_TOKEN_PREFIX = "cpt";

/**
 * An admin (or the system, e.g. the demo's bootstrap) creates a provisioning token for a robot
 * model. The token is returned once, here; only its hash is stored.
 */
export async function createProvisioningToken(
  ctx: Ctx,
  rawInput: unknown,
): Promise<{ token: string; record: ProvisioningTokenView }> {
  if (ctx.actor.kind !== "system") requireUser(ctx, "admin");
  const input = parseInput(ZCreateProvisioningTokenInput, rawInput, "body");
  const now = ctx.now();
  let expiresAt: string | null = null;
  if (input.expires_at) {
    const expires = new Date(input.expires_at);
    if (expires.getTime() <= now.getTime()) {
      throw new DomainError("invalid", "Invalid body: expires_at: must be in the future.", {
        reason: "invalid_input",
        details: { issues: [{ path: "expires_at", message: "must be in the future" }] },
      });
    }
    expiresAt = expires.toISOString();
  }
  const token = createSecretToken(PROVISIONING_TOKEN_PREFIX);
  const id = provisioningTokenId(token);
  const record: ProvisioningToken = {
    hint: `${token.slice(0, PROVISIONING_TOKEN_PREFIX.length + 5)}…`,
    label: input.label || `${input.manufacturer ? `${input.manufacturer}/` : ""}${input.model}`,
    model: input.model,
    manufacturer: input.manufacturer ?? null,
    created_at: now.toISOString(),
    created_by: actorId(ctx.actor),
    expires_at: expiresAt,
    max_uses: input.max_uses ?? null,
    use_count: 0,
    last_used_at: null,
    revoked_at: null,
    revoked_by: null,
  };
  await ctx.db.transaction(async (tx) => {
    tx.create(ProvisioningTokens, id, record);
    const audit = auditEntry(ctx, {
      action: "provisioning_token.create",
      target: { type: "provisioning_token", id },
      details: {
        model: record.model,
        manufacturer: record.manufacturer,
        expires_at: expiresAt,
        max_uses: record.max_uses,
      },
    });
    tx.create(AuditLog, audit.id, audit.entry);
  });
  return { token, record: toProvisioningTokenView({ id, data: record, revision: "1" }, now) };
}
