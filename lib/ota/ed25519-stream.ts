import { createHash, createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { ed25519 } from "@noble/curves/ed25519.js";

/**
 * Ed25519 (RFC 8032, "pure" Ed25519 — not Ed25519ph) over a byte stream, without holding the
 * message in memory.
 *
 * Why hand-written: robots in the field verify a plain Ed25519 signature over the whole bundle
 * file, so the platform must produce exactly that signature. Node's crypto and the usual libraries
 * take the message as one buffer, and a bundle can be larger than memory allows. Pure Ed25519 only
 * ever feeds the message into SHA-512 (twice when signing, once when verifying), so it streams;
 * the curve arithmetic comes from @noble/curves. The output is byte-identical to
 * `crypto.sign(null, message, key)` (Ed25519 is deterministic), which the tests check.
 */

/** Something that can be read from the start, as often as needed (a blob, a file). */
export type OpenByteStream = () => Promise<AsyncIterable<Uint8Array>> | AsyncIterable<Uint8Array>;

const Point = ed25519.Point;
const ORDER = Point.Fn.ORDER;

function bytesToNumberLE(bytes: Uint8Array): bigint {
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i] as number);
  return value;
}

function numberToBytesLE(value: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let rest = value;
  for (let i = 0; i < length; i++) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return out;
}

const mod = (value: bigint) => ((value % ORDER) + ORDER) % ORDER;

/** SHA-512 of `prefix` followed by every chunk of the stream, as a scalar mod L. */
async function hashToScalar(prefix: Uint8Array[], open: OpenByteStream): Promise<{ scalar: bigint; bytes: number }> {
  const hash = createHash("sha512");
  for (const part of prefix) hash.update(part);
  let bytes = 0;
  for await (const chunk of await open()) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { scalar: mod(bytesToNumberLE(hash.digest())), bytes };
}

/** The 32-byte seed and public key of an Ed25519 private key (PKCS#8 PEM or KeyObject). */
function keyParts(privateKey: string | KeyObject): { seed: Uint8Array; publicKey: Uint8Array } {
  const key = typeof privateKey === "string" ? createPrivateKey(privateKey) : privateKey;
  if (key.asymmetricKeyType !== "ed25519") throw new Error("The OTA signing key must be an Ed25519 key.");
  const jwk = key.export({ format: "jwk" });
  if (!jwk.d || !jwk.x) throw new Error("Ed25519 key export is missing its seed or public part.");
  return { seed: Buffer.from(jwk.d, "base64url"), publicKey: Buffer.from(jwk.x, "base64url") };
}

/**
 * Sign a stream with Ed25519: reads it twice (`open` is called twice and must yield the same
 * bytes both times; the caller verifies afterwards to catch a change in between).
 */
export async function signEd25519Stream(
  privateKey: string | KeyObject,
  open: OpenByteStream,
): Promise<{ signature: Uint8Array; bytes: number }> {
  const { seed, publicKey } = keyParts(privateKey);
  const expanded = createHash("sha512").update(seed).digest();
  const head = new Uint8Array(expanded.subarray(0, 32));
  // Clamp as RFC 8032 §5.1.5 says.
  head[0] = (head[0] as number) & 248;
  head[31] = ((head[31] as number) & 127) | 64;
  const secretScalar = mod(bytesToNumberLE(head));
  const prefix = expanded.subarray(32, 64);
  const first = await hashToScalar([prefix], open);
  const r = first.scalar;
  // multiply() is constant-time and refuses 0; r = 0 has probability 2^-252.
  const encodedR = (r === 0n ? Point.ZERO : Point.BASE.multiply(r)).toBytes();
  const second = await hashToScalar([encodedR, publicKey], open);
  if (second.bytes !== first.bytes) throw new Error("The stream changed between the two signing passes.");
  const s = mod(r + second.scalar * secretScalar);
  const signature = new Uint8Array(64);
  signature.set(encodedR, 0);
  signature.set(numberToBytesLE(s, 32), 32);
  return { signature, bytes: first.bytes };
}

/**
 * Verify an Ed25519 signature over a stream with a raw 32-byte public key: checks the encoding
 * `[S]B − [k]A == R` as OpenSSL does (cofactorless), and refuses `S ≥ L`.
 */
export async function verifyEd25519Stream(
  publicKey: Uint8Array,
  signature: Uint8Array,
  open: OpenByteStream,
): Promise<boolean> {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  let pointA: InstanceType<typeof Point>;
  try {
    pointA = Point.fromBytes(publicKey);
  } catch {
    return false;
  }
  const encodedR = signature.subarray(0, 32);
  const s = bytesToNumberLE(signature.subarray(32, 64));
  if (s >= ORDER) return false;
  const { scalar: k } = await hashToScalar([encodedR, publicKey], open);
  const candidate = Point.BASE.multiplyUnsafe(s).subtract(pointA.multiplyUnsafe(k));
  const encoded = candidate.toBytes();
  if (encoded.length !== 32) return false;
  let difference = 0;
  for (let i = 0; i < 32; i++) difference |= (encoded[i] as number) ^ (encodedR[i] as number);
  return difference === 0;
}

/** The raw 32-byte public key of an Ed25519 private key. */
export function rawPublicKeyOf(privateKey: string | KeyObject): Uint8Array {
  return keyParts(privateKey).publicKey;
}

/** A node KeyObject for a raw 32-byte Ed25519 public key. */
export function publicKeyFromRaw(raw: Uint8Array): KeyObject {
  return createPublicKey({
    key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(raw).toString("base64url") },
    format: "jwk",
  });
}
