import { z } from "zod";
import { auditEntry } from "@/lib/audit/append-audit";
import { AuditLog } from "@/lib/audit/schemas";
import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { requireUser } from "@/lib/users/authorize";
import { parseInput } from "@/lib/validation";
import { MAX_KEY_EVENTS, Robots } from "./schemas";
import { toRobotView, type RobotView } from "./views";

export const ZResetKeyInput = z.object({
  device_id: z.string().min(1).max(64),
  reason: z.string().trim().max(200).optional(),
});

/**
 * An admin clears a robot's registered key (lost, compromised, or the robot was re-flashed). From
 * then on every request signed with the old key is refused, and the robot can register a new key
 * with a provisioning token. Owner and history stay; the reset is audited and kept in the robot's
 * key history.
 */
export async function resetRobotKey(ctx: Ctx, rawInput: unknown): Promise<RobotView> {
  const admin = requireUser(ctx, "admin");
  const input = parseInput(ZResetKeyInput, rawInput, "body");
  const now = ctx.now();
  const nowIso = now.toISOString();
  return ctx.db.transaction(async (tx) => {
    const doc = await tx.get(Robots, input.device_id);
    if (!doc) {
      throw new DomainError("not_found", `Robot ${input.device_id.slice(0, 80)} was not found.`, {
        reason: "robot_not_found",
      });
    }
    if (doc.data.public_key === null) return toRobotView(doc.data, now);
    const event = {
      kind: "reset" as const,
      at: nowIso,
      by: admin.uid,
      fingerprint: doc.data.key_fingerprint,
      reason: input.reason ?? null,
    };
    const patch = {
      public_key: null,
      key_fingerprint: null,
      key_registered_at: null,
      key_history: [...doc.data.key_history, event].slice(-MAX_KEY_EVENTS),
      status: "offline" as const,
      offline_after: nowIso,
      updated_at: nowIso,
    };
    tx.update(Robots, doc.id, patch);
    const audit = auditEntry(ctx, {
      action: "robot.key_reset",
      target: { type: "robot", id: doc.id },
      details: { previous_fingerprint: doc.data.key_fingerprint, reason: input.reason ?? null },
    });
    tx.create(AuditLog, audit.id, audit.entry);
    return toRobotView({ ...doc.data, ...patch }, now);
  });
}
