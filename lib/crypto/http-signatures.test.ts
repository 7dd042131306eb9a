import {
  createPrivateKey,
  generateKeyPairSync,
  sign as ed25519Sign,
  verify as ed25519Verify,
  type KeyObject,
} from "node:crypto";
import { httpbis } from "http-message-signatures";
import { serializeDictionary, type InnerList, type Item, type Parameters } from "structured-headers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DomainError } from "@/lib/errors";
import example from "./__fixtures__/heartbeat-signature-example.json";
import { createContentDigest } from "./content-digest";
import {
  exportPublicKeyRaw,
  generateEd25519KeyPair,
  importPrivateKeyPem,
  importPublicKeyRaw,
  keyFingerprint,
} from "./ed25519-keys";
import {
  buildSignatureBase,
  DEFAULT_MAX_AGE_S,
  DEFAULT_MAX_SKEW_S,
  nonceReplayedError,
  normalizeHeaders,
  parseSignatureHeaders,
  requiredComponents,
  SIGNATURE_ERROR_REASONS,
  signRequest,
  verifyRequestSignature,
  type SignableRequest,
  type VerifyRequestSignatureInput,
} from "./http-signatures";

async function caught(promise: Promise<unknown> | (() => unknown)): Promise<DomainError> {
  try {
    await (typeof promise === "function" ? promise() : promise);
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error("expected a DomainError, nothing was thrown");
}

const encoder = new TextEncoder();

describe("worked example (lib/crypto/__fixtures__/heartbeat-signature-example.json)", () => {
  const privateKey = importPrivateKeyPem(example.robot.private_key_pem);
  const publicKey = importPublicKeyRaw(example.robot.public_key);
  const body = encoder.encode(example.request.body);
  const expectedBase = example.expected.signature_base_lines.join("\n");
  const signed = signRequest({
    method: example.request.method,
    url: example.request.url,
    headers: example.request.headers,
    body,
    keyId: example.signing.keyid,
    privateKey,
    created: example.signing.created,
    expiresInS: example.signing.expires - example.signing.created,
    nonce: example.signing.nonce,
  });
  const sentHeaders = { ...example.request.headers, ...signed };
  const request = { method: example.request.method, url: example.request.url, headers: sentHeaders };

  it("signRequest produces the exact headers", () => {
    expect(signed).toEqual({
      "Signature-Input": example.expected.signature_input,
      Signature: example.expected.signature,
      "Content-Digest": example.expected.content_digest,
    });
  });

  it("the signature base is byte for byte the documented one", () => {
    const parsed = parseSignatureHeaders(request);
    expect(parsed.signatureBase).toBe(expectedBase);
    expect(Buffer.from(parsed.signatureBase, "utf8")).toEqual(Buffer.from(expectedBase, "utf8"));
    expect(Buffer.byteLength(parsed.signatureBase)).toBe(example.expected.signature_base_length);
    expect(expectedBase.endsWith("\n")).toBe(false);
    expect(parsed.label).toBe(example.signing.label);
    expect(parsed.components).toEqual(example.signing.components);
    expect(parsed.params).toEqual({
      created: example.signing.created,
      expires: example.signing.expires,
      nonce: example.signing.nonce,
      keyid: example.signing.keyid,
      alg: example.signing.alg,
    });
  });

  it("the documented signature verifies over the documented base with plain node:crypto", () => {
    const signatureBytes = Buffer.from(example.expected.signature.slice("sig1=:".length, -1), "base64");
    expect(signatureBytes.length).toBe(64);
    expect(ed25519Verify(null, Buffer.from(expectedBase, "utf8"), publicKey, signatureBytes)).toBe(true);
    expect(ed25519Sign(null, Buffer.from(expectedBase, "utf8"), privateKey)).toEqual(signatureBytes);
  });

  it("the documented Content-Digest is sha-256 of the body", () => {
    expect(createContentDigest(body)).toBe(example.expected.content_digest);
    expect(createContentDigest(example.request.body)).toBe(example.expected.content_digest);
  });

  it("the documented key pair and fingerprint belong together", () => {
    expect(exportPublicKeyRaw(privateKey)).toBe(example.robot.public_key);
    expect(keyFingerprint(example.robot.public_key)).toBe(example.robot.public_key_fingerprint);
  });

  it("the documented HTTP request carries the same headers and body", () => {
    const lines = example.expected.http_request;
    expect(lines).toContain(`Content-Digest: ${example.expected.content_digest}`);
    expect(lines).toContain(`Signature-Input: ${example.expected.signature_input}`);
    expect(lines).toContain(`Signature: ${example.expected.signature}`);
    expect(lines).toContain(`Content-Length: ${body.length}`);
    expect(lines.at(-1)).toBe(example.request.body);
  });

  it("verifies within the documented window and not one second outside it", async () => {
    const verify = (now: number) =>
      verifyRequestSignature({
        ...request,
        body,
        now,
        publicKeyFor: async (keyId) => (keyId === example.robot.device_id ? publicKey : null),
      });
    const { accepted_from: from, accepted_until: until } = example.verification;
    for (const now of [from, example.signing.created, until]) {
      await expect(verify(now)).resolves.toEqual({
        keyId: example.robot.device_id,
        nonce: example.signing.nonce,
        created: example.signing.created,
        expires: example.signing.expires,
        components: example.signing.components,
        contentDigest: new Uint8Array(Buffer.from("PtFk3Y2iTqQ+MJLyJRf5na4e3PtMIEoIX5mv8b7LNL8=", "base64")),
        replayWindowEndsAt: until,
      });
    }
    expect((await caught(verify(from - 1))).reason).toBe("signature_from_future");
    expect((await caught(verify(until + 1))).reason).toBe("signature_expired");
  });

  it("the http-message-signatures library's own verifier accepts the documented request", async () => {
    vi.useFakeTimers({ now: example.signing.created * 1000 });
    const verified = await httpbis.verifyMessage(
      {
        keyLookup: async ({ keyid }) =>
          keyid === example.robot.device_id
            ? {
                id: keyid,
                algs: ["ed25519"],
                verify: async (data, signature) => ed25519Verify(null, data, publicKey, signature),
              }
            : null,
      },
      { method: "POST", url: example.request.url, headers: sentHeaders },
    );
    expect(verified).toBe(true);
  });

  afterEach(() => {
    vi.useRealTimers();
  });
});

describe("RFC test vectors", () => {
  // RFC 9421 Appendix B.1.4 (test-key-ed25519) and B.2.6 (signing a request using ed25519).
  const rfcPrivateKey = createPrivateKey({
    key: {
      kty: "OKP",
      crv: "Ed25519",
      x: "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs",
      d: "n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU",
    },
    format: "jwk",
  });
  const rfcRequest: SignableRequest = {
    method: "POST",
    url: "https://example.com/foo?param=Value&Pet=dog",
    headers: {
      Host: "example.com",
      Date: "Tue, 20 Apr 2021 02:07:55 GMT",
      "Content-Type": "application/json",
      "Content-Length": "18",
    },
  };

  it("RFC 9421 B.2.6: buildSignatureBase gives the RFC's signature base and signature", () => {
    const { signatureBase, signatureParams } = buildSignatureBase(
      rfcRequest,
      ["date", "@method", "@path", "@authority", "content-type", "content-length"],
      new Map<string, string | number>([
        ["created", 1618884473],
        ["keyid", "test-key-ed25519"],
      ]),
    );
    expect(signatureParams).toBe(
      '("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"',
    );
    expect(signatureBase).toBe(
      [
        '"date": Tue, 20 Apr 2021 02:07:55 GMT',
        '"@method": POST',
        '"@path": /foo',
        '"@authority": example.com',
        '"content-type": application/json',
        '"content-length": 18',
        '"@signature-params": ("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"',
      ].join("\n"),
    );
    expect(ed25519Sign(null, Buffer.from(signatureBase), rfcPrivateKey).toString("base64")).toBe(
      "wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==",
    );
  });

  it("RFC 9421 §2.2.7: @query keeps the leading ?", () => {
    const { signatureBase } = buildSignatureBase(rfcRequest, ["@query"], new Map());
    expect(signatureBase.split("\n")[0]).toBe('"@query": ?param=Value&Pet=dog');
  });

  it("RFC 9530: sha-256 Content-Digest of the RFC 9421 example body", () => {
    expect(createContentDigest('{"hello": "world"}')).toBe("sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:");
  });
});

// --- Shared set-up for the round-trip and bad-input tests --------------------------------------

const NOW = 1_765_843_800;
const DEVICE_ID = "14d4b680";
const robot = generateEd25519KeyPair();
const otherRobot = generateEd25519KeyPair();

function keys(map: Record<string, KeyObject>) {
  const calls: string[] = [];
  return {
    calls,
    publicKeyFor: async (keyId: string) => {
      calls.push(keyId);
      return map[keyId] ?? null;
    },
  };
}

interface TestRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: Uint8Array;
}

