import { z } from "zod";
import { auditEntry } from "@/lib/audit/append-audit";
import { AuditLog } from "@/lib/audit/schemas";
import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { createSecretToken } from "@/lib/ids";
import { requireUser } from "@/lib/users/authorize";
import { parseInput } from "@/lib/validation";
import { TrainingTokens, ZTrainingScope, type TrainingToken } from "./schemas";
import { TRAINING_TOKEN_PREFIX, trainingTokenId } from "./training-token-id";
import { toTrainingTokenView, type TrainingTokenView } from "./views";

export const ZCreateTrainingTokenInput = z
  .object({
    name: z.string().trim().min(1, "Name the token (e.g. the notebook or person using it).").max(80),
    scopes: z.array(ZTrainingScope).min(1).max(2).default(["training"]),
    expires_at: z.iso.datetime({ offset: true }).nullable().optional(),
  })
  .strict();

/**
 * An admin creates a training token for notebooks. The secret is returned once, here; only its
 * hash is stored. Scope `training` runs the worker protocol; `training:read` only reads jobs,
 * episodes and models (analysis notebooks).
 */
export async function createTrainingToken(
  ctx: Ctx,
  rawInput: unknown,
): Promise<{ token: string; record: TrainingTokenView }> {
  const admin = requireUser(ctx, "admin");
  const input = parseInput(ZCreateTrainingTokenInput, rawInput, "body");
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
  const token = createSecretToken(TRAINING_TOKEN_PREFIX);
  const id = trainingTokenId(token);
  const record: TrainingToken = {
    name: input.name,
    token_prefix: `${token.slice(0, TRAINING_TOKEN_PREFIX.length + 7)}…`,
    scopes: [...new Set(input.scopes)],
    created_at: now.toISOString(),
    created_by: { kind: "user", id: admin.uid, email: admin.email },
    expires_at: expiresAt,
    revoked_at: null,
    revoked_by: null,
    last_used_at: null,
    last_used_ip: null,
  };
  await ctx.db.transaction(async (tx) => {
    tx.create(TrainingTokens, id, record);
    const audit = auditEntry(ctx, {
      action: "training_token.create",
      target: { type: "training_token", id },
      details: { name: record.name, scopes: record.scopes, expires_at: expiresAt },
    });
    tx.create(AuditLog, audit.id, audit.entry);
  });
  return { token, record: toTrainingTokenView({ id, data: record, revision: "" }, now) };
}
