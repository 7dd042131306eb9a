import { randomBytes, randomFillSync } from "node:crypto";

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"; // Crockford base32, lower case

/** Random bytes drawn in blocks: one call into the system's generator per 256 ids, not one per id. */
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

function randomChars(length: number): string {
  if (poolOffset + length > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  let out = "";
  // 256 is a multiple of 32, so the low five bits of a uniform byte are a uniform base32 digit.
  for (let i = 0; i < length; i++) out += ALPHABET[pool[poolOffset + i]! & 31];
  poolOffset += length;
  return out;
}

/** `value` (a non-negative integer below 2^53) as `length` base32 digits, most significant first. */
function encodeTime(value: number, length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) {
    out = ALPHABET[value % 32] + out;
    value = Math.floor(value / 32);
  }
  return out;
}

/**
 * Time-sortable unique ids (ULID layout: 48-bit milliseconds + 80 random bits, base32, 26 chars),
 * optionally prefixed (`job_…`). Sorting ids sorts by creation time, which keeps listings cheap.
 */
export function createId(prefix?: string, now: Date = new Date()): string {
  const time = encodeTime(now.getTime(), 10);
  const random = randomChars(16);
  return prefix ? `${prefix}_${time}${random}` : `${time}${random}`;
}

/** A secret token: 32 random bytes, base64url, with a readable prefix (`cpt_…`). */
export function createSecretToken(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString("base64url")}`;
}
