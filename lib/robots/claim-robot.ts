import { appendAudit, auditEntry } from "@/lib/audit/append-audit";
import { AuditLog } from "@/lib/audit/schemas";
import type { Ctx } from "@/lib/context";
import { generateEd25519KeyPair, importPublicKeyRaw } from "@/lib/crypto/ed25519-keys";
import { DomainError, isDomainError } from "@/lib/errors";
import { consumeRateLimit } from "@/lib/rate-limit/consume-rate-limit";
import { fieldValue } from "@/lib/storage/port";
import { requireUser } from "@/lib/users/authorize";
import { Users } from "@/lib/users/schemas";
import { parseInput } from "@/lib/validation";
import { readClaimProofHeader, verifyClaimProof } from "./claim-proof";
import { ClaimRecords, Robots, ZClaimInput } from "./schemas";
import { toRobotView, type RobotView } from "./views";

export interface ClaimResult {
  robot: RobotView;
  /** The previous owner when this claim transferred the robot. */
  transferred_from: string | null;
  /** True when the caller already owned the robot (the proof only refreshed the claim). */
  already_owner: boolean;
}

/** The key claims of unknown or reset robots are checked against: its private half is dropped at once. */
const UNHELD_KEY = generateEd25519KeyPair().publicKey;

/** Claim attempts per user per minute. */
export const CLAIM_RATE_LIMIT = { limit: 20, windowS: 60 };

/**
 * `POST /api/robots/claim`: a signed-in user becomes a robot's owner with a local claim proof the
 * robot issued after in-person pairing (PRODUCT.md §3.3).
 *
 * The proof must verify against the robot's registered key and name the caller (`sub`). Claims are
 * ordered by the proof's `iat`: a proof newer than the last accepted one (for another user)
 * transfers ownership; an older one, or the same one again (`jti`), is refused with 409. The owner
 * in `rcan_registry`, both users' `robots[]`, the claim record and the audit entry change in one
 * transaction. Refused proofs are audited as denied and change nothing else. A proof naming a
 * robot that is not registered, or whose key an admin reset, is refused exactly like a forged one
 * (403 `claim_proof_bad_signature`).
 */
export async function claimRobot(ctx: Ctx, rawInput: unknown): Promise<ClaimResult> {
  const user = requireUser(ctx);
  const { local_claim_proof: proof } = parseInput(ZClaimInput, rawInput, "body");
  await consumeRateLimit(ctx, { key: `robot-claim:${user.uid}`, ...CLAIM_RATE_LIMIT });
  const { kid: deviceId } = readClaimProofHeader(proof);
  const now = ctx.now();

  const denied = async (error: unknown): Promise<never> => {
    if (isDomainError(error) && (error.code === "forbidden" || error.code === "conflict")) {
      await appendAudit(ctx, {
        action: "robot.claim",
        target: { type: "robot", id: deviceId },
        outcome: "denied",
        details: { reason: error.reason ?? error.code },
      });
    }
    throw error;
  };

  const robot = await ctx.db.get(Robots, deviceId);
  // A robot nobody registered, or one whose key an admin reset, is answered like a proof whose
  // signature does not verify (every other check runs the same, against a key nobody holds), so a
  // signed-in user cannot learn from claims which device ids exist or were reset.
  const verified = await verifyClaimProof(proof, {
    publicKey: robot?.data.public_key ? importPublicKeyRaw(robot.data.public_key) : UNHELD_KEY,
    expectedSub: user.uid,
    expectedDeviceId: deviceId,
    now: Math.floor(now.getTime() / 1000),
  }).catch(denied);
  if (!robot?.data.public_key) throw new Error("claimRobot: a proof verified against the unheld key");
  if (verified.ruriIdentity !== robot.data.ruri) {
    await denied(
      new DomainError(
        "forbidden",
        `local_claim_proof ruri ${verified.ruriIdentity} is not the registered robot ${robot.data.ruri}.`,
        { reason: "claim_proof_wrong_device" },
      ),
    );
  }

  return ctx.db
    .transaction(async (tx) => {
      const current = await tx.get(Robots, deviceId);
      const record = await tx.get(ClaimRecords, deviceId);
      const newOwner = await tx.get(Users, user.uid);
      const previous = current?.data.owner_uid ?? null;
      const alreadyOwner = previous === user.uid;
      const previousOwner = previous && !alreadyOwner ? await tx.get(Users, previous) : null;
      if (!current || current.data.public_key !== robot.data.public_key) {
        throw new DomainError("conflict", `Robot ${deviceId} changed its key while claiming; ask it for a new proof.`, {
          reason: "robot_key_changed",
        });
      }
      if (!newOwner) throw new DomainError("not_found", "Your account no longer exists.", { reason: "user_missing" });
      if (record && record.data.jti === verified.jti) {
        throw new DomainError(
          "conflict",
          "This claim proof was already used (same jti); ask the robot for a new one.",
          {
            reason: "claim_proof_replayed",
          },
        );
      }
      if (record && verified.iat <= record.data.iat) {
        throw new DomainError(
          "conflict",
          `This claim proof (iat ${verified.iat}) is not newer than the robot's last accepted claim (iat ${record.data.iat}).`,
          { reason: "claim_proof_stale" },
        );
      }
      const claimedAt = alreadyOwner && current.data.claimed_at ? current.data.claimed_at : now.toISOString();
      tx.update(Robots, deviceId, { owner_uid: user.uid, claimed_at: claimedAt, updated_at: now.toISOString() });
      tx.update(Users, user.uid, { robots: fieldValue.arrayUnion(deviceId) });
      if (previousOwner) tx.update(Users, previousOwner.id, { robots: fieldValue.arrayRemove(deviceId) });
      tx.set(ClaimRecords, deviceId, {
        device_id: deviceId,
        owner_uid: user.uid,
        iat: verified.iat,
        jti: verified.jti,
        accepted_at: now.toISOString(),
      });
      const audit = auditEntry(ctx, {
        action: previous && !alreadyOwner ? "robot.transfer" : "robot.claim",
        target: { type: "robot", id: deviceId },
        details: { owner_uid: user.uid, previous_owner_uid: previous, iat: verified.iat, jti: verified.jti },
      });
      tx.create(AuditLog, audit.id, audit.entry);
      return {
        robot: toRobotView({ ...current.data, owner_uid: user.uid, claimed_at: claimedAt }, now),
        transferred_from: previous && !alreadyOwner ? previous : null,
        already_owner: alreadyOwner,
      };
    })
    .catch(denied);
}
