import { actorId, type Ctx } from "@/lib/context";
import { createId } from "@/lib/ids";
import { AuditLog, type AuditEntry, type AuditOutcome } from "./schemas";

export interface AuditInput {
  action: string;
  target?: { type: string; id: string } | null;
  outcome?: AuditOutcome;
  details?: Record<string, unknown>;
}

/** Build the entry a verb appends (also used inside transactions and batches). */
export function auditEntry(ctx: Ctx, input: AuditInput): { id: string; entry: AuditEntry } {
  const at = ctx.now();
  const entry: AuditEntry = {
    at: at.toISOString(),
    actor: {
      kind: ctx.actor.kind,
      id: actorId(ctx.actor),
      ...(ctx.actor.kind === "user" ? { email: ctx.actor.email } : {}),
    },
    action: input.action,
    target: input.target ?? null,
    outcome: input.outcome ?? "success",
    ip: ctx.request.ip,
    user_agent: ctx.request.userAgent,
    request_id: ctx.request.requestId,
    details: input.details ?? {},
  };
  return { id: createId("aud", at), entry };
}

/**
 * Append one entry to the audit log. Append-only: the product has no verb that edits or deletes
 * entries; ids are time-sortable and created, never set.
 */
export async function appendAudit(ctx: Ctx, input: AuditInput): Promise<void> {
  const { id, entry } = auditEntry(ctx, input);
  await ctx.db.create(AuditLog, id, entry);
}
