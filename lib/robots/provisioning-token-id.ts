import { createHash } from "node:crypto";

/**
 * A provisioning token's document id: the SHA-256 (hex) of the token. Tokens are 256-bit random
 * secrets, so a plain hash is enough (no salt or slow hash needed), and looking a token up is one
 * document read, never a scan or a comparison against stored secrets.
 */
export function provisioningTokenId(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}
