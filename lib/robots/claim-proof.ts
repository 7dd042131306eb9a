/**
 * Local claim proofs (PRODUCT.md §3.3): how a robot says, with its device key, "this user paired
 * with me in person".
 *
 * A claim proof is a compact JWS (RFC 7515) signed with the robot's Ed25519 device key:
 *
 * ```text
 * header  {"alg": "EdDSA", "typ": "rcan-claim+jwt", "kid": "<device_id>"}
 * payload {"iss": "<device_id>", "sub": "<user_uid>", "ruri": "rcan://…/<device_id>", "iat": <unix s>, "jti": "<unique id>"}
 * ```
 *
 * The robot issues it on its LAN when its owner pairs (pairing code on the robot's screen); the
 * cloud only verifies it, against the public key registered for `kid`. `kid`, `iss` and the RURI's
 * device id must name the same robot; `sub` must be the signed-in caller.
 *
 * What this module does not decide (the claim verb does, with storage): a proof with a later `iat`
 * than the current owner's transfers ownership; an older `iat`, or a `jti` already used, is refused.
 * {@link verifyClaimProof} returns `iat`, `jti` and `sub` for that.
 *
 * Errors are `DomainError(code, …, {reason})` with reasons in {@link CLAIM_PROOF_ERROR_REASONS}:
 * `invalid` when the proof is not a well-formed claim proof, `forbidden` when it is well formed but
 * proves nothing for this caller. Never `unauthenticated`: the caller is a signed-in user whose
 * session is fine, and a 401 would send the console to the sign-in page. The header is checked before the signature (it is covered by
 * it, and a wrong `alg` must never reach a verifier); embedded keys (`jwk`, `x5c`, `jku`) are never
 * used: the key always comes from the registry.
 */
import { randomUUID, type KeyObject } from "node:crypto";
import { compactVerify, decodeProtectedHeader, SignJWT, type ProtectedHeaderParameters } from "jose";
import { DomainError } from "@/lib/errors";
import { isDeviceId, parseRuri } from "./ruri";

/** The JWS `typ` of a claim proof. */
export const CLAIM_PROOF_TYPE = "rcan-claim+jwt";
/** The JWS `alg` of a claim proof (Ed25519, RFC 8037). */
export const CLAIM_PROOF_ALGORITHM = "EdDSA";
/** `iat` may be at most this many seconds ahead of the server clock. */
export const CLAIM_PROOF_MAX_SKEW_S = 60;
/** Longest accepted token and `jti`; proofs are small, this bounds the work on hostile input. */
export const CLAIM_PROOF_MAX_LENGTH = 4096;
export const CLAIM_PROOF_MAX_JTI_LENGTH = 128;

/** Stable reasons of claim-proof errors. */
export const CLAIM_PROOF_ERROR_REASONS = [
  /** Not a compact JWS, or a claim is missing or has the wrong type. (`invalid`) */
  "claim_proof_malformed",
  /** `alg` is not EdDSA, `typ` is not rcan-claim+jwt, `kid` is missing or not a device id, or `crit` is used. (`invalid`) */
  "claim_proof_bad_header",
  /** The signature does not verify with the robot's registered key. (`forbidden`) */
  "claim_proof_bad_signature",
  /** `kid`, `iss` and the RURI's device id disagree, or name another robot than expected. (`forbidden`) */
  "claim_proof_wrong_device",
  /** `sub` is not the caller. (`forbidden`) */
  "claim_proof_wrong_user",
  /** `iat` is ahead of the server clock beyond the tolerated skew. (`invalid`) */
  "claim_proof_from_future",
] as const;
export type ClaimProofErrorReason = (typeof CLAIM_PROOF_ERROR_REASONS)[number];

/** The claims of a claim proof. */
export interface ClaimProofPayload {
  /** The robot's device_id. */
  iss: string;
  /** The uid of the user who paired with the robot. */
  sub: string;
  /** The robot's RURI. */
  ruri: string;
  /** Issue time, unix seconds. */
  iat: number;
  /** A unique id of this proof (replay protection). */
  jti: string;
}

function fail(code: "invalid" | "forbidden", reason: ClaimProofErrorReason, message: string, cause?: unknown) {
  return new DomainError(code, message, { reason, cause });
}

