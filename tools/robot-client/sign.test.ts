import { generateKeyPairSync } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import example from "@/lib/crypto/__fixtures__/heartbeat-signature-example.json";
import { importPrivateKeyPem } from "@/lib/crypto/ed25519-keys";
import { parseSignatureHeaders, signRequest, verifyRequestSignature } from "@/lib/crypto/http-signatures";
import { issueClaimProof, verifyClaimProof } from "@/lib/robots/claim-proof";
import { contentDigestOf, signClaimProof, signRobotRequest } from "./sign";

const encoder = new TextEncoder();

describe("signRobotRequest", () => {
  it("reproduces the worked example byte for byte", () => {
    const { headers, signatureBase } = signRobotRequest({
      method: example.request.method,
      url: example.request.url,
      body: encoder.encode(example.request.body),
      keyId: example.signing.keyid,
      privateKey: importPrivateKeyPem(example.robot.private_key_pem),
      created: example.signing.created,
      expiresInS: example.signing.expires - example.signing.created,
      nonce: example.signing.nonce,
    });
    expect(signatureBase).toBe(example.expected.signature_base_lines.join("\n"));
    expect(headers).toEqual({
      "Content-Digest": example.expected.content_digest,
      "Signature-Input": example.expected.signature_input,
      Signature: example.expected.signature,
    });
  });

  it("agrees with the server's signer and verifier on any request (property test)", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    const pathSegment = fc.stringMatching(/^[A-Za-z0-9._~-]{1,12}$/);
    const arbitraryRequest = fc.record({
      method: fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "post"),
      origin: fc.constantFrom(
        "https://continuon.cloud",
        "http://127.0.0.1:3100",
        "https://EXAMPLE.org:8443",
        "http://[::1]:8080",
        "http://localhost:80",
      ),
      path: fc.array(pathSegment, { maxLength: 4 }).map((segments) => `/${segments.join("/")}`),
      query: fc.option(fc.stringMatching(/^[A-Za-z0-9=&%_.-]{1,20}$/), { nil: undefined }),
      body: fc.option(fc.uint8Array({ maxLength: 200 }), { nil: undefined }),
      keyId: fc.oneof(fc.stringMatching(/^[0-9a-f]{8}$/), fc.stringMatching(/^[ -~]{1,20}$/)),
      nonce: fc.stringMatching(/^[ -~]{8,40}$/),
      created: fc.integer({ min: 0, max: 4_000_000_000 }),
      expiresInS: fc.integer({ min: 1, max: 3600 }),
    });
    await fc.assert(
      fc.asyncProperty(arbitraryRequest, async (r) => {
        const url = `${r.origin}${r.path}${r.query === undefined ? "" : `?${r.query}`}`;
        const common = {
          url,
          body: r.body,
          keyId: r.keyId,
          privateKey,
          created: r.created,
          expiresInS: r.expiresInS,
          nonce: r.nonce,
        };
        const client = signRobotRequest({ ...common, method: r.method });
        const server = signRequest({ ...common, method: r.method.toUpperCase() });
        expect(client.headers).toEqual(server);
        const request = { method: r.method.toUpperCase(), url, headers: client.headers };
        expect(parseSignatureHeaders(request).signatureBase).toBe(client.signatureBase);
        const verified = await verifyRequestSignature({
          ...request,
          body: r.body,
          now: r.created,
          publicKeyFor: async (keyId) => (keyId === r.keyId ? publicKey : null),
        });
        expect(verified.keyId).toBe(r.keyId);
        expect(verified.nonce).toBe(r.nonce);
      }),
      { numRuns: 150, seed: 20251216 },
    );
  });

  it("signs a precomputed Content-Digest when the body is streamed", () => {
    const { privateKey } = generateKeyPairSync("ed25519");
    const digest = contentDigestOf(encoder.encode("big file"));
    const { headers, signatureBase } = signRobotRequest({
      method: "PUT",
      url: "https://continuon.cloud/upload",
      contentDigest: digest,
      keyId: "14d4b680",
      privateKey,
      created: 1,
      nonce: "nonce-0123456789",
    });
    expect(headers["Content-Digest"]).toBe(digest);
    expect(signatureBase).toContain(`"content-digest": ${digest}`);
  });

  it("refuses a nonce outside 8–128 characters and a non-ASCII keyId", () => {
    const { privateKey } = generateKeyPairSync("ed25519");
    const base = { method: "GET", url: "https://continuon.cloud/", keyId: "14d4b680", privateKey, created: 1 };
    expect(() => signRobotRequest({ ...base, nonce: "short" })).toThrow("nonce");
    expect(() => signRobotRequest({ ...base, nonce: "n".repeat(129) })).toThrow("nonce");
    expect(() => signRobotRequest({ ...base, keyId: "rob\u00f6t" })).toThrow("printable ASCII");
  });

  it("contentDigestOf matches RFC 9530", () => {
    expect(contentDigestOf(encoder.encode('{"hello": "world"}'))).toBe(
      "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:",
    );
  });
});

describe("signClaimProof", () => {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const ruri = "rcan://continuon.cloud/continuon/companion-v1/14d4b680";

  it("is accepted by the server's verifier", async () => {
    const token = signClaimProof({
      deviceId: "14d4b680",
      ruri,
      userUid: "user-alice",
      privateKey,
      iat: 1000,
      jti: "j-1",
    });
    await expect(verifyClaimProof(token, { publicKey, expectedSub: "user-alice", now: 1000 })).resolves.toEqual({
      deviceId: "14d4b680",
      sub: "user-alice",
      ruri,
      ruriIdentity: ruri,
      iat: 1000,
      jti: "j-1",
    });
  });

  it("gives the same token as the server's issueClaimProof (same JSON, deterministic Ed25519)", async () => {
    const input = { ruri, userUid: "user-alice", privateKey, iat: 1000, jti: "j-1" };
    expect(signClaimProof({ ...input, deviceId: "14d4b680" })).toBe(await issueClaimProof(input));
  });

  it("generates a fresh jti by default", () => {
    const input = { deviceId: "14d4b680", ruri, userUid: "user-alice", privateKey, iat: 1000 };
    expect(signClaimProof(input)).not.toBe(signClaimProof(input));
  });
});