function signed(
  overrides: Partial<TestRequest> & {
    created?: number;
    expiresInS?: number;
    nonce?: string;
    privateKey?: KeyObject;
  } = {},
): TestRequest {
  const method = overrides.method ?? "POST";
  const url = overrides.url ?? "https://continuon.cloud/api/rcan/heartbeat";
  const body = "body" in overrides ? overrides.body : encoder.encode('{"status":"online"}');
  const headers = { "content-type": "application/json", ...overrides.headers };
  const added = signRequest({
    method,
    url,
    headers,
    body,
    keyId: DEVICE_ID,
    privateKey: overrides.privateKey ?? robot.privateKey,
    created: overrides.created ?? NOW,
    expiresInS: overrides.expiresInS,
    nonce: overrides.nonce ?? "nonce-0123456789",
  });
  const lowerCased = Object.fromEntries(Object.entries(added).map(([name, value]) => [name.toLowerCase(), value]));
  return { method, url, headers: { ...headers, ...lowerCased }, body };
}

/** Signs arbitrary components and parameters, bypassing signRequest's policy. */
function signedWith(
  request: TestRequest,
  components: string[],
  params: Array<[string, string | number]>,
  label = "sig1",
): TestRequest {
  const headers: Record<string, string> = { ...request.headers };
  if (request.body !== undefined) headers["content-digest"] = createContentDigest(request.body);
  const parameters: Parameters = new Map(params);
  const { signatureBase } = buildSignatureBase({ ...request, headers }, components, parameters);
  const signature = ed25519Sign(null, Buffer.from(signatureBase), robot.privateKey);
  headers["signature-input"] = serializeDictionary(
    new Map([[label, [components.map((c): Item => [c, new Map()]), parameters] as InnerList]]),
  );
  headers["signature"] = serializeDictionary({ [label]: signature });
  return { ...request, headers };
}

