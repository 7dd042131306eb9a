import { z } from "zod";
import { auditEntry } from "@/lib/audit/append-audit";
import { AuditLog } from "@/lib/audit/schemas";
import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { fieldValue } from "@/lib/storage/port";
import { parseInput } from "@/lib/validation";
import { requireUser } from "./authorize";
import { Users, type User } from "./schemas";

export const ZSetUserDisabledInput = z.object({ uid: z.string().min(1), disabled: z.boolean() });

/**
 * An admin disables (or enables again) an account. Disabling ends its sessions at once and
 * refuses its sign-ins; an admin cannot disable their own account.
 */
export async function setUserDisabled(ctx: Ctx, rawInput: unknown): Promise<User> {
  const admin = requireUser(ctx, "admin");
  const input = parseInput(ZSetUserDisabledInput, rawInput);
  if (input.uid === admin.uid && input.disabled) {
    throw new DomainError("conflict", "You cannot disable your own account.", { reason: "cannot_disable_self" });
  }
  return ctx.db.transaction(async (tx) => {
    const target = await tx.get(Users, input.uid);
    if (!target) throw new DomainError("not_found", `User ${input.uid} was not found.`, { reason: "user_missing" });
    const disabledAt = input.disabled ? (target.data.disabled_at ?? ctx.now().toISOString()) : null;
    tx.update(Users, input.uid, {
      disabled_at: disabledAt,
      ...(input.disabled ? { session_version: fieldValue.increment(1) } : {}),
    });
    const audit = auditEntry(ctx, {
      action: input.disabled ? "user.disable" : "user.enable",
      target: { type: "user", id: input.uid },
      details: { by: admin.uid },
    });
    tx.create(AuditLog, audit.id, audit.entry);
    return {
      ...target.data,
      disabled_at: disabledAt,
      session_version: (target.data.session_version ?? 0) + (input.disabled ? 1 : 0),
    };
  });
}
