import { createHash, verify, type KeyObject } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { GcsError } from "./gcs-error";

/** What a verified V4 signed request carries. */
export interface VerifiedSignedRequest {
  /** The signing service account. */
  email: string;
  /** Lower-case names of the headers the signature covers. */
  signedHeaders: string[];
  /** Every query parameter but the signature, decoded. */
  query: Map<string, string>;
  signedAt: Date;
  expiresAt: Date;
}

export interface SignedRequestInput {
  method: string;
  /** The request path exactly as received (still percent-encoded), without the query. */
  rawPath: string;
  /** The query string exactly as received, without the leading `?`. */
  rawQuery: string;
  headers: IncomingHttpHeaders;
  now: Date;
  /** The public key of a service account, or undefined when the server does not know it. */
  publicKeyFor(email: string): KeyObject | undefined;
}

const MAX_EXPIRES_S = 7 * 24 * 3600;
/** How far ahead of this server's clock a signer's clock may be. */
const CLOCK_SKEW_MS = 15 * 60_000;
const REQUIRED = [
  "X-Goog-Algorithm",
  "X-Goog-Credential",
  "X-Goog-Date",
  "X-Goog-Expires",
  "X-Goog-SignedHeaders",
  "X-Goog-Signature",
];

/** RFC 3986 encoding, as GCS canonicalizes query parameters (everything but `A-Za-z0-9-._~`). */
export function rfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function queryError(message: string): GcsError {
  return new GcsError(400, "AuthorizationQueryParametersError", message);
}

/** Decode `a=b&c=d` without turning `+` into a space (signed URLs encode spaces as %20). */
export function parseRawQuery(rawQuery: string): Map<string, string> {
  const query = new Map<string, string>();
  if (!rawQuery) return query;
  for (const pair of rawQuery.split("&")) {
    if (!pair) continue;
    const eq = pair.indexOf("=");
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq));
      value = eq < 0 ? "" : decodeURIComponent(pair.slice(eq + 1));
    } catch {
      throw queryError("The query string is not valid percent-encoding.");
    }
    if (query.has(key)) throw queryError(`Query parameter ${key} appears more than once.`);
    query.set(key, value);
  }
  return query;
}

function parseGoogDate(text: string): Date {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!match) throw queryError("X-Goog-Date must look like 20260102T030405Z.");
  const [, y, mo, d, h, mi, s] = match.map(Number) as [number, number, number, number, number, number, number];
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s));
}

/**
 * The canonical value of one signed header. The client library signs the `host` header as the
 * endpoint's host name without a port (it takes `URL.hostname`), while HTTP clients send
 * `host:port` for a non-default port, so the port is dropped before comparing; every other header
 * is used exactly as received, trimmed and with runs of spaces collapsed.
 */
function canonicalHeaderValue(name: string, headers: IncomingHttpHeaders): string {
  const raw = headers[name];
  let value = Array.isArray(raw) ? raw.join(",") : (raw ?? "");
  if (name === "host") value = value.replace(/:\d+$/, "");
  return value.trim().replace(/\s{2,}/g, " ");
}

/**
 * Check a V4 signed URL request (GOOG4-RSA-SHA256) the way GCS does: rebuild the canonical
 * request and the string to sign, verify the RSA-SHA256 signature with the service account's
 * public key, then the validity window. Throws `GcsError` with GCS's XML error codes.
 */