const STANDARD_PARAMS: Array<[string, string | number]> = [
  ["created", NOW],
  ["expires", NOW + 300],
  ["nonce", "nonce-0123456789"],
  ["keyid", DEVICE_ID],
  ["alg", "ed25519"],
];

function verifyInput(request: TestRequest, extra: Partial<VerifyRequestSignatureInput> = {}) {
  return {
    method: request.method,
    url: request.url,
    headers: request.headers,
    body: request.body,
    now: NOW,
    publicKeyFor: keys({ [DEVICE_ID]: robot.publicKey }).publicKeyFor,
    ...extra,
  };
}

describe("signRequest + verifyRequestSignature round trips", () => {
  it("covers @method @authority @path content-digest for a POST with a body", async () => {
    const request = signed();
    const result = await verifyRequestSignature(verifyInput(request));
    expect(result.components).toEqual(["@method", "@authority", "@path", "content-digest"]);
    expect(result).toMatchObject({ keyId: DEVICE_ID, nonce: "nonce-0123456789", created: NOW, expires: NOW + 300 });
    expect(result.replayWindowEndsAt).toBe(NOW + 300);
  });

  it("adds @query when the URL has a query, and no content-digest without a body", async () => {
    const request = signed({
      method: "GET",
      url: "https://continuon.cloud/api/rcan/lookup?ruri=rcan%3A%2F%2Fa",
      body: undefined,
    });
    expect(request.headers["content-digest"]).toBeUndefined();
    const result = await verifyRequestSignature(verifyInput(request));
    expect(result.components).toEqual(["@method", "@authority", "@path", "@query"]);
    expect(result.contentDigest).toBeNull();
    expect(parseSignatureHeaders(request).signatureBase).toContain('"@query": ?ruri=rcan%3A%2F%2Fa');
  });

  it("keeps a non-default port in @authority and lower-cases the host", async () => {
    const request = signed({ url: "http://LOCALHOST:3100/api/rcan/heartbeat" });
    expect(parseSignatureHeaders(request).signatureBase).toContain('"@authority": localhost:3100');
    await expect(verifyRequestSignature(verifyInput(request))).resolves.toMatchObject({ keyId: DEVICE_ID });
  });

  it("accepts fetch Headers and Node header records with any name case", async () => {
    const request = signed();
    await expect(
      verifyRequestSignature(verifyInput(request, { headers: new Headers(request.headers) })),
    ).resolves.toBeTruthy();
    const upper = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toUpperCase(), v]));
    await expect(verifyRequestSignature(verifyInput(request, { headers: upper }))).resolves.toBeTruthy();
  });

  it("signs a precomputed Content-Digest (streamed body) and returns it for a streaming check", async () => {
    const body = encoder.encode("x".repeat(10_000));
    const digest = createContentDigest(body);
    const headers = signRequest({
      method: "PUT",
      url: "https://continuon.cloud/api/rlds/upload/abc",
      headers: { "Content-Digest": digest },
      keyId: DEVICE_ID,
      privateKey: robot.privateKey,
      created: NOW,
      nonce: "nonce-0123456789",
    });
    expect(headers["Content-Digest"]).toBe(digest);
    const result = await verifyRequestSignature({
      method: "PUT",
      url: "https://continuon.cloud/api/rlds/upload/abc",
      headers: { ...headers, "content-length": String(body.length) },
      now: NOW,
      publicKeyFor: keys({ [DEVICE_ID]: robot.publicKey }).publicKeyFor,
    });
    expect(Buffer.from(result.contentDigest ?? []).toString("base64")).toBe(digest.slice("sha-256=:".length, -1));
  });

  it("accepts a signature without alg and with extra covered headers and parameters", async () => {
    const base = signed();
    const request = signedWith(
      base,
      ["@method", "@authority", "@path", "content-digest", "content-type"],
      [...STANDARD_PARAMS.filter(([name]) => name !== "alg"), ["tag", "continuon-robot"]],
    );
    const result = await verifyRequestSignature(verifyInput(request));
    expect(result.components).toContain("content-type");
  });

  it("ignores signatures under other labels next to sig1", async () => {
    const request = signed();
    request.headers["signature-input"] = `other=("@method");created=1, ${request.headers["signature-input"]}`;
    request.headers["signature"] = `other=:AAAA:, ${request.headers["signature"]}`;
    await expect(verifyRequestSignature(verifyInput(request))).resolves.toMatchObject({ keyId: DEVICE_ID });
  });

  it("replayWindowEndsAt is the earlier of created + maxAge and expires + skew", async () => {
    const short = await verifyRequestSignature(verifyInput(signed({ expiresInS: 60 })));
    expect(short.replayWindowEndsAt).toBe(NOW + 60 + DEFAULT_MAX_SKEW_S);
    const long = await verifyRequestSignature(verifyInput(signed({ expiresInS: 3600 })));
    expect(long.replayWindowEndsAt).toBe(NOW + DEFAULT_MAX_AGE_S);
  });

  it("generates a fresh nonce and the current time by default", () => {
    const a = signRequest({
      method: "GET",
      url: "https://continuon.cloud/x",
      keyId: DEVICE_ID,
      privateKey: robot.privateKey,
    });
    const b = signRequest({
      method: "GET",
      url: "https://continuon.cloud/x",
      keyId: DEVICE_ID,
      privateKey: robot.privateKey,
    });
    const pa = parseSignatureHeaders({ method: "GET", url: "https://continuon.cloud/x", headers: { ...a } }).params;
    const pb = parseSignatureHeaders({ method: "GET", url: "https://continuon.cloud/x", headers: { ...b } }).params;
    expect(pa.nonce).not.toBe(pb.nonce);
    expect(Math.abs(Number(pa.created) - Date.now() / 1000)).toBeLessThan(5);
    expect(Number(pa.expires) - Number(pa.created)).toBe(300);
  });
});

