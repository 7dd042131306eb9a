import { appendAudit } from "@/lib/audit/append-audit";
import type { Ctx } from "@/lib/context";
import { importPublicKeyRaw } from "@/lib/crypto/ed25519-keys";
import { DomainError, isDomainError } from "@/lib/errors";
import { createId } from "@/lib/ids";
import { consumeRateLimit } from "@/lib/rate-limit/consume-rate-limit";
import { readClaimProofHeader, verifyClaimProof } from "@/lib/robots/claim-proof";
import { parseRuri } from "@/lib/robots/ruri";
import { Robots } from "@/lib/robots/schemas";
import { requireUser } from "@/lib/users/authorize";
import { parseInput } from "@/lib/validation";
import { iceServersFor } from "./ice-servers";
import type { IceServer } from "./protocol";
import { RemoteSessions, SESSION_TTL_S, ZVerifyInput, type RemoteSession } from "./schemas";
import { issueSessionToken } from "./session-token";
import { relayEndpointFor } from "./views";

/** Verify attempts per user per minute (each one checks a signature and may create a session). */
export const VERIFY_RATE_LIMIT = { limit: 20, windowS: 60 };

export interface VerifyResult {
  verified: true;
  session_token: string;
  /** The relay URL to connect to (seed name). */
  robot_endpoint: string;
  session_id: string;
  expires_at: string;
  ice_servers: IceServer[];
}

/**
 * `POST /api/remote/verify` (PRODUCT.md §6.4): the caller proves they own the robot (the registry
 * says so, and the robot's own signed local claim proof names them), and gets a session and a
 * one-hour token bound to them, the robot and the session.
 *
 * Every refusal is audited (`remote.verify`, outcome `denied`) with its reason. The robot being
 * unknown and being someone else's give the same answer, so nobody learns which robots exist.
 *
 * @throws `forbidden` (`user_uid_mismatch`, `not_robot_owner`, `robot_key_missing`, claim-proof
 * reasons), `invalid` (input, RURI, claim-proof format), `rate_limited`.
 */
export async function verifyRemoteAccess(ctx: Ctx, rawInput: unknown): Promise<VerifyResult> {
  const user = requireUser(ctx);
  let deviceId: string | null = null;
  try {
    const input = parseInput(ZVerifyInput, rawInput, "body");
    await consumeRateLimit(ctx, { key: `remote.verify:${user.uid}`, ...VERIFY_RATE_LIMIT });
    if (input.user_uid !== user.uid) {
      throw new DomainError("forbidden", "user_uid must be the signed-in user.", { reason: "user_uid_mismatch" });
    }
    const address = parseRuri(input.robot_ruri);
    deviceId = address.deviceId;
    const robot = await ctx.db.get(Robots, address.deviceId);
    if (!robot || robot.data.owner_uid !== user.uid) {
      throw new DomainError("forbidden", `You do not own robot ${address.deviceId}.`, { reason: "not_robot_owner" });
    }
    if (!robot.data.public_key) {
      throw new DomainError("forbidden", `Robot ${address.deviceId} has no registered key; it must register again.`, {
        reason: "robot_key_missing",
      });
    }
    // Name the mix-up (a proof from another robot) before the signature check would call it forged.
    const { kid } = readClaimProofHeader(input.local_claim_proof);
    if (kid !== address.deviceId) {
      throw new DomainError("forbidden", `local_claim_proof is for robot ${kid}, not ${address.deviceId}.`, {
        reason: "claim_proof_wrong_device",
      });
    }
    const now = ctx.now();
    const proof = await verifyClaimProof(input.local_claim_proof, {
      publicKey: importPublicKeyRaw(robot.data.public_key),
      expectedSub: user.uid,
      expectedDeviceId: address.deviceId,
      now: Math.floor(now.getTime() / 1000),
    });

    const sessionId = createId("rs", now);
    // Whole seconds: the token's `exp`, the session document and TURN usernames all say the same instant.
    const expiresAt = new Date(Math.floor(now.getTime() / 1000) * 1000 + SESSION_TTL_S * 1000);
    const relayEndpoint = relayEndpointFor(ctx.config.relayPublicUrl, address.deviceId);
    const session: RemoteSession = {
      robot_ruri: robot.data.ruri,
      robot_id: address.deviceId,
      user_uid: user.uid,
      created_at: now.toISOString(),
      expires_at: expiresAt.toISOString(),
      status: "pending",
      active: true,
      relay_endpoint: relayEndpoint,
      local_claim_verified: true,
      connection_type: null,
      path: null,
      bytes_relayed: 0,
      messages_relayed: 0,
      ended_reason: null,
      connected_at: null,
      disconnected_at: null,
      revoked_by: null,
      claim_jti: proof.jti,
      relay_instance: null,
    };
    await ctx.db.create(RemoteSessions, sessionId, session);
    const token = await issueSessionToken(ctx.secrets.tokenSecret, {
      userUid: user.uid,
      sessionId,
      deviceId: address.deviceId,
      issuedAt: now,
      expiresAt,
    });
    await appendAudit(ctx, {
      action: "remote.verify",
      target: { type: "remote_session", id: sessionId },
      details: { robot_id: address.deviceId, claim_jti: proof.jti, expires_at: session.expires_at },
    });
    return {
      verified: true,
      session_token: token,
      robot_endpoint: relayEndpoint,
      session_id: sessionId,
      expires_at: session.expires_at,
      ice_servers: iceServersFor(ctx.config.turn, { subject: `user_${user.uid}`, expiresAt }),
    };
  } catch (error) {
    if (isDomainError(error)) {
      await appendAudit(ctx, {
        action: "remote.verify",
        target: deviceId ? { type: "robot", id: deviceId } : null,
        outcome: "denied",
        details: { code: error.code, reason: error.reason ?? null, message: error.message },
      });
    }
    throw error;
  }
}
