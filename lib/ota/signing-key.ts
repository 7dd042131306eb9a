import type { Secrets } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { rawPublicKeyOf } from "./ed25519-stream";

/**
 * Parsing a PEM is the costliest step of a robot's update check; the public half of a private
 * key never changes, so it is derived once per key (keyed by the PEM itself: no invalidation).
 */
const publicFromPrivate = new Map<string, Uint8Array>();
function publicOf(privateKeyPem: string): Uint8Array {
  let raw = publicFromPrivate.get(privateKeyPem);
  if (!raw) {
    raw = rawPublicKeyOf(privateKeyPem);
    if (publicFromPrivate.size > 16) publicFromPrivate.clear();
    publicFromPrivate.set(privateKeyPem, raw);
  }
  return raw;
}

/** An OTA public key as robots and robot makers take it. */
export interface OtaPublicKey {
  key_id: string;
  /** The raw 32-byte Ed25519 public key, standard base64 (what the field runtime loads). */
  public_key: string;
  /** The same key as a JWK (RFC 8037). */
  jwk: { kty: "OKP"; crv: "Ed25519"; x: string; kid: string; use: "sig"; alg: "EdDSA"; key_ops: ["verify"] };
  /** `current` signs new bundles; `previous` keys only verify bundles signed before a rotation. */
  status: "current" | "previous";
}

function describeKey(keyId: string, raw: Uint8Array, status: OtaPublicKey["status"]): OtaPublicKey {
  return {
    key_id: keyId,
    public_key: Buffer.from(raw).toString("base64"),
    jwk: {
      kty: "OKP",
      crv: "Ed25519",
      x: Buffer.from(raw).toString("base64url"),
      kid: keyId,
      use: "sig",
      alg: "EdDSA",
      key_ops: ["verify"],
    },
    status,
  };
}

/** Decode a stored raw key (standard or url-safe base64) and insist on 32 bytes. */
function rawFromBase64(keyId: string, value: string): Uint8Array {
  const bytes = Buffer.from(value.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  if (bytes.length !== 32) {
    throw new DomainError("internal", `OTA public key ${keyId} is not 32 bytes of base64.`, {
      reason: "ota_key_invalid",
    });
  }
  return bytes;
}

/** The key that signs new bundles. */
export function currentOtaKey(secrets: Secrets): OtaPublicKey & { privateKeyPem: string } {
  const { privateKeyPem, keyId } = secrets.otaSigningKey;
  return { ...describeKey(keyId, publicOf(privateKeyPem), "current"), privateKeyPem };
}

/** Every key a bundle may have been signed with: the current one first, then those kept after rotations. */
export function listOtaPublicKeys(secrets: Secrets): OtaPublicKey[] {
  const current = currentOtaKey(secrets);
  const keys: OtaPublicKey[] = [describeKey(current.key_id, publicOf(current.privateKeyPem), "current")];
  for (const [keyId, value] of Object.entries(secrets.otaPreviousPublicKeys)) {
    if (keyId === current.key_id) continue;
    keys.push(describeKey(keyId, rawFromBase64(keyId, value), "previous"));
  }
  return keys;
}

/** The raw public key for a key id, or null when the deployment no longer knows it. */
export function otaPublicKeyById(secrets: Secrets, keyId: string): Uint8Array | null {
  if (keyId === secrets.otaSigningKey.keyId) return publicOf(secrets.otaSigningKey.privateKeyPem);
  const previous = secrets.otaPreviousPublicKeys[keyId];
  return previous ? rawFromBase64(keyId, previous) : null;
}