describe("verifyRequestSignature refuses", () => {
  const otherKeyId = "0badc0de";
  type Case = {
    name: string;
    request: () => TestRequest;
    reason: (typeof SIGNATURE_ERROR_REASONS)[number];
    message?: string;
    extra?: Partial<VerifyRequestSignatureInput>;
    /** Whether the key lookup may run before the refusal (cheap checks must come first). */
    looksUpKey?: boolean;
  };
  const withHeaders = (patch: (headers: Record<string, string>) => void) => () => {
    const request = signed();
    patch(request.headers);
    return request;
  };

  const cases: Case[] = [
    // Missing or malformed headers.
    {
      name: "no signature headers",
      request: withHeaders((h) => {
        delete h["signature"];
        delete h["signature-input"];
      }),
      reason: "signature_missing",
    },
    {
      name: "Signature-Input without Signature",
      request: withHeaders((h) => delete h["signature"]),
      reason: "signature_malformed",
      message: "without Signature",
    },
    {
      name: "Signature without Signature-Input",
      request: withHeaders((h) => delete h["signature-input"]),
      reason: "signature_malformed",
      message: "without Signature-Input",
    },
    {
      name: "unparseable Signature-Input",
      request: withHeaders((h) => (h["signature-input"] = "sig1=(")),
      reason: "signature_malformed",
      message: "Signature-Input is not",
    },
    {
      name: "unparseable Signature",
      request: withHeaders((h) => (h["signature"] = "sig1=:not base64")),
      reason: "signature_malformed",
      message: "Signature is not",
    },
    {
      name: "another label than sig1",
      request: withHeaders((h) => {
        h["signature-input"] = h["signature-input"]!.replace(/^sig1=/, "sig=");
        h["signature"] = h["signature"]!.replace(/^sig1=/, "sig=");
      }),
      reason: "signature_missing",
      message: 'has no "sig1" entry (labels found: sig)',
    },
    {
      name: "Signature sig1 is not a byte sequence",
      request: withHeaders((h) => (h["signature"] = 'sig1="abc"')),
      reason: "signature_malformed",
      message: "byte sequence",
    },
    {
      name: "a 63-byte signature",
      request: withHeaders((h) => (h["signature"] = `sig1=:${Buffer.alloc(63).toString("base64")}:`)),
      reason: "signature_malformed",
      message: "got 63",
    },
    {
      name: "Signature-Input sig1 is not an inner list",
      request: withHeaders((h) => (h["signature-input"] = 'sig1="@method"')),
      reason: "signature_malformed",
      message: "inner list",
    },
    {
      name: "a token component",
      request: () => signedWithRaw('sig1=(method "@authority");created=1'),
      reason: "signature_malformed",
      message: "quoted strings",
    },
    {
      name: "a component with parameters",
      request: () => signedWithRaw(`sig1=("@method" "@query-param";name="a");created=${NOW}`),
      reason: "signature_malformed",
      message: 'component "@query-param" has parameters (;name)',
    },
    {
      name: "a response-only component",
      request: () => signedWithRaw(`sig1=("@status");created=${NOW}`),
      reason: "signature_malformed",
      message: '"@status" is not supported',
    },
    {
      name: "an upper-case header component",
      request: () => signedWithRaw(`sig1=("Content-Type");created=${NOW}`),
      reason: "signature_malformed",
      message: '"Content-Type" is not supported',
    },
    {
      name: "a duplicated component",
      request: () => signedWithRaw(`sig1=("@method" "@method");created=${NOW}`),
      reason: "signature_malformed",
      message: "listed twice",
    },
    ...(
      [
        ["created", "parameter created is missing"],
        ["expires", "parameter expires is missing"],
        ["nonce", "parameter nonce is missing"],
        ["keyid", "parameter keyid is missing"],
      ] as const
    ).map(([param, message]): Case => ({
      name: `no ${param} parameter`,
      request: () =>
        signedWith(
          signed(),
          requiredComponents("https://x/", true),
          STANDARD_PARAMS.filter(([n]) => n !== param),
        ),
      reason: "signature_malformed",
      message,
    })),
    {
      name: "a decimal created",
      request: () =>
        signedWithRaw(
          `sig1=("@method");created=${NOW}.5;expires=${NOW + 300};nonce="nonce-0123456789";keyid="${DEVICE_ID}"`,
        ),
      reason: "signature_malformed",
      message: "created must be an integer",
    },
    {
      name: "a string expires",
      request: () => signedWithParams([["expires", "tomorrow"]]),
      reason: "signature_malformed",
      message: "expires must be an integer",
    },
    {
      name: "expires before created",
      request: () => signedWithParams([["expires", NOW - 1]]),
      reason: "signature_malformed",
      message: "expires must be after created",
    },
    {
      name: "a 7-character nonce",
      request: () => signedWithParams([["nonce", "1234567"]]),
      reason: "signature_malformed",
      message: "nonce must be 8 to 128 characters, got 7",
    },
    {
      name: "a 129-character nonce",
      request: () => signedWithParams([["nonce", "n".repeat(129)]]),
      reason: "signature_malformed",
      message: "got 129",
    },
    {
      name: "a numeric nonce",
      request: () => signedWithParams([["nonce", 12345678]]),
      reason: "signature_malformed",
      message: "nonce must be a string",
    },
    {
      name: "an empty keyid",
      request: () => signedWithParams([["keyid", ""]]),
      reason: "signature_malformed",
      message: "keyid must be a non-empty string",
    },
    {
      name: "another alg",
      request: () => signedWithParams([["alg", "rsa-pss-sha512"]]),
      reason: "signature_malformed",
      message: 'alg must be "ed25519", got "rsa-pss-sha512"',
    },

    // Coverage.
    {
      name: "a signature over other components (no @path)",
      request: () => signedWith(signed(), ["@method", "@authority", "content-digest"], STANDARD_PARAMS),
      reason: "signature_components_missing",
      message: 'does not cover "@path"',
    },
    {
      name: "a signature over @target-uri instead of @authority/@path",
      request: () => signedWith(signed(), ["@method", "@target-uri", "content-digest"], STANDARD_PARAMS),
      reason: "signature_components_missing",
      message: 'does not cover "@authority", "@path"',
    },
    {
      name: "a query that the signature does not cover",
      request: () => {
        const request = signed();
        return signedWith(
          { ...request, url: `${request.url}?debug=1` },
          ["@method", "@authority", "@path", "content-digest"],
          STANDARD_PARAMS,
        );
      },
      reason: "signature_components_missing",
      message: 'does not cover "@query"',
    },
    {
      name: "a Content-Digest header the signature does not cover",
      request: () => {
        const request = signed({ body: undefined });
        request.headers["content-digest"] = createContentDigest("{}");
        return { ...request, body: encoder.encode("{}") };
      },
      reason: "signature_components_missing",
      message: 'does not cover "content-digest"',
    },
    {
      name: "a body signed as if there were none",
      request: () => ({ ...signed({ body: undefined }), body: encoder.encode('{"status":"online"}') }),
      reason: "digest_missing",
      message: "no Content-Digest header",
    },
    {
      name: "a body announced by Content-Length, without Content-Digest",
      request: () => {
        const request = signed({ body: undefined });
        request.headers["content-length"] = "19";
        return request;
      },
      reason: "digest_missing",
    },
    {
      name: "a body announced by Transfer-Encoding, without Content-Digest",
      request: () => {
        const request = signed({ body: undefined });
        request.headers["transfer-encoding"] = "chunked";
        return request;
      },
      reason: "digest_missing",
    },
    {
      name: "a body the caller says is there, without Content-Digest",
      request: () => signed({ body: undefined }),
      extra: { hasBody: true },
      reason: "digest_missing",
    },

    // Time window.
    {
      name: "created 301 s ago",
      request: () => signed({ created: NOW - 301, expiresInS: 3600 }),
      reason: "signature_expired",
      message: "is 301 s old (maximum 300 s)",
    },
    {
      name: "expires passed beyond the skew",
      request: () => signed({ created: NOW - 100, expiresInS: 60 }),
      reason: "signature_expired",
      message: `expired at ${NOW - 40}`,
    },
    {
      name: "created 31 s in the future",
      request: () => signed({ created: NOW + 31 }),
      reason: "signature_from_future",
      message: "31 s ahead",
    },
    {
      name: "created 10 s old with maxAgeS 5",
      request: () => signed({ created: NOW - 10 }),
      extra: { maxAgeS: 5 },
      reason: "signature_expired",
    },
    {
      name: "created 2 s ahead with maxSkewS 1",
      request: () => signed({ created: NOW + 2 }),
      extra: { maxSkewS: 1 },
      reason: "signature_from_future",
    },

    // Key and signature.
    {
      name: "an unknown keyid",
      request: () => signed(),
      extra: { publicKeyFor: async () => null },
      reason: "signature_unknown_key",
      message: `keyid "${DEVICE_ID}" is not a registered key`,
      looksUpKey: true,
    },
    {
      name: "a signature by another robot's key under this keyid",
      request: () => signed({ privateKey: otherRobot.privateKey }),
      reason: "signature_invalid",
      looksUpKey: true,
    },
    {
      name: "a robot using another robot's keyid",
      request: () =>
        signedWith(signed(), requiredComponents("https://x/", true), [
          ...STANDARD_PARAMS.filter(([n]) => n !== "keyid"),
          ["keyid", otherKeyId],
        ]),
      extra: { publicKeyFor: keys({ [DEVICE_ID]: robot.publicKey, [otherKeyId]: otherRobot.publicKey }).publicKeyFor },
      reason: "signature_invalid",
      message: `keyid "${otherKeyId}"`,
      looksUpKey: true,
    },
    {
      name: "another method",
      request: () => ({ ...signed(), method: "PUT" }),
      reason: "signature_invalid",
      looksUpKey: true,
    },
    {
      name: "another path",
      request: () => ({ ...signed(), url: "https://continuon.cloud/api/rcan/register" }),
      reason: "signature_invalid",
      looksUpKey: true,
    },
    {
      name: "another host",
      request: () => ({ ...signed(), url: "https://evil.example/api/rcan/heartbeat" }),
      reason: "signature_invalid",
      looksUpKey: true,
    },
    {
      name: "another port",
      request: () => ({ ...signed(), url: "https://continuon.cloud:8443/api/rcan/heartbeat" }),
      reason: "signature_invalid",
      looksUpKey: true,
    },
    {
      name: "another query",
      request: () => {
        const request = signed({
          method: "GET",
          url: "https://continuon.cloud/api/rcan/lookup?ruri=a",
          body: undefined,
        });
        return { ...request, url: "https://continuon.cloud/api/rcan/lookup?ruri=b" };
      },
      reason: "signature_invalid",
      looksUpKey: true,
    },
    {
      name: "a Content-Digest replaced to match a changed body",
      request: () => {
        const request = signed();
        const body = encoder.encode('{"status":"hacked"}');
        request.headers["content-digest"] = createContentDigest(body);
        return { ...request, body };
      },
      reason: "signature_invalid",
      looksUpKey: true,
    },
    {
      name: "a covered header that was removed",
      request: () => {
        const request = signedWith(
          signed(),
          [...requiredComponents("https://x/", true), "content-type"],
          STANDARD_PARAMS,
        );
        delete request.headers["content-type"];
        return request;
      },
      reason: "signature_invalid",
      message: 'No header "content-type"',
      looksUpKey: true,
    },
    {
      name: "a covered header that was changed",
      request: () => {
        const request = signedWith(
          signed(),
          [...requiredComponents("https://x/", true), "content-type"],
          STANDARD_PARAMS,
        );
        request.headers["content-type"] = "text/plain";
        return request;
      },
      reason: "signature_invalid",
      looksUpKey: true,
    },
    {
      name: "a flipped signature bit",
      request: withHeaders((h) => {
        const bytes = Buffer.from(h["signature"]!.slice(6, -1), "base64");
        bytes[0] = bytes[0]! ^ 1;
        h["signature"] = `sig1=:${bytes.toString("base64")}:`;
      }),
      reason: "signature_invalid",
      looksUpKey: true,
    },
    {
      name: "a changed parameter (expires extended)",
      request: withHeaders(
        (h) => (h["signature-input"] = h["signature-input"]!.replace(`expires=${NOW + 300}`, `expires=${NOW + 301}`)),
      ),
      reason: "signature_invalid",
      looksUpKey: true,
    },

    // Body.
    {
      name: "a body changed after signing",
      request: () => ({ ...signed(), body: encoder.encode('{"status":"hacked"}') }),
      reason: "digest_mismatch",
      looksUpKey: true,
    },
    {
      name: "a body cut to nothing after signing",
      request: () => ({ ...signed(), body: new Uint8Array(0) }),
      reason: "digest_mismatch",
      looksUpKey: true,
    },
    {
      name: "a covered Content-Digest with only sha-512",
      request: () => {
        const request = signed();
        const headers = { ...request.headers, "content-digest": `sha-512=:${Buffer.alloc(64).toString("base64")}:` };
        const resigned = signedWithHeaders({ ...request, headers });
        return resigned;
      },
      reason: "digest_missing",
      message: "no sha-256 entry (found: sha-512)",
      looksUpKey: true,
    },
  ];

  function signedWithRaw(signatureInput: string): TestRequest {
    const request = signed();
    return { ...request, headers: { ...request.headers, "signature-input": signatureInput } };
  }

  function signedWithParams(patch: Array<[string, string | number]>): TestRequest {
    const names = new Set(patch.map(([name]) => name));
    return signedWith(signed(), requiredComponents("https://x/", true), [
      ...STANDARD_PARAMS.filter(([name]) => !names.has(name)),
      ...patch,
    ]);
  }

  /** Re-signs over the given headers as they are (keeps an odd content-digest). */
  function signedWithHeaders(request: TestRequest): TestRequest {
    const components = requiredComponents(request.url, true);
    const parameters: Parameters = new Map(STANDARD_PARAMS);
    const { signatureBase } = buildSignatureBase(request, components, parameters);
    const signature = ed25519Sign(null, Buffer.from(signatureBase), robot.privateKey);
    return {
      ...request,
      headers: {
        ...request.headers,
        "signature-input": serializeDictionary(
          new Map([["sig1", [components.map((c): Item => [c, new Map()]), parameters] as InnerList]]),
        ),
        signature: serializeDictionary({ sig1: signature }),
      },
    };
  }

  it.each(cases)("$name → $reason", async ({ request, reason, message, extra, looksUpKey }) => {
    const lookups = keys({ [DEVICE_ID]: robot.publicKey });
    const input = verifyInput(request(), { publicKeyFor: lookups.publicKeyFor, ...extra });
    const error = await caught(verifyRequestSignature(input));
    expect([error.code, error.reason]).toEqual(["unauthenticated", reason]);
    if (message) expect(error.message).toContain(message);
    if (!looksUpKey && !extra?.publicKeyFor) expect(lookups.calls).toEqual([]);
  });

  it("never reports a reason outside SIGNATURE_ERROR_REASONS", () => {
    expect(new Set(cases.map((c) => c.reason)).size).toBeGreaterThanOrEqual(9);
    for (const { reason } of cases) expect(SIGNATURE_ERROR_REASONS).toContain(reason);
  });
});

