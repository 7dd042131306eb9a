import { createHash } from "node:crypto";

export const TRAINING_TOKEN_PREFIX = "ctt";

/**
 * A training token's document id: the SHA-256 (hex) of the token. Tokens are 256-bit random
 * secrets, so a plain hash is enough (no salt or slow hash needed), and a lookup is one read.
 */
export function trainingTokenId(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}
