/**
 * Ed25519 device keys: generation, import/export and fingerprints.
 *
 * Every robot holds one Ed25519 key pair. The public key travels as **base64url (no padding) of the
 * raw 32-byte key** (RFC 8032 encoding, the `x` of an OKP JWK), e.g. in `POST /api/rcan/register`
 * `{public_key}`. The private key stays on the robot as PKCS#8 PEM (`device_key.pem`).
 *
 * Keys are Node `crypto` KeyObjects. Raw bytes are converted through JWK (`{kty: "OKP", crv:
 * "Ed25519", x}`) because that is the one import path Node offers for raw Ed25519 keys.
 *
 * Fingerprint ({@link keyFingerprint}): SHA-256 over the raw 32-byte public key, first 16 bytes,
 * lowercase hex, colon separated (`3f:a2:…:9c`, 47 characters). It is for people comparing keys on
 * a console page and a robot's screen; code compares the full raw key.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { DomainError } from "@/lib/errors";

/** Length of a raw Ed25519 public key. */
export const ED25519_PUBLIC_KEY_BYTES = 32;

const BASE64URL_RE = /^[A-Za-z0-9_-]*$/;

/** An Ed25519 key pair as Node KeyObjects. */
export interface Ed25519KeyPair {
  publicKey: KeyObject;
  privateKey: KeyObject;
}

/** Generates a fresh Ed25519 key pair. */
export function generateEd25519KeyPair(): Ed25519KeyPair {
  return generateKeyPairSync("ed25519");
}

function assertEd25519(key: KeyObject, expectedType: "public" | "private", what: string): void {
  if (key.asymmetricKeyType !== "ed25519" || key.type !== expectedType) {
    throw new DomainError("invalid", `${what} must be an Ed25519 ${expectedType} key`, { reason: "invalid_key" });
  }
}

/**
 * Imports a public key from base64url of its raw 32 bytes (padding tolerated).
 *
 * @throws DomainError `invalid` / `invalid_public_key` saying what is wrong with `public_key`.
 */
export function importPublicKeyRaw(base64url: string): KeyObject {
  const bad = (problem: string) =>
    new DomainError("invalid", `public_key ${problem}`, { reason: "invalid_public_key" });
  if (typeof base64url !== "string") throw bad("must be a string");
  const text = base64url.replace(/=+$/, "");
  if (!BASE64URL_RE.test(text)) throw bad("must be base64url (A-Z a-z 0-9 - _) of the raw 32-byte Ed25519 key");
  const raw = Buffer.from(text, "base64url");
  if (raw.length !== ED25519_PUBLIC_KEY_BYTES) {
    throw bad(`must encode ${ED25519_PUBLIC_KEY_BYTES} bytes, got ${raw.length}`);
  }
  try {
    return createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: raw.toString("base64url") }, format: "jwk" });
  } catch (error) {
    throw new DomainError("invalid", "public_key is not a valid Ed25519 public key", {
      reason: "invalid_public_key",
      cause: error,
    });
  }
}

/** The raw 32 bytes of an Ed25519 public key (a private key yields its public half). */
export function exportPublicKeyBytes(key: KeyObject): Uint8Array {
  const publicKey = key.type === "private" ? createPublicKey(key) : key;
  assertEd25519(publicKey, "public", "key");
  const { x } = publicKey.export({ format: "jwk" });
  if (!x) throw new Error("Ed25519 JWK export has no x");
  return new Uint8Array(Buffer.from(x, "base64url"));
}

/** base64url (no padding) of the raw 32-byte public key: the wire form of `public_key`. */
export function exportPublicKeyRaw(key: KeyObject): string {
  return Buffer.from(exportPublicKeyBytes(key)).toString("base64url");
}

/** PKCS#8 PEM of a private key (what a robot keeps in `device_key.pem`). */
export function exportPrivateKeyPem(key: KeyObject): string {
  assertEd25519(key, "private", "key");
  return key.export({ format: "pem", type: "pkcs8" }).toString();
}

/**
 * Imports an Ed25519 private key from PKCS#8 PEM.
 *
 * @throws DomainError `invalid` / `invalid_private_key`.
 */
export function importPrivateKeyPem(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: "pem" });
  } catch (error) {
    throw new DomainError("invalid", "private key is not a PEM private key", {
      reason: "invalid_private_key",
      cause: error,
    });
  }
  if (key.asymmetricKeyType !== "ed25519") {
    throw new DomainError("invalid", `private key must be Ed25519, got ${key.asymmetricKeyType ?? "unknown"}`, {
      reason: "invalid_private_key",
    });
  }
  return key;
}

/**
 * The human-facing fingerprint of a public key: SHA-256 of the raw 32 bytes, first 16 bytes as
 * lowercase hex pairs joined by `:`. Accepts the raw bytes, their base64url form or a KeyObject.
 */
export function keyFingerprint(publicKey: Uint8Array | string | KeyObject): string {
  let raw: Uint8Array;
  if (typeof publicKey === "string") raw = exportPublicKeyBytes(importPublicKeyRaw(publicKey));
  else if (publicKey instanceof Uint8Array) raw = publicKey;
  else raw = exportPublicKeyBytes(publicKey);
  if (raw.length !== ED25519_PUBLIC_KEY_BYTES) {
    throw new DomainError("invalid", `public key must be ${ED25519_PUBLIC_KEY_BYTES} bytes, got ${raw.length}`, {
      reason: "invalid_public_key",
    });
  }
  const digest = createHash("sha256").update(raw).digest();
  return Array.from(digest.subarray(0, 16), (byte) => byte.toString(16).padStart(2, "0")).join(":");
}