describe("parseSignatureHeaders", () => {
  it("returns label, components, params, signature bytes and base without checking time or key", () => {
    const request = signed({ created: 1000 });
    const parsed = parseSignatureHeaders(request);
    expect(parsed.signature).toHaveLength(64);
    expect(parsed.params.created).toBe(1000);
    expect(parsed.signatureParams).toBe(request.headers["signature-input"]!.slice("sig1=".length));
    expect(parsed.signatureBase.split("\n").at(-1)).toBe(`"@signature-params": ${parsed.signatureParams}`);
  });

  it.each([
    { name: "no headers", headers: {}, reason: "signature_missing" },
    { name: "garbage", headers: { "signature-input": "(((", signature: "sig1=:AA==:" }, reason: "signature_malformed" },
  ])("refuses $name with $reason", async ({ headers, reason }) => {
    const error = await caught(() =>
      parseSignatureHeaders({ method: "GET", url: "https://continuon.cloud/", headers }),
    );
    expect([error.code, error.reason]).toEqual(["unauthenticated", reason]);
  });
});

describe("signRequest refuses bad input", () => {
  const base = { method: "POST", url: "https://continuon.cloud/x", keyId: DEVICE_ID, privateKey: robot.privateKey };
  it.each([
    { name: "a public key", input: { ...base, privateKey: robot.publicKey }, message: "Ed25519 private key" },
    { name: "an EC key", input: { ...base, privateKey: ecKeyPair().privateKey }, message: "Ed25519 private key" },
    { name: "an empty keyId", input: { ...base, keyId: "" }, message: "keyId" },
    { name: "a short nonce", input: { ...base, nonce: "abc" }, message: "nonce must be 8 to 128 characters" },
    { name: "a non-ASCII nonce", input: { ...base, nonce: "nonce-ééééééé" }, message: "printable ASCII" },
    { name: "a fractional created", input: { ...base, created: 1.5 }, message: "created" },
    { name: "a zero expiresInS", input: { ...base, expiresInS: 0 }, message: "expiresInS" },
    {
      name: "a Content-Digest header that disagrees with the body",
      input: { ...base, body: encoder.encode("a"), headers: { "content-digest": createContentDigest("b") } },
      message: "does not match body",
    },
  ])("$name", ({ input, message }) => {
    expect(() => signRequest(input)).toThrow(message);
  });

  it("refuses an unreadable precomputed Content-Digest", async () => {
    const error = await caught(() => signRequest({ ...base, headers: { "content-digest": "md5=:AA==:" } }));
    expect(error.reason).toBe("digest_missing");
  });
});

