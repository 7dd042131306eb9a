/**
 * RFC 9530 `Content-Digest` with sha-256.
 *
 * A robot request with a body carries `Content-Digest: sha-256=:<base64 of SHA-256(body)>:` (a
 * structured-field dictionary, RFC 8941), and its HTTP message signature covers that header, so the
 * signature binds the body without the signer or verifier holding the whole body in memory:
 *
 * 1. the server verifies the signature from the headers alone (cheap, before reading the body);
 * 2. it streams the body through a {@link ContentDigestVerifier} on its way to storage;
 * 3. at the end the verifier compares digests and fails with `digest_mismatch`, and the caller
 *    discards what it stored.
 *
 * Only sha-256 is used: RFC 9530 lets a sender list several algorithms, and a verifier picks the one
 * it supports; we ignore other entries and require sha-256.
 *
 * Errors are `DomainError("unauthenticated", …, {reason})` with `digest_missing` (no usable sha-256
 * entry, or a body arrived where none was signed) or `digest_mismatch` (the body differs).
 */
import { createHash, timingSafeEqual, type Hash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import { parseDictionary, serializeDictionary } from "structured-headers";
import { DomainError } from "@/lib/errors";

/** SHA-256 output length. */
const SHA256_BYTES = 32;

/** The `Content-Digest` value for `body`: `sha-256=:<base64>:`. */
export function createContentDigest(body: Uint8Array | string): string {
  const digest = createHash("sha256").update(body).digest();
  return formatContentDigest(digest);
}

/** Formats raw sha-256 bytes as a `Content-Digest` value. */
export function formatContentDigest(sha256: Uint8Array): string {
  if (sha256.length !== SHA256_BYTES) throw new Error(`sha-256 digest must be ${SHA256_BYTES} bytes`);
  return serializeDictionary({ "sha-256": new Uint8Array(sha256) });
}

function digestMissing(message: string): DomainError {
  return new DomainError("unauthenticated", message, { reason: "digest_missing" });
}

function digestMismatch(): DomainError {
  return new DomainError("unauthenticated", "Content-Digest sha-256 does not match the request body", {
    reason: "digest_mismatch",
  });
}

/**
 * Reads the sha-256 bytes out of a `Content-Digest` header value.
 *
 * @throws DomainError `unauthenticated` / `digest_missing` when the header is absent, is not a
 * structured dictionary, or has no 32-byte `sha-256` byte sequence.
 */
export function parseContentDigest(header: string | null | undefined): Uint8Array {
  if (header === null || header === undefined || header.trim() === "") {
    throw digestMissing("Content-Digest header is missing");
  }
  let entries: ReturnType<typeof parseDictionary>;
  try {
    entries = parseDictionary(header);
  } catch {
    throw digestMissing("Content-Digest header is not a structured-field dictionary (expected sha-256=:<base64>:)");
  }
  const entry = entries.get("sha-256");
  if (entry === undefined) {
    const found = [...entries.keys()].join(", ") || "nothing";
    throw digestMissing(`Content-Digest header has no sha-256 entry (found: ${found})`);
  }
  const value = entry[0];
  if (!(value instanceof ArrayBuffer) || value.byteLength !== SHA256_BYTES) {
    throw digestMissing(`Content-Digest sha-256 must be a byte sequence of ${SHA256_BYTES} bytes (:<base64>:)`);
  }
  return new Uint8Array(value);
}

/**
 * Checks a body against the sha-256 of a signed `Content-Digest`, chunk by chunk.
 *
 * `expected` is `null` when the signature covered no `Content-Digest`: then any body byte is refused
 * with `digest_missing` (an unsigned body must never be stored as if it were signed).
 *
 * Use {@link ContentDigestVerifier.update} and {@link ContentDigestVerifier.verify}, or
 * {@link ContentDigestVerifier.nodeTransform} / {@link ContentDigestVerifier.webTransform} to check a
 * stream in passing (the stream errors at its end when the digest does not match).
 */
export class ContentDigestVerifier {
  private readonly hash: Hash = createHash("sha256");
  private bytes = 0;
  private done = false;

  constructor(private readonly expected: Uint8Array | null) {
    if (expected !== null && expected.length !== SHA256_BYTES) {
      throw new Error(`expected sha-256 digest must be ${SHA256_BYTES} bytes`);
    }
  }

  /** Bytes seen so far. */
  get byteCount(): number {
    return this.bytes;
  }

  /** Feeds a chunk. Throws `digest_missing` at once when no digest was signed and bytes arrive. */
  update(chunk: Uint8Array | string): void {
    if (this.done) throw new Error("ContentDigestVerifier: update after verify");
    const length = typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.length;
    if (length === 0) return;
    if (this.expected === null) {
      throw digestMissing("the request has a body but its signature covers no Content-Digest");
    }
    this.bytes += length;
    this.hash.update(chunk);
  }

  /** Ends the check. Throws `digest_mismatch` when the body's sha-256 differs from the signed one. */
  verify(): void {
    if (this.done) throw new Error("ContentDigestVerifier: verify called twice");
    this.done = true;
    if (this.expected === null) return; // no body bytes arrived (update would have thrown)
    const actual = this.hash.digest();
    if (!timingSafeEqual(actual, this.expected)) throw digestMismatch();
  }

  /** A Node Transform passing bytes through unchanged and failing at the end on a mismatch. */
  nodeTransform(): Transform {
    return new Transform({
      transform: (chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) => {
        try {
          this.update(chunk);
          callback(null, chunk);
        } catch (error) {
          callback(error as Error);
        }
      },
      flush: (callback: TransformCallback) => {
        try {
          this.verify();
          callback();
        } catch (error) {
          callback(error as Error);
        }
      },
    });
  }

  /** A web TransformStream passing bytes through unchanged and erroring at the end on a mismatch. */
  webTransform(): TransformStream<Uint8Array, Uint8Array> {
    return new TransformStream<Uint8Array, Uint8Array>({
      transform: (chunk, controller) => {
        this.update(chunk);
        controller.enqueue(chunk);
      },
      flush: () => {
        this.verify();
      },
    });
  }
}

/** Checks a whole in-memory body against a `Content-Digest` header value. */
export function verifyContentDigest(header: string | null | undefined, body: Uint8Array | string): void {
  const verifier = new ContentDigestVerifier(parseContentDigest(header));
  verifier.update(body);
  verifier.verify();
}
