import { createHash } from "node:crypto";
import type { Ctx } from "@/lib/context";
import { isDomainError } from "@/lib/errors";
import { nonceReplayedError } from "@/lib/crypto/http-signatures";
import { RobotNonces } from "./schemas";

export function robotNonceId(deviceId: string, nonce: string): string {
  return `${deviceId}_${createHash("sha256").update(nonce, "utf8").digest("hex").slice(0, 40)}`;
}

/**
 * Record the nonce of a verified robot signature, refusing one already seen. The record is created
 * only if absent (one atomic write), so two instances receiving the same replayed request cannot
 * both accept it, and the refusal holds after a restart. It is kept until `expiresAt` (when the
 * signature could no longer be accepted anyway) and swept after. Call it only for signatures that
 * verified, or anyone could burn a robot's nonces.
 *
 * @throws `unauthenticated` / `nonce_replayed`.
 */
export async function recordRobotNonce(
  ctx: Ctx,
  input: { deviceId: string; nonce: string; expiresAt: Date },
): Promise<void> {
  const id = robotNonceId(input.deviceId, input.nonce);
  const now = ctx.now();
  const record = { device_id: input.deviceId, seen_at: now.toISOString(), expires_at: input.expiresAt.toISOString() };
  try {
    await ctx.db.create(RobotNonces, id, record);
    return;
  } catch (error) {
    if (!isDomainError(error) || error.code !== "conflict") throw error;
  }
  // Taken. A record whose window has passed (not swept yet) no longer protects anything: reuse it.
  await ctx.db.transaction(async (tx) => {
    const existing = await tx.get(RobotNonces, id);
    if (existing && existing.data.expires_at > now.toISOString()) throw nonceReplayedError(input.deviceId);
    tx.set(RobotNonces, id, record);
  });
}
