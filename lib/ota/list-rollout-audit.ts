import type { Ctx } from "@/lib/context";
import { AuditLog, type AuditEntry } from "@/lib/audit/schemas";
import type { Page } from "@/lib/storage/typed";
import { requireUser } from "@/lib/users/authorize";

/** The audit trail of one bundle (build, every rollout action, automatic pauses), newest first (operators). */
export async function listRolloutAudit(
  ctx: Ctx,
  bundleId: string,
  cursor: string | null = null,
): Promise<Page<AuditEntry>> {
  requireUser(ctx, "operator");
  return ctx.db.query(AuditLog, {
    where: [{ field: "target.id", op: "==", value: bundleId }],
    orderBy: { field: "at", direction: "desc" },
    limit: 100,
    cursor,
  });
}
