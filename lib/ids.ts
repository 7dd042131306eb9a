import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"; // Crockford base32, lower case

function encode(value: bigint, length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) {
    out = ALPHABET[Number(value & 31n)] + out;
    value >>= 5n;
  }
  return out;
}

/**
 * Time-sortable unique ids (ULID layout: 48-bit milliseconds + 80 random bits, base32, 26 chars),
 * optionally prefixed (`job_…`). Sorting ids sorts by creation time, which keeps listings cheap.
 */
export function createId(prefix?: string, now: Date = new Date()): string {
  const time = encode(BigInt(now.getTime()), 10);
  const random = encode(BigInt(`0x${randomBytes(10).toString("hex")}`), 16);
  return prefix ? `${prefix}_${time}${random}` : `${time}${random}`;
}

/** A secret token: 32 random bytes, base64url, with a readable prefix (`cpt_…`). */
export function createSecretToken(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString("base64url")}`;
}
