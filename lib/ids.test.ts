import { describe, expect, it } from "vitest";
import { createId, createSecretToken } from "./ids";

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

function decodeTime(id: string): number {
  return [...id.slice(0, 10)].reduce((value, char) => value * 32 + ALPHABET.indexOf(char), 0);
}

describe("createId", () => {
  it("is 26 Crockford base32 characters after the prefix, with the creation time in the first ten", () => {
    const at = new Date("2026-11-29T05:30:00.123Z");
    const id = createId("job", at);
    expect(id).toMatch(/^job_[0-9a-hjkmnp-tv-z]{26}$/);
    expect(decodeTime(id.slice(4))).toBe(at.getTime());
    expect(createId(undefined, at)).toMatch(/^[0-9a-hjkmnp-tv-z]{26}$/);
  });

  it("sorts by creation time, whatever the random part", () => {
    const times = [0, 1, 31, 32, 1_000, 1_700_000_000_000, 1_700_000_000_001, 2 ** 47];
    const ids = times.map((ms) => createId("x", new Date(ms)));
    expect([...ids].sort()).toEqual(ids);
  });

  it("does not repeat across many ids made in the same millisecond, and uses every digit", () => {
    const at = new Date(1_800_000_000_000);
    const ids = Array.from({ length: 20_000 }, () => createId("r", at));
    expect(new Set(ids).size).toBe(ids.length);
    const digits = new Set(ids.flatMap((id) => [...id.slice(12)]));
    expect(digits.size).toBe(32);
  });
});

describe("createSecretToken", () => {
  it("is the prefix and 32 random bytes in base64url", () => {
    const token = createSecretToken("cpt");
    expect(token).toMatch(/^cpt_[A-Za-z0-9_-]{43}$/);
    expect(createSecretToken("cpt")).not.toBe(token);
  });
});