export function verifySignedRequest(input: SignedRequestInput): VerifiedSignedRequest {
  const query = parseRawQuery(input.rawQuery);
  // Signers write the signature parameter as X-Goog-Signature or x-goog-signature; take either.
  const signatureKey = [...query.keys()].find((key) => key.toLowerCase() === "x-goog-signature");
  if (signatureKey && signatureKey !== "X-Goog-Signature") {
    query.set("X-Goog-Signature", query.get(signatureKey) as string);
    query.delete(signatureKey);
  }
  if (![...query.keys()].some((key) => key.startsWith("X-Goog-"))) {
    throw new GcsError(403, "AccessDenied", "Anonymous caller does not have access to this object.", "forbidden");
  }
  for (const name of REQUIRED) if (!query.get(name)) throw queryError(`Query parameter ${name} is missing.`);
  const algorithm = query.get("X-Goog-Algorithm") as string;
  if (algorithm !== "GOOG4-RSA-SHA256")
    throw queryError(`Algorithm ${algorithm} is not supported; use GOOG4-RSA-SHA256.`);

  const credential = (query.get("X-Goog-Credential") as string).split("/");
  const [email, datestamp, region, service, terminator] = credential;
  if (
    credential.length !== 5 ||
    !email ||
    !datestamp ||
    !region ||
    service !== "storage" ||
    terminator !== "goog4_request"
  ) {
    throw queryError("X-Goog-Credential must be <email>/<date>/<region>/storage/goog4_request.");
  }
  const googDate = query.get("X-Goog-Date") as string;
  const signedAt = parseGoogDate(googDate);
  if (datestamp !== googDate.slice(0, 8)) throw queryError("The credential scope date does not match X-Goog-Date.");
  const expiresText = query.get("X-Goog-Expires") as string;
  const expiresS = Number(expiresText);
  if (!/^\d+$/.test(expiresText) || expiresS < 1 || expiresS > MAX_EXPIRES_S) {
    throw queryError(`X-Goog-Expires must be 1 to ${MAX_EXPIRES_S} seconds.`);
  }

  // The header list is part of what was signed: an altered list fails the signature below.
  const signedHeaderText = query.get("X-Goog-SignedHeaders") as string;
  const signedHeaders = signedHeaderText.split(";");

  const signatureHex = query.get("X-Goog-Signature") as string;
  const publicKey = input.publicKeyFor(email);
  if (!publicKey) throw new GcsError(403, "AccessDenied", `Service account ${email} is not known here.`, "forbidden");

  const canonicalQuery = [...query.entries()]
    .filter(([key]) => key !== "X-Goog-Signature")
    .map(([key, value]) => [rfc3986(key), rfc3986(value)] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join("&");
  const canonicalHeaders = signedHeaders
    .map((name) => `${name}:${canonicalHeaderValue(name, input.headers)}\n`)
    .join("");
  const payloadHash = signedHeaders.includes("x-goog-content-sha256")
    ? canonicalHeaderValue("x-goog-content-sha256", input.headers)
    : "UNSIGNED-PAYLOAD";
  const canonicalRequest = [
    input.method.toUpperCase(),
    input.rawPath,
    canonicalQuery,
    canonicalHeaders,
    signedHeaderText,
    payloadHash,
  ].join("\n");
  const stringToSign = [
    algorithm,
    googDate,
    `${datestamp}/${region}/storage/goog4_request`,
    createHash("sha256").update(canonicalRequest).digest("hex"),
  ].join("\n");

  const signature =
    /^[0-9a-f]+$/i.test(signatureHex) && signatureHex.length % 2 === 0 ? Buffer.from(signatureHex, "hex") : null;
  if (!signature || !verify("sha256", Buffer.from(stringToSign), publicKey, signature)) {
    throw new GcsError(
      403,
      "SignatureDoesNotMatch",
      "Access denied. The request signature we calculated does not match the signature you provided.",
      "forbidden",
    );
  }

  // A signer that left the host out (or listed headers oddly) made a URL GCS does not take.
  if (!signedHeaders.includes("host") || [...signedHeaders].sort().join(";") !== signedHeaderText) {
    throw queryError("X-Goog-SignedHeaders must list sorted lower-case header names, host included.");
  }
  // Only an authentic URL is told about its validity window.
  const expiresAt = new Date(signedAt.getTime() + expiresS * 1000);
  if (input.now.getTime() > expiresAt.getTime()) {
    throw new GcsError(
      400,
      "ExpiredToken",
      `The provided token has expired. Request signature expired at: ${expiresAt.toISOString()}`,
    );
  }
  if (input.now.getTime() + CLOCK_SKEW_MS < signedAt.getTime()) {
    throw new GcsError(
      403,
      "AccessDenied",
      `The signed URL is not valid before ${signedAt.toISOString()}.`,
      "forbidden",
    );
  }
  query.delete("X-Goog-Signature");
  return { email, signedHeaders, query, signedAt, expiresAt };
}
