import { createHash } from "node:crypto";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { describe, expect, it } from "vitest";
import { DomainError } from "@/lib/errors";
import {
  ContentDigestVerifier,
  createContentDigest,
  formatContentDigest,
  parseContentDigest,
  verifyContentDigest,
} from "./content-digest";

function caught(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error("expected a DomainError, nothing was thrown");
}

const sha256 = (data: Uint8Array | string) => new Uint8Array(createHash("sha256").update(data).digest());

describe("createContentDigest", () => {
  it.each([
    // RFC 9530 §2 / Appendix B, and the body RFC 9421 uses in its examples.
    { body: '{"hello": "world"}\n', expected: "sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:" },
    { body: '{"hello": "world"}', expected: "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:" },
    { body: "", expected: "sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:" },
  ])("digests $body", ({ body, expected }) => {
    expect(createContentDigest(body)).toBe(expected);
    expect(createContentDigest(new TextEncoder().encode(body))).toBe(expected);
    expect(formatContentDigest(sha256(body))).toBe(expected);
  });

  it("refuses a digest of the wrong length", () => {
    expect(() => formatContentDigest(new Uint8Array(31))).toThrow("32 bytes");
  });
});

describe("parseContentDigest", () => {
  it("reads sha-256 and ignores other algorithms", () => {
    const digest = sha256("x");
    const header = `sha-512=:${Buffer.alloc(64).toString("base64")}:, sha-256=:${Buffer.from(digest).toString("base64")}:`;
    expect(parseContentDigest(header)).toEqual(digest);
  });

  it.each([
    { name: "undefined", header: undefined, message: "Content-Digest header is missing" },
    { name: "null", header: null, message: "Content-Digest header is missing" },
    { name: "empty", header: "  ", message: "Content-Digest header is missing" },
    { name: "not a dictionary", header: "sha-256:abc", message: "not a structured-field dictionary" },
    {
      name: "legacy Digest syntax",
      header: "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=",
      message: "not a structured",
    },
    {
      name: "only sha-512",
      header: `sha-512=:${Buffer.alloc(64).toString("base64")}:`,
      message: "no sha-256 entry (found: sha-512)",
    },
    { name: "sha-256 as a string", header: 'sha-256="abc"', message: "byte sequence of 32 bytes" },
    { name: "sha-256 of 31 bytes", header: `sha-256=:${Buffer.alloc(31).toString("base64")}:`, message: "32 bytes" },
  ])("refuses $name with digest_missing", ({ header, message }) => {
    const error = caught(() => parseContentDigest(header));
    expect([error.code, error.reason]).toEqual(["unauthenticated", "digest_missing"]);
    expect(error.message).toContain(message);
  });
});

describe("ContentDigestVerifier", () => {
  const body = new TextEncoder().encode("a streamed body ".repeat(1000));

  it("accepts the body fed in chunks of any size", () => {
    for (const size of [1, 7, 4096, body.length]) {
      const verifier = new ContentDigestVerifier(sha256(body));
      for (let at = 0; at < body.length; at += size) verifier.update(body.subarray(at, at + size));
      expect(() => verifier.verify()).not.toThrow();
      expect(verifier.byteCount).toBe(body.length);
    }
  });

  it("refuses a different body with digest_mismatch", () => {
    const verifier = new ContentDigestVerifier(sha256(body));
    verifier.update(body.subarray(1));
    const error = caught(() => verifier.verify());
    expect([error.code, error.reason]).toEqual(["unauthenticated", "digest_mismatch"]);
  });

  it("refuses any byte when no digest was signed, but accepts an empty body", () => {
    const verifier = new ContentDigestVerifier(null);
    verifier.update(new Uint8Array(0));
    const error = caught(() => verifier.update(new Uint8Array([1])));
    expect([error.code, error.reason]).toEqual(["unauthenticated", "digest_missing"]);
    expect(() => new ContentDigestVerifier(null).verify()).not.toThrow();
  });

  it("refuses misuse", () => {
    const verifier = new ContentDigestVerifier(sha256(""));
    verifier.verify();
    expect(() => verifier.verify()).toThrow("twice");
    expect(() => verifier.update("x")).toThrow("after verify");
    expect(() => new ContentDigestVerifier(new Uint8Array(5))).toThrow("32 bytes");
  });

  it("nodeTransform passes bytes through and succeeds on a match", async () => {
    const received: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        received.push(chunk);
        callback();
      },
    });
    const verifier = new ContentDigestVerifier(sha256(body));
    await pipeline(Readable.from(chunks(body, 1000)), verifier.nodeTransform(), sink);
    expect(Buffer.concat(received)).toEqual(Buffer.from(body));
  });

  it("nodeTransform fails the pipeline at the end on a mismatch", async () => {
    const verifier = new ContentDigestVerifier(sha256("something else"));
    const sink = new Writable({ write: (_chunk, _encoding, callback) => callback() });
    const error = await pipeline(Readable.from(chunks(body, 1000)), verifier.nodeTransform(), sink).catch((e) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).reason).toBe("digest_mismatch");
  });

  it("webTransform passes bytes through and errors the stream on a mismatch", async () => {
    const good = new ContentDigestVerifier(sha256(body));
    const out = await new Response(webStream(body).pipeThrough(good.webTransform())).arrayBuffer();
    expect(new Uint8Array(out)).toEqual(body);

    const bad = new ContentDigestVerifier(sha256("something else"));
    const error = await new Response(webStream(body).pipeThrough(bad.webTransform())).arrayBuffer().catch((e) => e);
    expect((error as DomainError).reason).toBe("digest_mismatch");
  });

  it("verifyContentDigest checks a whole body against a header", () => {
    expect(() => verifyContentDigest(createContentDigest(body), body)).not.toThrow();
    expect(caught(() => verifyContentDigest(createContentDigest(body), "x")).reason).toBe("digest_mismatch");
    expect(caught(() => verifyContentDigest(undefined, body)).reason).toBe("digest_missing");
  });
});

function* chunks(data: Uint8Array, size: number): Generator<Buffer> {
  for (let at = 0; at < data.length; at += size) yield Buffer.from(data.subarray(at, at + size));
}

function webStream(data: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks(data, 1000)) controller.enqueue(new Uint8Array(chunk));
      controller.close();
    },
  });
}