describe("helpers", () => {
  it("nonceReplayedError carries the nonce_replayed reason", () => {
    const error = nonceReplayedError(DEVICE_ID);
    expect([error.code, error.reason]).toEqual(["unauthenticated", "nonce_replayed"]);
    expect(error.message).toContain(DEVICE_ID);
  });

  it("normalizeHeaders lower-cases names and joins repeated values", () => {
    expect(normalizeHeaders({ "X-A": "1", "x-a": "2", "X-B": ["3", "4"], "X-C": undefined })).toEqual({
      "x-a": "1, 2",
      "x-b": "3, 4",
    });
    expect(
      normalizeHeaders([
        ["X-A", "1"],
        ["x-a", "2"],
      ]),
    ).toEqual({ "x-a": "1, 2" });
    expect(normalizeHeaders(new Headers({ "X-A": "1" }))).toEqual({ "x-a": "1" });
  });

  it("requiredComponents follows the query and body", () => {
    expect(requiredComponents("https://a/b", false)).toEqual(["@method", "@authority", "@path"]);
    expect(requiredComponents("https://a/b?c", true)).toEqual([
      "@method",
      "@authority",
      "@path",
      "@query",
      "content-digest",
    ]);
    // An empty query ("?" only) is no query for URL parsing, so @query is not required.
    expect(requiredComponents("https://a/b?", false)).toEqual(["@method", "@authority", "@path"]);
  });

  it("lists every documented reason", () => {
    expect([...SIGNATURE_ERROR_REASONS].sort()).toEqual(
      [
        "digest_missing",
        "digest_mismatch",
        "nonce_replayed",
        "signature_components_missing",
        "signature_expired",
        "signature_from_future",
        "signature_invalid",
        "signature_malformed",
        "signature_missing",
        "signature_unknown_key",
      ].sort(),
    );
  });

  it("publicKeyFor returning a non-Ed25519 key is a programming error, not a client error", async () => {
    const ecPublic = ecKeyPair().publicKey;
    await expect(verifyRequestSignature(verifyInput(signed(), { publicKeyFor: async () => ecPublic }))).rejects.toThrow(
      "returned a ec key",
    );
  });
});

/** A non-Ed25519 key pair (EC P-256 is quick to generate). */
function ecKeyPair() {
  return generateKeyPairSync("ec", { namedCurve: "P-256" });
}
