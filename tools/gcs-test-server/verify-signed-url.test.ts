import { createHash, sign } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { Storage } from "@google-cloud/storage";
import { describe, expect, it } from "vitest";
import { createTestServiceAccount } from "./test-service-account";
import { rfc3986, verifySignedRequest } from "./verify-signed-url";

const account = createTestServiceAccount();
const SIGNED_AT = new Date("2026-03-01T10:00:00Z");
const googDate = (date: Date) =>
  date
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");

interface SignInput {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  expires?: number;
  params?: Record<string, string>;
  algorithm?: string;
  signedHeadersOverride?: string;
  credentialDate?: string;
}

/**
 * A V4 signer written from GCS's documentation, independent of the client library, so the
 * verifier is checked against the specification and not only against one implementation.
 */
function signV4(input: SignInput = {}): {
  rawPath: string;
  rawQuery: string;
  headers: IncomingHttpHeaders;
  method: string;
} {
  const method = input.method ?? "GET";
  const rawPath = input.path ?? "/bucket/some/object.bin";
  const headers: Record<string, string> = { host: "storage.googleapis.com", ...input.headers };
  const names = Object.keys(headers)
    .map((name) => name.toLowerCase())
    .sort();
  const signedHeaders = input.signedHeadersOverride ?? names.join(";");
  const date = googDate(SIGNED_AT);
  const scope = `${input.credentialDate ?? date.slice(0, 8)}/auto/storage/goog4_request`;
  const params: Record<string, string> = {
    "X-Goog-Algorithm": input.algorithm ?? "GOOG4-RSA-SHA256",
    "X-Goog-Credential": `${account.client_email}/${scope}`,
    "X-Goog-Date": date,
    "X-Goog-Expires": String(input.expires ?? 600),
    "X-Goog-SignedHeaders": signedHeaders,
    ...input.params,
  };
  const encoded = Object.entries(params)
    .map(([key, value]) => [rfc3986(key), rfc3986(value)] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const canonicalQuery = encoded.map(([key, value]) => `${key}=${value}`).join("&");
  const canonicalHeaders = signedHeaders
    .split(";")
    .map((name) => `${name}:${(headers[name] ?? "").trim().replace(/\s{2,}/g, " ")}\n`)
    .join("");
  const canonicalRequest = [method, rawPath, canonicalQuery, canonicalHeaders, signedHeaders, "UNSIGNED-PAYLOAD"].join(
    "\n",
  );
  const stringToSign = [
    "GOOG4-RSA-SHA256",
    date,
    scope,
    createHash("sha256").update(canonicalRequest).digest("hex"),
  ].join("\n");
  const signature = sign("sha256", Buffer.from(stringToSign), account.private_key).toString("hex");
  // Sent in another order than the canonical one: the verifier must sort by itself.
  const sent = [...encoded].reverse().map(([key, value]) => `${key}=${value}`);
  return { method, rawPath, rawQuery: [...sent, `X-Goog-Signature=${signature}`].join("&"), headers };
}

const verifyAt = (now: Date, request: ReturnType<typeof signV4>) =>
  verifySignedRequest({
    ...request,
    now,
    publicKeyFor: (email) => (email === account.client_email ? account.publicKey : undefined),
  });

const soon = new Date(SIGNED_AT.getTime() + 60_000);

describe("verifySignedRequest", () => {
  it("accepts a URL signed by @google-cloud/storage", async () => {
    const storage = new Storage({ apiEndpoint: "http://127.0.0.1:9", projectId: "demo-x", credentials: account });
    const now = new Date();
    const [url] = await storage
      .bucket("bucket")
      .file("a b/ü.txt")
      .getSignedUrl({
        version: "v4",
        action: "write",
        expires: now.getTime() + 300_000,
        contentType: "text/plain",
        extensionHeaders: { "x-goog-content-length-range": "0,10" },
      });
    const parsed = new URL(url);
    const verified = verifySignedRequest({
      method: "PUT",
      rawPath: parsed.pathname,
      rawQuery: parsed.search.slice(1),
      headers: { host: "127.0.0.1:9", "content-type": "text/plain", "x-goog-content-length-range": "0,10" },
      now,
      publicKeyFor: () => account.publicKey,
    });
    expect(verified.signedHeaders).toEqual(["content-type", "host", "x-goog-content-length-range"]);
    expect(verified.email).toBe(account.client_email);
  });

  it("accepts a URL signed per the specification, with headers trimmed and query parameters in any order", () => {
    const request = signV4({
      headers: { "x-goog-meta-note": "  a   b " },
      params: { "response-content-disposition": 'attachment; filename="x y.txt"', soufflé: "=%-_.~" },
    });
    const verified = verifyAt(soon, { ...request, headers: { ...request.headers, "x-goog-meta-note": " a  b" } });
    expect(verified.query.get("soufflé")).toBe("=%-_.~");
    expect(verified.expiresAt.toISOString()).toBe("2026-03-01T10:10:00.000Z");
  });

  it("takes the signature parameter in lower case too", () => {
    const request = signV4();
    expect(() =>
      verifyAt(soon, { ...request, rawQuery: request.rawQuery.replace("X-Goog-Signature=", "x-goog-signature=") }),
    ).not.toThrow();
  });

  it.each<[string, () => ReturnType<typeof signV4>, Date, number, string]>([
    ["another method", () => ({ ...signV4(), method: "PUT" }), soon, 403, "SignatureDoesNotMatch"],
    ["another path", () => ({ ...signV4(), rawPath: "/bucket/some/other.bin" }), soon, 403, "SignatureDoesNotMatch"],
    ["another host", () => ({ ...signV4(), headers: { host: "evil.example" } }), soon, 403, "SignatureDoesNotMatch"],
    [
      "a signed header changed",
      () => {
        const request = signV4({ method: "PUT", headers: { "content-type": "image/png" } });
        return { ...request, headers: { ...request.headers, "content-type": "text/html" } };
      },
      soon,
      403,
      "SignatureDoesNotMatch",
    ],
    [
      "a signed header dropped",
      () => {
        const request = signV4({ method: "PUT", headers: { "x-goog-content-length-range": "0,10" } });
        return { ...request, headers: { host: "storage.googleapis.com" } };
      },
      soon,
      403,
      "SignatureDoesNotMatch",
    ],
    [
      "a query parameter added",
      () => ({ ...signV4(), rawQuery: `${signV4().rawQuery}&generation=1` }),
      soon,
      403,
      "SignatureDoesNotMatch",
    ],
    [
      "the expiry stretched",
      () => ({ ...signV4(), rawQuery: signV4().rawQuery.replace("X-Goog-Expires=600", "X-Goog-Expires=6000") }),
      soon,
      403,
      "SignatureDoesNotMatch",
    ],
    [
      "a truncated signature",
      () => ({ ...signV4(), rawQuery: signV4().rawQuery.slice(0, -2) }),
      soon,
      403,
      "SignatureDoesNotMatch",
    ],
    [
      "a signature that is not hex",
      () => ({ ...signV4(), rawQuery: `${signV4().rawQuery.slice(0, -1)}z` }),
      soon,
      403,
      "SignatureDoesNotMatch",
    ],
    [
      "host left out of the signed headers",
      () => signV4({ signedHeadersOverride: "content-type", headers: { "content-type": "a/b" } }),
      soon,
      400,
      "AuthorizationQueryParametersError",
    ],
    [
      "signed headers unsorted",
      () => signV4({ headers: { "x-b": "1", "x-a": "2" }, signedHeadersOverride: "x-b;x-a;host" }),
      soon,
      400,
      "AuthorizationQueryParametersError",
    ],
    [
      "another algorithm",
      () => signV4({ algorithm: "GOOG4-HMAC-SHA256" }),
      soon,
      400,
      "AuthorizationQueryParametersError",
    ],
    [
      "a scope date that is not the signing date",
      () => signV4({ credentialDate: "20260302" }),
      soon,
      400,
      "AuthorizationQueryParametersError",
    ],
    [
      "a lifetime past seven days",
      () => signV4({ expires: 7 * 24 * 3600 + 1 }),
      soon,
      400,
      "AuthorizationQueryParametersError",
    ],
    [
      "a parameter given twice",
      () => ({ ...signV4(), rawQuery: `${signV4().rawQuery}&X-Goog-Date=20260301T100000Z` }),
      soon,
      400,
      "AuthorizationQueryParametersError",
    ],
    ["no signature parameters at all", () => ({ ...signV4(), rawQuery: "" }), soon, 403, "AccessDenied"],
    ["an expired URL", () => signV4({ expires: 60 }), new Date(SIGNED_AT.getTime() + 61_000), 400, "ExpiredToken"],
    ["a URL used long before its date", () => signV4(), new Date(SIGNED_AT.getTime() - 3600_000), 403, "AccessDenied"],
  ])("refuses %s", (_name, build, now, status, code) => {
    expect(() => verifyAt(now, build())).toThrowError(expect.objectContaining({ status, xmlCode: code }));
  });

  it("refuses an account it does not know", () => {
    const request = signV4();
    expect(() => verifySignedRequest({ ...request, now: soon, publicKeyFor: () => undefined })).toThrowError(
      expect.objectContaining({ status: 403, xmlCode: "AccessDenied" }),
    );
  });

  it("refuses a signature made with another key for the same account", () => {
    const other = createTestServiceAccount(account.client_email);
    expect(() => verifySignedRequest({ ...signV4(), now: soon, publicKeyFor: () => other.publicKey })).toThrowError(
      expect.objectContaining({ status: 403, xmlCode: "SignatureDoesNotMatch" }),
    );
  });
});
