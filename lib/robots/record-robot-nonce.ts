import { createHash } from "node:crypto";
import type { Ctx } from "@/lib/context";
import { isDomainError } from "@/lib/errors";
import { nonceReplayedError } from "@/lib/crypto/http-signatures";
import { writes } from "@/lib/storage/typed";
import { groupedBatch } from "./grouped-batch";
import { RobotNonces, type RobotNonceDocument } from "./schemas";

export function robotNonceId(deviceId: string, nonce: string): string {
  return `${deviceId}_${createHash("sha256").update(nonce, "utf8").digest("hex").slice(0, 40)}`;
}

/** A verified signature's nonce, kept until `expiresAt`. */
export interface RobotNonce {
  deviceId: string;
  nonce: string;
  expiresAt: Date;
}

/** The record a nonce is kept as. */
export function robotNonceRecord(input: RobotNonce, now: Date): { id: string; data: RobotNonceDocument } {
  return {
    id: robotNonceId(input.deviceId, input.nonce),
    data: { device_id: input.deviceId, seen_at: now.toISOString(), expires_at: input.expiresAt.toISOString() },
  };
}

/** True when a stored nonce record still protects its signature (its window has not passed). */
export function isNonceLive(record: RobotNonceDocument, now: Date): boolean {
  return record.expires_at > now.toISOString();
}

/**
 * Record the nonce of a verified robot signature, refusing one already seen. The record is created
 * only if absent (one atomic write, group-committed with concurrent robot writes), so two instances receiving the same replayed request cannot
 * both accept it, and the refusal holds after a restart. It is kept until `expiresAt` (when the
 * signature could no longer be accepted anyway) and swept after. Call it only for signatures that
 * verified, or anyone could burn a robot's nonces. (A verb may instead write the nonce in the same
 * commit as its own writes, as `recordHeartbeat` does, with {@link robotNonceRecord}.)
 *
 * @throws `unauthenticated` / `nonce_replayed`.
 */
export async function recordRobotNonce(ctx: Ctx, input: RobotNonce): Promise<void> {
  const now = ctx.now();
  const { id, data: record } = robotNonceRecord(input, now);
  try {
    await groupedBatch(ctx, [writes.create(RobotNonces, id, record)]);
    return;
  } catch (error) {
    if (!isDomainError(error) || error.code !== "conflict") throw error;
  }
  // Taken. A record whose window has passed (not swept yet) no longer protects anything: reuse it.
  await ctx.db.transaction(async (tx) => {
    const existing = await tx.get(RobotNonces, id);
    if (existing && isNonceLive(existing.data, now)) throw nonceReplayedError(input.deviceId);
    tx.set(RobotNonces, id, record);
  });
}