/** Input of {@link issueClaimProof}. */
export interface IssueClaimProofInput {
  /** The robot's RURI; its device id becomes `kid` and `iss`. */
  ruri: string;
  /** The pairing user's uid (`sub`). */
  userUid: string;
  /** The robot's Ed25519 private key. */
  privateKey: KeyObject;
  /** Unix seconds; defaults to now. */
  iat?: number;
  /** Defaults to a random UUID. */
  jti?: string;
}

/**
 * Issues a claim proof as a robot would (the simulator and tests use it; robots do the same with any
 * JOSE library).
 */
export async function issueClaimProof(input: IssueClaimProofInput): Promise<string> {
  const { deviceId } = parseRuri(input.ruri);
  if (typeof input.userUid !== "string" || input.userUid === "") throw new Error("issueClaimProof: userUid is empty");
  if (input.privateKey.asymmetricKeyType !== "ed25519" || input.privateKey.type !== "private") {
    throw new Error("issueClaimProof: privateKey must be an Ed25519 private key");
  }
  const iat = input.iat ?? Math.floor(Date.now() / 1000);
  if (!Number.isSafeInteger(iat) || iat < 0) throw new Error("issueClaimProof: iat must be unix seconds");
  const payload: ClaimProofPayload = {
    iss: deviceId,
    sub: input.userUid,
    ruri: input.ruri,
    iat,
    jti: input.jti ?? randomUUID(),
  };
  return new SignJWT({ ...payload })
    .setProtectedHeader({ alg: CLAIM_PROOF_ALGORITHM, typ: CLAIM_PROOF_TYPE, kid: deviceId })
    .sign(input.privateKey);
}

/** Reads the unverified header, to find which robot's key to verify with. */
export function readClaimProofHeader(token: string): { kid: string } {
  const header = decodeHeader(token);
  checkHeader(header);
  return { kid: header.kid as string };
}

function decodeHeader(token: string): ProtectedHeaderParameters {
  if (typeof token !== "string" || token.length === 0) {
    throw fail("invalid", "claim_proof_malformed", "local_claim_proof must be a non-empty string");
  }
  if (token.length > CLAIM_PROOF_MAX_LENGTH) {
    throw fail(
      "invalid",
      "claim_proof_malformed",
      `local_claim_proof is longer than ${CLAIM_PROOF_MAX_LENGTH} characters`,
    );
  }
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)) {
    throw fail(
      "invalid",
      "claim_proof_malformed",
      "local_claim_proof must be a compact JWS: three base64url parts joined by dots",
    );
  }
  try {
    return decodeProtectedHeader(token);
  } catch (error) {
    throw fail("invalid", "claim_proof_malformed", "local_claim_proof header is not base64url JSON", error);
  }
}

