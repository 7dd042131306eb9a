import { generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { describe, expect, it } from "vitest";
import { DomainError } from "@/lib/errors";
import {
  CLAIM_PROOF_ERROR_REASONS,
  issueClaimProof,
  readClaimProofHeader,
  verifyClaimProof,
  type VerifyClaimProofOptions,
} from "./claim-proof";

async function caught(promise: Promise<unknown> | (() => unknown)): Promise<DomainError> {
  try {
    await (typeof promise === "function" ? promise() : promise);
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error("expected a DomainError, nothing was thrown");
}

const NOW = 1_765_843_800;
const DEVICE_ID = "14d4b680";
const RURI = `rcan://continuon.cloud/continuon/companion-v1/${DEVICE_ID}`;
const USER = "user-alice";
const robot = generateKeyPairSync("ed25519");
const otherRobot = generateKeyPairSync("ed25519");

const b64url = (text: string) => Buffer.from(text).toString("base64url");

/** Builds a compact JWS by hand (independent of jose), signed with Ed25519. */
function craft(header: unknown, payload: unknown, key: KeyObject = robot.privateKey): string {
  const head = b64url(typeof header === "string" ? header : JSON.stringify(header));
  const body = b64url(typeof payload === "string" ? payload : JSON.stringify(payload));
  const signature = sign(null, Buffer.from(`${head}.${body}`), key).toString("base64url");
  return `${head}.${body}.${signature}`;
}

const HEADER = { alg: "EdDSA", typ: "rcan-claim+jwt", kid: DEVICE_ID };
const PAYLOAD = { iss: DEVICE_ID, sub: USER, ruri: RURI, iat: NOW, jti: "0b9d5a0e-9a51-4c4f-9bde-4f3c3a1f2e10" };

function options(overrides: Partial<VerifyClaimProofOptions> = {}): VerifyClaimProofOptions {
  return { publicKey: robot.publicKey, now: NOW, expectedSub: USER, ...overrides };
}

describe("issueClaimProof", () => {
  it("issues a compact JWS with the documented header and payload", async () => {
    const token = await issueClaimProof({
      ruri: RURI,
      userUid: USER,
      privateKey: robot.privateKey,
      iat: NOW,
      jti: "j-1",
    });
    expect(token.split(".")).toHaveLength(3);
    expect(decodeProtectedHeader(token)).toEqual(HEADER);
    expect(decodeJwt(token)).toEqual({ iss: DEVICE_ID, sub: USER, ruri: RURI, iat: NOW, jti: "j-1" });
  });

  it("defaults iat to now and jti to a fresh UUID", async () => {
    const a = decodeJwt(await issueClaimProof({ ruri: RURI, userUid: USER, privateKey: robot.privateKey }));
    const b = decodeJwt(await issueClaimProof({ ruri: RURI, userUid: USER, privateKey: robot.privateKey }));
    expect(a.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.jti).not.toBe(b.jti);
    expect(Math.abs(Number(a.iat) - Date.now() / 1000)).toBeLessThan(5);
  });

  it("is deterministic for fixed inputs (Ed25519)", async () => {
    const input = { ruri: RURI, userUid: USER, privateKey: robot.privateKey, iat: NOW, jti: "j-1" };
    expect(await issueClaimProof(input)).toBe(await issueClaimProof(input));
  });

  it.each([
    {
      name: "an invalid RURI",
      input: { ruri: "rcan://local.rcan/discovered/192.168.1.42:8080" },
      error: "device_id is missing",
    },
    { name: "an empty user", input: { userUid: "" }, error: "userUid" },
    { name: "a public key", input: { privateKey: robot.publicKey }, error: "Ed25519 private key" },
    { name: "a fractional iat", input: { iat: 1.5 }, error: "iat" },
  ])("refuses $name", async ({ input, error }) => {
    await expect(
      issueClaimProof({ ruri: RURI, userUid: USER, privateKey: robot.privateKey, ...input }),
    ).rejects.toThrow(error);
  });
});

describe("verifyClaimProof accepts", () => {
  it("a proof from issueClaimProof", async () => {
    const token = await issueClaimProof({
      ruri: RURI,
      userUid: USER,
      privateKey: robot.privateKey,
      iat: NOW - 3600,
      jti: "j-1",
    });
    await expect(verifyClaimProof(token, options({ expectedDeviceId: DEVICE_ID }))).resolves.toEqual({
      deviceId: DEVICE_ID,
      sub: USER,
      ruri: RURI,
      ruriIdentity: RURI,
      iat: NOW - 3600,
      jti: "j-1",
    });
  });

  it("a hand-built proof (any JOSE library can issue one)", async () => {
    await expect(verifyClaimProof(craft(HEADER, PAYLOAD), options())).resolves.toMatchObject({ iat: NOW });
  });

  it("a RURI with port and capability, reporting its identity form", async () => {
    const ruri = `${RURI}:9090/arm`;
    const result = await verifyClaimProof(craft(HEADER, { ...PAYLOAD, ruri }), options());
    expect(result).toMatchObject({ ruri, ruriIdentity: RURI });
  });

  it("a UUID device id", async () => {
    const uuid = "6f1c2b9e-3d4a-4c5b-8e7f-0a1b2c3d4e5f";
    const token = await issueClaimProof({
      ruri: `rcan://continuon.cloud/continuon/companion-v1/${uuid}`,
      userUid: USER,
      privateKey: robot.privateKey,
      iat: NOW,
    });
    await expect(verifyClaimProof(token, options())).resolves.toMatchObject({ deviceId: uuid });
  });

  it("typ spelled as a full media type in any case (RFC 7515 §4.1.9)", async () => {
    await expect(
      verifyClaimProof(craft({ ...HEADER, typ: "application/RCAN-Claim+JWT" }, PAYLOAD), options()),
    ).resolves.toBeTruthy();
  });

  it("iat up to the skew ahead, and any sub when no expectedSub is given", async () => {
    await expect(verifyClaimProof(craft(HEADER, { ...PAYLOAD, iat: NOW + 60 }), options())).resolves.toBeTruthy();
    const token = craft(HEADER, { ...PAYLOAD, sub: "someone-else" });
    await expect(verifyClaimProof(token, options({ expectedSub: undefined }))).resolves.toMatchObject({
      sub: "someone-else",
    });
  });

  it("extra header parameters and claims, ignoring an embedded jwk", async () => {
    const attackerJwk = otherRobot.publicKey.export({ format: "jwk" });
    const token = craft({ ...HEADER, jwk: attackerJwk }, { ...PAYLOAD, name: "kitchen robot" });
    await expect(verifyClaimProof(token, options())).resolves.toBeTruthy();
    // The embedded key is never used: a proof signed by the attacker's key still fails.
    const forged = craft({ ...HEADER, jwk: attackerJwk }, PAYLOAD, otherRobot.privateKey);
    expect((await caught(verifyClaimProof(forged, options()))).reason).toBe("claim_proof_bad_signature");
  });
});

describe("verifyClaimProof refuses", () => {
  const valid = () => craft(HEADER, PAYLOAD);
  const withoutClaim = (name: keyof typeof PAYLOAD) => {
    const { [name]: _removed, ...rest } = PAYLOAD;
    return craft(HEADER, rest);
  };
  const cases: Array<{
    name: string;
    token: () => string;
    code: "invalid" | "forbidden";
    reason: (typeof CLAIM_PROOF_ERROR_REASONS)[number];
    message?: string;
    options?: Partial<VerifyClaimProofOptions>;
  }> = [
    // Malformed.
    {
      name: "an empty string",
      token: () => "",
      code: "invalid",
      reason: "claim_proof_malformed",
      message: "non-empty string",
    },
    { name: "a non-string", token: () => 42 as unknown as string, code: "invalid", reason: "claim_proof_malformed" },
    {
      name: "free text",
      token: () => "hello robot",
      code: "invalid",
      reason: "claim_proof_malformed",
      message: "three base64url parts",
    },
    {
      name: "two parts",
      token: () => valid().split(".").slice(0, 2).join("."),
      code: "invalid",
      reason: "claim_proof_malformed",
    },
    { name: "four parts", token: () => `${valid()}.AAAA`, code: "invalid", reason: "claim_proof_malformed" },
    { name: "a JWE-like five parts", token: () => "a.b.c.d.e", code: "invalid", reason: "claim_proof_malformed" },
    {
      name: "a header that is not JSON",
      token: () => craft("not json", PAYLOAD),
      code: "invalid",
      reason: "claim_proof_malformed",
      message: "header is not base64url JSON",
    },
    {
      name: "an over-long token",
      token: () => craft(HEADER, { ...PAYLOAD, pad: "x".repeat(5000) }),
      code: "invalid",
      reason: "claim_proof_malformed",
      message: "longer than 4096",
    },
    {
      name: "a payload that is not JSON",
      token: () => craft(HEADER, "not json"),
      code: "invalid",
      reason: "claim_proof_malformed",
      message: "payload: is not UTF-8 JSON",
    },
    {
      name: "a JSON array payload",
      token: () => craft(HEADER, [PAYLOAD]),
      code: "invalid",
      reason: "claim_proof_malformed",
      message: "not a JSON object",
    },
    {
      name: "no iss",
      token: () => withoutClaim("iss"),
      code: "invalid",
      reason: "claim_proof_malformed",
      message: "iss is missing",
    },
    {
      name: "no sub",
      token: () => withoutClaim("sub"),
      code: "invalid",
      reason: "claim_proof_malformed",
      message: "sub is missing",
    },
    {
      name: "no ruri",
      token: () => withoutClaim("ruri"),
      code: "invalid",
      reason: "claim_proof_malformed",
      message: "ruri is missing",
    },
    {
      name: "no iat",
      token: () => withoutClaim("iat"),
      code: "invalid",
      reason: "claim_proof_malformed",
      message: "iat is missing",
    },
    {
      name: "no jti",
      token: () => withoutClaim("jti"),
      code: "invalid",
      reason: "claim_proof_malformed",
      message: "jti is missing",
    },
    {
      name: "an empty sub",
      token: () => craft(HEADER, { ...PAYLOAD, sub: "" }),
      code: "invalid",
      reason: "claim_proof_malformed",
      message: "sub must be a non-empty string",
    },
    {
      name: "a numeric sub",
      token: () => craft(HEADER, { ...PAYLOAD, sub: 7 }),
      code: "invalid",
      reason: "claim_proof_malformed",
      message: "sub must be",
    },
    {
      name: "a string iat",
      token: () => craft(HEADER, { ...PAYLOAD, iat: String(NOW) }),
      code: "invalid",
      reason: "claim_proof_malformed",
      message: "iat must be an integer",
    },
    {
      name: "a millisecond-fraction iat",
      token: () => craft(HEADER, { ...PAYLOAD, iat: NOW + 0.5 }),
      code: "invalid",
      reason: "claim_proof_malformed",
      message: "iat must be an integer",
    },
    {
      name: "a 129-character jti",
      token: () => craft(HEADER, { ...PAYLOAD, jti: "j".repeat(129) }),
      code: "invalid",
      reason: "claim_proof_malformed",
      message: "jti must be at most 128",
    },
    {
      name: "a RURI that is not a robot address",
      token: () => craft(HEADER, { ...PAYLOAD, ruri: "rcan://continuon.cloud/continuon/companion-v1/unknown" }),
      code: "invalid",
      reason: "claim_proof_malformed",
      message: 'ruri is not a RURI: Invalid RURI "rcan://continuon.cloud/continuon/companion-v1/unknown"',
    },

    // Header.
    {
      name: "alg ES256",
      token: () => craft({ ...HEADER, alg: "ES256" }, PAYLOAD),
      code: "invalid",
      reason: "claim_proof_bad_header",
      message: 'alg must be "EdDSA", got "ES256"',
    },
    {
      name: "alg none without signature",
      token: () => `${b64url(JSON.stringify({ ...HEADER, alg: "none" }))}.${b64url(JSON.stringify(PAYLOAD))}.AA`,
      code: "invalid",
      reason: "claim_proof_bad_header",
      message: 'got "none"',
    },
    {
      name: "alg HS256",
      token: () => craft({ ...HEADER, alg: "HS256" }, PAYLOAD),
      code: "invalid",
      reason: "claim_proof_bad_header",
    },
    {
      name: "no alg",
      token: () => craft({ typ: HEADER.typ, kid: DEVICE_ID }, PAYLOAD),
      code: "invalid",
      reason: "claim_proof_bad_header",
      message: "got null",
    },
    {
      name: "typ JWT",
      token: () => craft({ ...HEADER, typ: "JWT" }, PAYLOAD),
      code: "invalid",
      reason: "claim_proof_bad_header",
      message: 'typ must be "rcan-claim+jwt", got "JWT"',
    },
    {
      name: "no typ",
      token: () => craft({ alg: "EdDSA", kid: DEVICE_ID }, PAYLOAD),
      code: "invalid",
      reason: "claim_proof_bad_header",
      message: "typ",
    },
    {
      name: "no kid",
      token: () => craft({ alg: "EdDSA", typ: HEADER.typ }, PAYLOAD),
      code: "invalid",
      reason: "claim_proof_bad_header",
      message: "kid must be the robot's device_id, got null",
    },
    {
      name: "a legacy alias as kid",
      token: () => craft({ ...HEADER, kid: "brain-1765843752" }, PAYLOAD),
      code: "invalid",
      reason: "claim_proof_bad_header",
      message: '"brain-1765843752"',
    },
    {
      name: "a crit header",
      token: () => craft({ ...HEADER, crit: ["exp"] }, PAYLOAD),
      code: "invalid",
      reason: "claim_proof_bad_header",
      message: "crit",
    },
    {
      name: "an unencoded payload (b64)",
      token: () => craft({ ...HEADER, b64: false }, PAYLOAD),
      code: "invalid",
      reason: "claim_proof_bad_header",
      message: "b64",
    },

    // Signature.
    {
      name: "a proof signed by another key (forged)",
      token: () => craft(HEADER, PAYLOAD, otherRobot.privateKey),
      code: "forbidden",
      reason: "claim_proof_bad_signature",
      message: `key registered for ${DEVICE_ID}`,
    },
    {
      name: "a payload changed after signing (sub swapped)",
      token: () => {
        const [head, , signature] = valid().split(".");
        return `${head}.${b64url(JSON.stringify({ ...PAYLOAD, sub: "mallory" }))}.${signature}`;
      },
      code: "forbidden",
      reason: "claim_proof_bad_signature",
      options: { expectedSub: "mallory" },
    },
    {
      name: "a header changed after signing (kid swapped)",
      token: () => {
        const [, body, signature] = valid().split(".");
        return `${b64url(JSON.stringify({ ...HEADER, kid: "0badc0de" }))}.${body}.${signature}`;
      },
      code: "forbidden",
      reason: "claim_proof_bad_signature",
    },
    {
      name: "a truncated signature",
      token: () => valid().slice(0, -10),
      code: "forbidden",
      reason: "claim_proof_bad_signature",
    },

    // Device.
    {
      name: "iss naming another robot",
      token: () => craft(HEADER, { ...PAYLOAD, iss: "0badc0de" }),
      code: "forbidden",
      reason: "claim_proof_wrong_device",
      message: "kid 14d4b680, iss 0badc0de, ruri device 14d4b680",
    },
    {
      name: "a RURI naming another robot",
      token: () => craft(HEADER, { ...PAYLOAD, ruri: "rcan://continuon.cloud/continuon/companion-v1/0badc0de" }),
      code: "forbidden",
      reason: "claim_proof_wrong_device",
      message: "ruri device 0badc0de",
    },
    {
      name: "a proof for another robot than the one looked up",
      token: valid,
      options: { expectedDeviceId: "0badc0de" },
      code: "forbidden",
      reason: "claim_proof_wrong_device",
      message: "is for robot 14d4b680, not 0badc0de",
    },

    // User.
    {
      name: "a proof for another user",
      token: valid,
      options: { expectedSub: "user-bob" },
      code: "forbidden",
      reason: "claim_proof_wrong_user",
      message: "another user",
    },

    // Time.
    {
      name: "iat 61 s in the future",
      token: () => craft(HEADER, { ...PAYLOAD, iat: NOW + 61 }),
      code: "invalid",
      reason: "claim_proof_from_future",
      message: "61 s ahead",
    },
    {
      name: "iat 6 s ahead with maxSkewS 5",
      token: () => craft(HEADER, { ...PAYLOAD, iat: NOW + 6 }),
      options: { maxSkewS: 5 },
      code: "invalid",
      reason: "claim_proof_from_future",
    },
  ];

  it.each(cases)("$name → $code/$reason", async ({ token, code, reason, message, options: extra }) => {
    const error = await caught(verifyClaimProof(token(), options(extra)));
    expect([error.code, error.reason]).toEqual([code, reason]);
    if (message) expect(error.message).toContain(message);
  });

  it("covers every reason", () => {
    expect(new Set(cases.map((c) => c.reason))).toEqual(new Set(CLAIM_PROOF_ERROR_REASONS));
  });
});

describe("readClaimProofHeader", () => {
  it("returns the kid to look the key up by", () => {
    expect(readClaimProofHeader(craft(HEADER, PAYLOAD))).toEqual({ kid: DEVICE_ID });
  });

  it("refuses a bad header before any key lookup", async () => {
    const error = await caught(() => readClaimProofHeader(craft({ ...HEADER, alg: "RS256" }, PAYLOAD)));
    expect([error.code, error.reason]).toEqual(["invalid", "claim_proof_bad_header"]);
  });
});
