import { createHash } from "node:crypto";
import { z } from "zod";
import { auditEntry } from "@/lib/audit/append-audit";
import { AuditLog } from "@/lib/audit/schemas";
import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { createSecretToken } from "@/lib/ids";
import { requireUser } from "@/lib/users/authorize";
import { parseInput } from "@/lib/validation";
import { MAX_KEY_EVENTS, Robots, type Reenrolment } from "./schemas";
import { toRobotView, type RobotView } from "./views";

export const ZResetKeyInput = z.object({
  device_id: z.string().min(1).max(64),
  reason: z.string().trim().max(200).optional(),
});

export const REENROLMENT_TOKEN_PREFIX = "cre";
/** How long a re-enrolment token stays valid; an admin who lost it resets again for a new one. */
export const REENROLMENT_TTL_HOURS = 72;

/** A re-enrolment token as stored: its SHA-256 (hex). Tokens are 256-bit random secrets. */
export function reenrolmentTokenHash(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export interface KeyResetResult {
  robot: RobotView;
  /** The one-time credential the admin hands to the real robot; shown only here. */
  reenrolment_token: string;
  reenrolment_expires_at: string;
}

/**
 * An admin clears a robot's registered key (lost, compromised, or the robot was re-flashed) and
 * gets a one-time re-enrolment token bound to that device id. From then on every request signed
 * with the old key is refused, and a provisioning token no longer registers that device id: only
 * a registration carrying the re-enrolment token does (`register-robot.ts`), and that ends the
 * robot's ownership, so its owner claims it again with a local proof from the re-enrolled robot.
 *
 * Resetting a robot whose key is already cleared issues a new token (the previous one stops
 * working), for an admin who lost it. Every reset is audited and kept in the key history.
 */
export async function resetRobotKey(ctx: Ctx, rawInput: unknown): Promise<KeyResetResult> {
  const admin = requireUser(ctx, "admin");
  const input = parseInput(ZResetKeyInput, rawInput, "body");
  const now = ctx.now();
  const nowIso = now.toISOString();
  const token = createSecretToken(REENROLMENT_TOKEN_PREFIX);
  const reenrolment: Reenrolment = {
    token_hash: reenrolmentTokenHash(token),
    hint: `${token.slice(0, REENROLMENT_TOKEN_PREFIX.length + 5)}…`,
    issued_at: nowIso,
    issued_by: admin.uid,
    expires_at: new Date(now.getTime() + REENROLMENT_TTL_HOURS * 3600_000).toISOString(),
  };
  return ctx.db.transaction(async (tx) => {
    const doc = await tx.get(Robots, input.device_id);
    if (!doc) {
      throw new DomainError("not_found", `Robot ${input.device_id.slice(0, 80)} was not found.`, {
        reason: "robot_not_found",
      });
    }
    const reissued = doc.data.public_key === null;
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
      reenrolment,
      status: "offline" as const,
      offline_after: reissued ? doc.data.offline_after : nowIso,
      updated_at: nowIso,
    };
    tx.update(Robots, doc.id, patch);
    const audit = auditEntry(ctx, {
      action: "robot.key_reset",
      target: { type: "robot", id: doc.id },
      details: {
        previous_fingerprint: doc.data.key_fingerprint,
        reason: input.reason ?? null,
        owner_uid: doc.data.owner_uid,
        reenrolment_token_hint: reenrolment.hint,
        reenrolment_expires_at: reenrolment.expires_at,
        reissued,
      },
    });
    tx.create(AuditLog, audit.id, audit.entry);
    return {
      robot: toRobotView({ ...doc.data, ...patch }, now),
      reenrolment_token: token,
      reenrolment_expires_at: reenrolment.expires_at,
    };
  });
}