function checkHeader(header: ProtectedHeaderParameters): void {
  const bad = (message: string) => fail("invalid", "claim_proof_bad_header", `local_claim_proof header: ${message}`);
  if (header.alg !== CLAIM_PROOF_ALGORITHM) {
    throw bad(`alg must be "${CLAIM_PROOF_ALGORITHM}", got ${JSON.stringify(header.alg ?? null)}`);
  }
  // RFC 7515 §4.1.9: media types compare case-insensitively and "application/" may be left out.
  const typ = typeof header.typ === "string" ? header.typ.toLowerCase().replace(/^application\//, "") : header.typ;
  if (typ !== CLAIM_PROOF_TYPE) {
    throw bad(`typ must be "${CLAIM_PROOF_TYPE}", got ${JSON.stringify(header.typ ?? null)}`);
  }
  if (typeof header.kid !== "string" || !isDeviceId(header.kid)) {
    throw bad(`kid must be the robot's device_id, got ${JSON.stringify(header.kid ?? null)}`);
  }
  if (header.crit !== undefined) throw bad("crit is not supported");
  if (header.b64 !== undefined) throw bad("b64 is not supported");
}

/** Options of {@link verifyClaimProof}. */
export interface VerifyClaimProofOptions {
  /** The public key registered for the robot named by the proof's `kid`. */
  publicKey: KeyObject;
  /** The caller's uid: `sub` must equal it. */
  expectedSub?: string;
  /** The device_id the key was looked up for: `kid`/`iss` must equal it. */
  expectedDeviceId?: string;
  /** Current time, unix seconds. */
  now: number;
  /** Default {@link CLAIM_PROOF_MAX_SKEW_S}. */
  maxSkewS?: number;
}

/** A verified claim proof: what the claim verb needs to decide ownership. */
export interface VerifiedClaimProof {
  deviceId: string;
  /** The user the robot vouches for. */
  sub: string;
  ruri: string;
  /** The 4-segment identity form of `ruri`. */
  ruriIdentity: string;
  iat: number;
  jti: string;
}

/**
 * Verifies a claim proof against the robot's registered key.
 *
 * @throws DomainError with a {@link ClaimProofErrorReason}: `invalid` for malformed, bad header and
 * from-future; `forbidden` for bad signature, wrong device and wrong user.
 */
export async function verifyClaimProof(token: string, options: VerifyClaimProofOptions): Promise<VerifiedClaimProof> {
  const header = decodeHeader(token);
  checkHeader(header);
  const kid = header.kid as string;

  let payloadBytes: Uint8Array;
  try {
    ({ payload: payloadBytes } = await compactVerify(token, options.publicKey, {
      algorithms: [CLAIM_PROOF_ALGORITHM],
    }));
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "ERR_JWS_SIGNATURE_VERIFICATION_FAILED") {
      throw fail(
        "forbidden",
        "claim_proof_bad_signature",
        `local_claim_proof signature does not verify with the key registered for ${kid}`,
        error,
      );
    }
    if (code === "ERR_JWS_INVALID" || code === "ERR_JOSE_NOT_SUPPORTED") {
      throw fail("invalid", "claim_proof_malformed", "local_claim_proof is not a valid compact JWS", error);
    }
    throw error;
  }

  const payload = parsePayload(payloadBytes);

  let deviceFromRuri: string;
  let ruriIdentity: string;
  try {
    const address = parseRuri(payload.ruri);
    deviceFromRuri = address.deviceId;
    ruriIdentity = address.identity;
  } catch (error) {
    throw fail(
      "invalid",
      "claim_proof_malformed",
      `local_claim_proof ruri is not a RURI: ${(error as Error).message}`,
      error,
    );
  }
  if (payload.iss !== kid || deviceFromRuri !== kid) {
    throw fail(
      "forbidden",
      "claim_proof_wrong_device",
      `local_claim_proof names different robots: kid ${kid}, iss ${payload.iss}, ruri device ${deviceFromRuri}`,
    );
  }
  if (options.expectedDeviceId !== undefined && kid !== options.expectedDeviceId) {
    throw fail(
      "forbidden",
      "claim_proof_wrong_device",
      `local_claim_proof is for robot ${kid}, not ${options.expectedDeviceId}`,
    );
  }
  if (options.expectedSub !== undefined && payload.sub !== options.expectedSub) {
    throw fail("forbidden", "claim_proof_wrong_user", "local_claim_proof was issued to another user (sub)");
  }
  const maxSkewS = options.maxSkewS ?? CLAIM_PROOF_MAX_SKEW_S;
  if (payload.iat > options.now + maxSkewS) {
    throw fail(
      "invalid",
      "claim_proof_from_future",
      `local_claim_proof iat ${payload.iat} is ${payload.iat - options.now} s ahead of the server clock (tolerance ${maxSkewS} s)`,
    );
  }

  return { deviceId: kid, sub: payload.sub, ruri: payload.ruri, ruriIdentity, iat: payload.iat, jti: payload.jti };
}

function parsePayload(bytes: Uint8Array): ClaimProofPayload {
  const malformed = (message: string) =>
    fail("invalid", "claim_proof_malformed", `local_claim_proof payload: ${message}`);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw malformed("is not UTF-8 JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw malformed("is not a JSON object");
  const claims = value as Record<string, unknown>;
  for (const name of ["iss", "sub", "ruri", "jti"] as const) {
    const claim = claims[name];
    if (claim === undefined) throw malformed(`${name} is missing`);
    if (typeof claim !== "string" || claim === "") throw malformed(`${name} must be a non-empty string`);
  }
  if (claims.iat === undefined) throw malformed("iat is missing");
  if (typeof claims.iat !== "number" || !Number.isSafeInteger(claims.iat) || claims.iat < 0) {
    throw malformed("iat must be an integer (unix seconds)");
  }
  if ((claims.jti as string).length > CLAIM_PROOF_MAX_JTI_LENGTH) {
    throw malformed(`jti must be at most ${CLAIM_PROOF_MAX_JTI_LENGTH} characters`);
  }
  return {
    iss: claims.iss as string,
    sub: claims.sub as string,
    ruri: claims.ruri as string,
    iat: claims.iat,
    jti: claims.jti as string,
  };
}
