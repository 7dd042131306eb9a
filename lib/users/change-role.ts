import { z } from "zod";
import { auditEntry } from "@/lib/audit/append-audit";
import { AuditLog } from "@/lib/audit/schemas";
import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { fieldValue } from "@/lib/storage/port";
import { parseInput } from "@/lib/validation";
import { requireUser } from "./authorize";
import { Users, ZRole, type User } from "./schemas";

export const ZChangeRoleInput = z.object({ uid: z.string().min(1), role: ZRole });

/**
 * An admin changes someone's role; the user's sessions end, so they sign in again under the new
 * role. The last admin cannot be demoted (the product would lock itself out).
 */
export async function changeRole(ctx: Ctx, rawInput: unknown): Promise<User> {
  const admin = requireUser(ctx, "admin");
  const input = parseInput(ZChangeRoleInput, rawInput);
  return ctx.db.transaction(async (tx) => {
    const target = await tx.get(Users, input.uid);
    if (!target) throw new DomainError("not_found", `User ${input.uid} was not found.`, { reason: "user_missing" });
    if (target.data.role === "admin" && input.role !== "admin") {
      const admins = await tx.query(Users, { where: [{ field: "role", op: "==", value: "admin" }], limit: 2 });
      if (admins.docs.length < 2) {
        throw new DomainError("conflict", "This is the last admin; make someone else admin first.", {
          reason: "last_admin",
        });
      }
    }
    tx.update(Users, input.uid, { role: input.role, session_version: fieldValue.increment(1) });
    const audit = auditEntry(ctx, {
      action: "user.role_change",
      target: { type: "user", id: input.uid },
      details: { from: target.data.role, to: input.role, by: admin.uid },
    });
    tx.create(AuditLog, audit.id, audit.entry);
    return { ...target.data, role: input.role, session_version: (target.data.session_version ?? 0) + 1 };
  });
}
