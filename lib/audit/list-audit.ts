import { z } from "zod";
import type { Ctx } from "@/lib/context";
import type { Filter } from "@/lib/storage/port";
import type { Page } from "@/lib/storage/typed";
import { requireUser } from "@/lib/users/authorize";
import { parseInput } from "@/lib/validation";
import { AuditLog, ZAuditOutcome, type AuditEntry } from "./schemas";

export const ZAuditFilter = z.object({
  action: z.string().max(100).optional(),
  actor_id: z.string().max(200).optional(),
  target_id: z.string().max(200).optional(),
  outcome: ZAuditOutcome.optional(),
  cursor: z.string().max(500).nullable().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
export type AuditFilter = z.input<typeof ZAuditFilter>;

/**
 * Admins read the audit log, newest first, filtered by one of action, actor, target or outcome
 * (each has its index; combining them would need an index per combination).
 */
export async function listAudit(ctx: Ctx, rawFilter: AuditFilter = {}): Promise<Page<AuditEntry>> {
  requireUser(ctx, "admin");
  const filter = parseInput(ZAuditFilter, rawFilter, "filter");
  const where: Filter[] = [];
  if (filter.action) where.push({ field: "action", op: "==", value: filter.action });
  else if (filter.actor_id) where.push({ field: "actor.id", op: "==", value: filter.actor_id });
  else if (filter.target_id) where.push({ field: "target.id", op: "==", value: filter.target_id });
  else if (filter.outcome) where.push({ field: "outcome", op: "==", value: filter.outcome });
  return ctx.db.query(AuditLog, {
    where,
    orderBy: { field: "at", direction: "desc" },
    limit: filter.limit,
    cursor: filter.cursor ?? null,
  });
}
