/**
 * Signed robot requests: RFC 9421 HTTP Message Signatures with ed25519, bodies bound by RFC 9530
 * `Content-Digest` (sha-256).
 *
 * ## The scheme (PRODUCT.md §3.2)
 *
 * Every robot request carries one signature, labelled **`sig1`** (the label is fixed so that the
 * verifier never has to choose among several; a request may carry other labels, they are ignored):
 *
 * ```http
 * POST /api/rcan/heartbeat HTTP/1.1
 * Host: continuon.cloud
 * Content-Type: application/json
 * Content-Digest: sha-256=:<base64 SHA-256 of the body>:
 * Signature-Input: sig1=("@method" "@authority" "@path" "content-digest");created=1765843800;expires=1765844100;nonce="…";keyid="14d4b680";alg="ed25519"
 * Signature: sig1=:<base64 of the 64-byte ed25519 signature>:
 * ```
 *
 * - Covered components, in this order: `@method`, `@authority`, `@path`, then `@query` when the URL
 *   has a query, then `content-digest` when there is a body. A verifier requires at least these;
 *   a signer may cover more headers (all lowercase, no component parameters).
 * - Parameters, in this order: `created` and `expires` (unix seconds), `nonce` (8–128 printable
 *   characters, unique per key within the validity window), `keyid` (the robot's device_id),
 *   `alg="ed25519"` (optional for verifiers; when present it must be `ed25519`).
 * - The signature base is built exactly as RFC 9421 §2.5 says (one `"<component>": <value>` line
 *   per component, then the `"@signature-params"` line, joined by `\n`, no trailing newline), and
 *   signed with Ed25519 (RFC 8032, deterministic: the same key and base always give the same bytes).
 *
 * ## Verification policy ({@link verifyRequestSignature})
 *
 * - `created` more than `maxAgeS` (300) seconds ago, or the time is past `expires` (+`maxSkewS`):
 *   `signature_expired`. `created` more than `maxSkewS` (30) seconds ahead: `signature_from_future`.
 * - Checks run cheapest first; the public key is looked up only for a well-formed, fresh signature,
 *   and the body digest is compared only after the signature verified.
 * - **Nonce replay is the caller's check** (it needs shared storage): after a successful
 *   verification the caller records `(keyId, nonce)` atomically (create-if-absent) until
 *   `replayWindowEndsAt`, and refuses a nonce it already holds with {@link nonceReplayedError}
 *   (`unauthenticated` / `nonce_replayed`). Record nonces only for verified signatures, or anyone
 *   could burn a robot's nonces.
 * - Bodies: when the request has one, its `Content-Digest` must be present and covered. Verify the
 *   body bytes with `body` (in memory), or stream them through
 *   `new ContentDigestVerifier(result.contentDigest)` (see `content-digest.ts`).
 * - `url` must be the URL the robot addressed (its scheme, host and port as the robot sent them),
 *   not the address a proxy forwarded to: `@authority` is derived from it.
 *
 * Errors are `DomainError("unauthenticated", message, {reason})` with one of
 * {@link SIGNATURE_ERROR_REASONS}; messages name the header, label, component or parameter at fault.
 *
 * ## Library use
 *
 * The signature base (component derivation and line formatting) comes from the maintained
 * `http-message-signatures` package (`httpbis.createSignatureBase` / `formatSignatureBase`), and
 * header serialization/parsing from `structured-headers`. Its `signMessage`/`verifyMessage` are not
 * used: `verifyMessage` reads the wall clock (no injectable time), accepts whichever label verifies,
 * reports "too old", "from the future" and "unknown key" through the same few error types, and returns
 * no parameters for nonce tracking; `signMessage` does not return the signature base the docs show.
 * Those policy parts are written here instead.
 */
import { randomBytes, sign as ed25519Sign, verify as ed25519Verify, type KeyObject } from "node:crypto";
import { httpbis } from "http-message-signatures";
import {
  parseDictionary,
  serializeDictionary,
  serializeInnerList,
  serializeItem,
  type InnerList,
  type Item,
  type Parameters,
} from "structured-headers";
import { DomainError } from "@/lib/errors";
import { createContentDigest, parseContentDigest, verifyContentDigest } from "./content-digest";

/** The label of the robot signature in `Signature-Input` and `Signature`. */
export const SIGNATURE_LABEL = "sig1";
/** The only signature algorithm robots use. */
export const SIGNATURE_ALGORITHM = "ed25519";
/** A signature older than this (seconds since `created`) is refused. */
export const DEFAULT_MAX_AGE_S = 300;
/** Clock skew tolerated on `created` (future) and `expires` (past), in seconds. */
export const DEFAULT_MAX_SKEW_S = 30;
/** `expires - created` for signatures made by {@link signRequest} unless told otherwise. */
export const DEFAULT_EXPIRES_IN_S = 300;
/** Nonce length bounds (characters). */
export const NONCE_MIN_LENGTH = 8;
export const NONCE_MAX_LENGTH = 128;

/** Stable reasons of the `unauthenticated` errors this module (and the caller's nonce check) raise. */
export const SIGNATURE_ERROR_REASONS = [
  /** No `Signature-Input`/`Signature` headers, or no `sig1` entry in them. */
  "signature_missing",
  /** The headers or the `sig1` entry cannot be parsed, or a required parameter is absent or wrong. */
  "signature_malformed",
  /** `keyid` names no registered key. */
  "signature_unknown_key",
  /** The signature does not verify over this request (or covers a header the request lacks). */
  "signature_invalid",
  /** A required component (`@method`, `@authority`, `@path`, `@query`, `content-digest`) is not covered. */
  "signature_components_missing",
  /** `created` is more than `maxAgeS` ago, or `expires` has passed. */
  "signature_expired",
  /** `created` is more than `maxSkewS` ahead of the server clock. */
  "signature_from_future",
  /** The request has a body but no usable sha-256 `Content-Digest`. */
  "digest_missing",
  /** The body does not match its `Content-Digest`. */
  "digest_mismatch",
  /** The nonce was already used by this key within the window (raised by the caller). */
  "nonce_replayed",
] as const;
export type SignatureErrorReason = (typeof SIGNATURE_ERROR_REASONS)[number];

/** Request headers in any common shape: fetch `Headers`, Node `IncomingHttpHeaders`, a plain record. */
export type HeaderInput =
  Headers | Record<string, string | readonly string[] | undefined> | Iterable<readonly [string, string]>;

/** The parts of a request a signature covers. */
export interface SignableRequest {
  method: string;
  url: string | URL;
  headers?: HeaderInput;
}

/** Parameters of the `sig1` signature as read from `Signature-Input`. */
export interface SignatureParameters {
  created?: number;
  expires?: number;
  nonce?: string;
  keyid?: string;
  alg?: string;
  /** Any other parameter (e.g. RFC 9421 `tag`), kept as parsed. */
  [name: string]: string | number | boolean | undefined;
}

/** A parsed `sig1` signature and the signature base it claims to sign. */
export interface ParsedSignature {
  label: string;
  /** Covered component identifiers, in order (`@method`, `content-digest`, …). */
  components: string[];
  params: SignatureParameters;
  /** The 64 signature bytes. */
  signature: Uint8Array;
  /** The `@signature-params` value: the serialized inner list from `Signature-Input`. */
  signatureParams: string;
  /** The exact bytes (as a string) that the signature covers for this request. */
  signatureBase: string;
}

function unauthenticated(reason: SignatureErrorReason, message: string, cause?: unknown): DomainError {
  return new DomainError("unauthenticated", message, { reason, cause });
}

/** The error a caller raises when a verified signature's nonce was already seen. */
export function nonceReplayedError(keyId: string): DomainError {
  return unauthenticated("nonce_replayed", `Signature nonce was already used by keyid ${JSON.stringify(keyId)}`);
}

/** Lower-cases header names and joins repeated values with ", " (as HTTP field combination does). */
export function normalizeHeaders(input: HeaderInput | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (name: string, value: string) => {
    const key = name.toLowerCase();
    out[key] = out[key] === undefined ? value : `${out[key]}, ${value}`;
  };
  if (input === undefined) return out;
  if (typeof Headers !== "undefined" && input instanceof Headers) {
    input.forEach((value, name) => add(name, value));
  } else if (Symbol.iterator in input) {
    for (const [name, value] of input as Iterable<readonly [string, string]>) add(name, value);
  } else {
    for (const [name, value] of Object.entries(input as Record<string, string | readonly string[] | undefined>)) {
      if (value === undefined) continue;
      if (typeof value === "string") add(name, value);
      else for (const item of value) add(name, item);
    }
  }
  return out;
}

function toUrl(url: string | URL): URL {
  return typeof url === "string" ? new URL(url) : url;
}

/** The components {@link signRequest} covers, and {@link verifyRequestSignature} requires, for a request. */
export function requiredComponents(url: string | URL, hasBody: boolean): string[] {
  const components = ["@method", "@authority", "@path"];
  if (toUrl(url).search !== "") components.push("@query");
  if (hasBody) components.push("content-digest");
  return components;
}

class ComponentUnavailableError extends Error {}

/**
 * Builds the RFC 9421 signature base for `request` over `components` with signature parameters
 * `params` (serialized in the given order). Exposed for the docs and for interop tests.
 */
export function buildSignatureBase(
  request: SignableRequest,
  components: readonly string[],
  params: Parameters,
): { signatureBase: string; signatureParams: string } {
  const innerList: InnerList = [components.map((name): Item => [name, new Map()]), params];
  const signatureParams = serializeInnerList(innerList);
  const message = { method: request.method, url: toUrl(request.url), headers: normalizeHeaders(request.headers) };
  let lines: [string, string[]][];
  try {
    lines = httpbis.createSignatureBase({ fields: components.map((name) => serializeItem(name)) }, message);
  } catch (error) {
    // The library throws plain Errors for a covered header the request lacks (and the like).
    throw new ComponentUnavailableError(error instanceof Error ? error.message : String(error));
  }
  lines.push(['"@signature-params"', [signatureParams]]);
  return { signatureBase: httpbis.formatSignatureBase(lines), signatureParams };
}

// sf-string characters (RFC 8941 §3.3.3): printable ASCII.
const SF_STRING_RE = /^[\x20-\x7e]*$/;

function checkNonce(nonce: string): string | null {
  if (nonce.length < NONCE_MIN_LENGTH || nonce.length > NONCE_MAX_LENGTH) {
    return `nonce must be ${NONCE_MIN_LENGTH} to ${NONCE_MAX_LENGTH} characters, got ${nonce.length}`;
  }
  if (!SF_STRING_RE.test(nonce)) return "nonce must be printable ASCII";
  return null;
}

/** A fresh nonce: 16 random bytes, base64url (22 characters). */
export function createNonce(): string {
  return randomBytes(16).toString("base64url");
}

/** Input of {@link signRequest}. */
export interface SignRequestInput extends SignableRequest {
  /**
   * The body bytes, when the request has a body. Instead of the body, `headers` may carry a
   * `Content-Digest` computed beforehand (for a body streamed from disk); it is covered as is.
   */
  body?: Uint8Array | string;
  /** The robot's device_id. */
  keyId: string;
  /** The robot's Ed25519 private key. */
  privateKey: KeyObject;
  /** Unix seconds; defaults to the current time. */
  created?: number;
  /** Seconds from `created` to `expires`; default {@link DEFAULT_EXPIRES_IN_S}. */
  expiresInS?: number;
  /** Defaults to {@link createNonce}. */
  nonce?: string;
}

/** Headers {@link signRequest} adds to a request. */
export interface SignatureHeaders {
  "Signature-Input": string;
  Signature: string;
  /** Present when the request has a body. */
  "Content-Digest"?: string;
}

/**
 * Signs a request as a robot: returns the `Signature-Input`, `Signature` and (with a body)
 * `Content-Digest` headers to add. The request must then be sent with the same method, URL and
 * body, and with any other covered header unchanged.
 */
export function signRequest(input: SignRequestInput): SignatureHeaders {
  if (typeof input.keyId !== "string" || input.keyId === "" || !SF_STRING_RE.test(input.keyId)) {
    throw new Error("signRequest: keyId must be a non-empty printable ASCII string");
  }
  if (input.privateKey.asymmetricKeyType !== "ed25519" || input.privateKey.type !== "private") {
    throw new Error("signRequest: privateKey must be an Ed25519 private key");
  }
  const created = input.created ?? Math.floor(Date.now() / 1000);
  const expiresInS = input.expiresInS ?? DEFAULT_EXPIRES_IN_S;
  if (!Number.isSafeInteger(created) || created < 0) throw new Error("signRequest: created must be unix seconds");
  if (!Number.isSafeInteger(expiresInS) || expiresInS <= 0) {
    throw new Error("signRequest: expiresInS must be a positive integer");
  }
  const nonce = input.nonce ?? createNonce();
  const nonceProblem = checkNonce(nonce);
  if (nonceProblem) throw new Error(`signRequest: ${nonceProblem}`);

  const headers = normalizeHeaders(input.headers);
  let contentDigest: string | undefined;
  if (input.body !== undefined) {
    contentDigest = createContentDigest(input.body);
    if (headers["content-digest"] !== undefined && headers["content-digest"] !== contentDigest) {
      throw new Error("signRequest: headers carry a Content-Digest that does not match body");
    }
  } else if (headers["content-digest"] !== undefined) {
    parseContentDigest(headers["content-digest"]); // refuse to sign a digest the server cannot read
    contentDigest = headers["content-digest"];
  }
  if (contentDigest !== undefined) headers["content-digest"] = contentDigest;

  const params: Parameters = new Map<string, string | number>([
    ["created", created],
    ["expires", created + expiresInS],
    ["nonce", nonce],
    ["keyid", input.keyId],
    ["alg", SIGNATURE_ALGORITHM],
  ]);
  const components = requiredComponents(input.url, contentDigest !== undefined);
  const { signatureBase } = buildSignatureBase({ method: input.method, url: input.url, headers }, components, params);
  const signature = ed25519Sign(null, Buffer.from(signatureBase, "utf8"), input.privateKey);

  const result: SignatureHeaders = {
    "Signature-Input": serializeDictionary(
      new Map([[SIGNATURE_LABEL, [components.map((name): Item => [name, new Map()]), params] as InnerList]]),
    ),
    Signature: serializeDictionary({ [SIGNATURE_LABEL]: signature }),
  };
  if (contentDigest !== undefined) result["Content-Digest"] = contentDigest;
  return result;
}

const DERIVED_COMPONENTS = new Set([
  "@method",
  "@target-uri",
  "@authority",
  "@scheme",
  "@request-target",
  "@path",
  "@query",
]);
// A field name as RFC 9110 tokens allow, lower case (RFC 9421 §2.1 requires lower-cased names).
const FIELD_NAME_RE = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
const MAX_COMPONENTS = 32;
const ED25519_SIGNATURE_BYTES = 64;

interface RawSignature {
  label: string;
  components: string[];
  params: SignatureParameters;
  innerList: InnerList;
  signature: Uint8Array;
  signatureParams: string;
}

function malformed(message: string, cause?: unknown): DomainError {
  return unauthenticated("signature_malformed", message, cause);
}

/** Reads the `sig1` entry from normalized headers (no signature base yet). */
function readSignature(headers: Record<string, string>): RawSignature {
  const inputHeader = headers["signature-input"];
  const signatureHeader = headers["signature"];
  if (inputHeader === undefined && signatureHeader === undefined) {
    throw unauthenticated("signature_missing", "Request is not signed: no Signature-Input and Signature headers");
  }
  if (inputHeader === undefined) throw malformed("Signature header present without Signature-Input");
  if (signatureHeader === undefined) throw malformed("Signature-Input header present without Signature");

  let inputs: ReturnType<typeof parseDictionary>;
  let signatures: ReturnType<typeof parseDictionary>;
  try {
    inputs = parseDictionary(inputHeader);
  } catch (error) {
    throw malformed(`Signature-Input is not a structured-field dictionary: ${(error as Error).message}`, error);
  }
  try {
    signatures = parseDictionary(signatureHeader);
  } catch (error) {
    throw malformed(`Signature is not a structured-field dictionary: ${(error as Error).message}`, error);
  }

  const input = inputs.get(SIGNATURE_LABEL);
  const signatureItem = signatures.get(SIGNATURE_LABEL);
  if (input === undefined || signatureItem === undefined) {
    const header = input === undefined ? "Signature-Input" : "Signature";
    const labels = [...(input === undefined ? inputs : signatures).keys()].join(", ") || "none";
    throw unauthenticated("signature_missing", `${header} has no "${SIGNATURE_LABEL}" entry (labels found: ${labels})`);
  }
  if (!Array.isArray(input[0])) throw malformed(`Signature-Input ${SIGNATURE_LABEL} must be an inner list`);
  const innerList = input as InnerList;
  const signatureValue = signatureItem[0];
  if (!(signatureValue instanceof ArrayBuffer)) {
    throw malformed(`Signature ${SIGNATURE_LABEL} must be a byte sequence (:<base64>:)`);
  }
  if (signatureValue.byteLength !== ED25519_SIGNATURE_BYTES) {
    throw malformed(
      `Signature ${SIGNATURE_LABEL} must be ${ED25519_SIGNATURE_BYTES} bytes (ed25519), got ${signatureValue.byteLength}`,
    );
  }

  const [items, rawParams] = innerList;
  if (items.length > MAX_COMPONENTS) throw malformed(`Signature-Input ${SIGNATURE_LABEL} covers too many components`);
  const components: string[] = [];
  for (const [value, componentParams] of items) {
    if (typeof value !== "string") {
      throw malformed(`Signature-Input ${SIGNATURE_LABEL}: component identifiers must be quoted strings`);
    }
    if (componentParams.size > 0) {
      throw malformed(
        `Signature-Input ${SIGNATURE_LABEL}: component "${value}" has parameters (;${[...componentParams.keys()].join(";")}), which are not supported`,
      );
    }
    if (value.startsWith("@") ? !DERIVED_COMPONENTS.has(value) : !FIELD_NAME_RE.test(value)) {
      throw malformed(`Signature-Input ${SIGNATURE_LABEL}: component "${value}" is not supported`);
    }
    if (components.includes(value)) {
      throw malformed(`Signature-Input ${SIGNATURE_LABEL}: component "${value}" is listed twice`);
    }
    components.push(value);
  }

  const params: SignatureParameters = {};
  for (const [name, value] of rawParams) {
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") params[name] = value;
    else throw malformed(`Signature-Input ${SIGNATURE_LABEL}: parameter ${name} has an unsupported type`);
  }

  return {
    label: SIGNATURE_LABEL,
    components,
    params,
    innerList,
    signature: new Uint8Array(signatureValue),
    signatureParams: serializeInnerList(innerList),
  };
}

function baseFor(request: SignableRequest, raw: RawSignature, headers: Record<string, string>): string {
  try {
    return buildSignatureBase({ method: request.method, url: request.url, headers }, raw.components, raw.innerList[1])
      .signatureBase;
  } catch (error) {
    if (error instanceof ComponentUnavailableError) {
      throw unauthenticated(
        "signature_invalid",
        `Signature covers a component this request does not have: ${error.message}`,
        error,
      );
    }
    throw error;
  }
}

/**
 * Parses the `sig1` signature of a request and rebuilds the signature base it claims to sign.
 * It checks structure only: no time window, no key, no cryptography.
 *
 * @throws DomainError `unauthenticated` with `signature_missing`, `signature_malformed` or
 * `signature_invalid` (a covered header is absent).
 */
export function parseSignatureHeaders(request: SignableRequest): ParsedSignature {
  const headers = normalizeHeaders(request.headers);
  const raw = readSignature(headers);
  return {
    label: raw.label,
    components: raw.components,
    params: raw.params,
    signature: raw.signature,
    signatureParams: raw.signatureParams,
    signatureBase: baseFor(request, raw, headers),
  };
}

/** Input of {@link verifyRequestSignature}. */
export interface VerifyRequestSignatureInput extends SignableRequest {
  /**
   * The whole body, when the caller holds it in memory: it is checked against `Content-Digest` here.
   * Leave it out to stream the body through `new ContentDigestVerifier(result.contentDigest)`.
   */
  body?: Uint8Array | string;
  /**
   * Whether the request has a body. Defaults to: `body` is given and non-empty, or the headers
   * announce one (`Content-Length` other than 0, or `Transfer-Encoding`).
   */
  hasBody?: boolean;
  /** Looks up the public key for a `keyid` (untrusted input); null when unknown. */
  publicKeyFor: (keyId: string) => Promise<KeyObject | null>;
  /** Current time, unix seconds. */
  now: number;
  /** Default {@link DEFAULT_MAX_AGE_S}. */
  maxAgeS?: number;
  /** Default {@link DEFAULT_MAX_SKEW_S}. */
  maxSkewS?: number;
}

/** What a verified signature establishes. */
export interface VerifiedRequestSignature {
  /** The signer's `keyid` (the robot's device_id). */
  keyId: string;
  nonce: string;
  created: number;
  expires: number;
  components: string[];
  /** The signed sha-256 of the body, or null when the signature covers no `Content-Digest`. */
  contentDigest: Uint8Array | null;
  /** Unix seconds until which this signature would still be accepted: keep the nonce until then. */
  replayWindowEndsAt: number;
}

function headersAnnounceBody(headers: Record<string, string>): boolean {
  const length = headers["content-length"];
  if (length !== undefined && length.trim() !== "0") return true;
  return headers["transfer-encoding"] !== undefined;
}

/**
 * Verifies the `sig1` signature of a robot request (see the module header for the policy).
 *
 * @throws DomainError `unauthenticated` with a {@link SignatureErrorReason} (never `nonce_replayed`,
 * which is the caller's check).
 */
export async function verifyRequestSignature(input: VerifyRequestSignatureInput): Promise<VerifiedRequestSignature> {
  const maxAgeS = input.maxAgeS ?? DEFAULT_MAX_AGE_S;
  const maxSkewS = input.maxSkewS ?? DEFAULT_MAX_SKEW_S;
  const now = input.now;
  const headers = normalizeHeaders(input.headers);
  const raw = readSignature(headers);
  const { params, components } = raw;

  // Parameters.
  const { created, expires, nonce, keyid, alg } = params;
  if (created === undefined) throw malformed(`Signature-Input ${SIGNATURE_LABEL}: parameter created is missing`);
  if (typeof created !== "number" || !Number.isSafeInteger(created)) {
    throw malformed(`Signature-Input ${SIGNATURE_LABEL}: created must be an integer (unix seconds)`);
  }
  if (expires === undefined) throw malformed(`Signature-Input ${SIGNATURE_LABEL}: parameter expires is missing`);
  if (typeof expires !== "number" || !Number.isSafeInteger(expires)) {
    throw malformed(`Signature-Input ${SIGNATURE_LABEL}: expires must be an integer (unix seconds)`);
  }
  if (expires <= created) throw malformed(`Signature-Input ${SIGNATURE_LABEL}: expires must be after created`);
  if (nonce === undefined) throw malformed(`Signature-Input ${SIGNATURE_LABEL}: parameter nonce is missing`);
  if (typeof nonce !== "string") throw malformed(`Signature-Input ${SIGNATURE_LABEL}: nonce must be a string`);
  const nonceProblem = checkNonce(nonce);
  if (nonceProblem) throw malformed(`Signature-Input ${SIGNATURE_LABEL}: ${nonceProblem}`);
  if (keyid === undefined) throw malformed(`Signature-Input ${SIGNATURE_LABEL}: parameter keyid is missing`);
  if (typeof keyid !== "string" || keyid === "") {
    throw malformed(`Signature-Input ${SIGNATURE_LABEL}: keyid must be a non-empty string`);
  }
  if (alg !== undefined && alg !== SIGNATURE_ALGORITHM) {
    throw malformed(
      `Signature-Input ${SIGNATURE_LABEL}: alg must be "${SIGNATURE_ALGORITHM}", got ${JSON.stringify(alg)}`,
    );
  }

  // Coverage. A Content-Digest header, or any body, must be covered.
  const digestHeader = headers["content-digest"];
  const hasBody =
    input.hasBody ??
    ((input.body !== undefined && (typeof input.body === "string" ? input.body.length : input.body.length) > 0) ||
      headersAnnounceBody(headers));
  if (hasBody && digestHeader === undefined) {
    throw unauthenticated("digest_missing", "Request has a body but no Content-Digest header");
  }
  const required = requiredComponents(input.url, digestHeader !== undefined);
  const missing = required.filter((name) => !components.includes(name));
  if (missing.length > 0) {
    throw unauthenticated(
      "signature_components_missing",
      `Signature ${SIGNATURE_LABEL} does not cover ${missing.map((name) => `"${name}"`).join(", ")} (required: ${required.join(" ")})`,
    );
  }

  // Time window.
  if (created > now + maxSkewS) {
    throw unauthenticated(
      "signature_from_future",
      `Signature created=${created} is ${created - now} s ahead of the server clock (tolerance ${maxSkewS} s)`,
    );
  }
  if (now - created > maxAgeS) {
    throw unauthenticated(
      "signature_expired",
      `Signature created=${created} is ${now - created} s old (maximum ${maxAgeS} s)`,
    );
  }
  if (now > expires + maxSkewS) {
    throw unauthenticated("signature_expired", `Signature expired at ${expires} (server time ${now})`);
  }

  // Key and signature.
  const publicKey = await input.publicKeyFor(keyid);
  if (publicKey === null) {
    throw unauthenticated("signature_unknown_key", `Signature keyid ${JSON.stringify(keyid)} is not a registered key`);
  }
  if (publicKey.asymmetricKeyType !== "ed25519") {
    throw new Error(`publicKeyFor(${keyid}) returned a ${publicKey.asymmetricKeyType ?? "non-asymmetric"} key`);
  }
  const signatureBase = baseFor(input, raw, headers);
  const valid = ed25519Verify(null, Buffer.from(signatureBase, "utf8"), publicKey, raw.signature);
  if (!valid) {
    throw unauthenticated(
      "signature_invalid",
      `Signature ${SIGNATURE_LABEL} does not verify for keyid ${JSON.stringify(keyid)} over ${components.join(" ")}`,
    );
  }

  // Body.
  const contentDigest = digestHeader === undefined ? null : parseContentDigest(digestHeader);
  if (input.body !== undefined) {
    if (contentDigest === null) {
      if (input.body.length > 0)
        throw unauthenticated("digest_missing", "Request has a body but no Content-Digest header");
    } else {
      verifyContentDigest(digestHeader, input.body);
    }
  }

  return {
    keyId: keyid,
    nonce,
    created,
    expires,
    components,
    contentDigest,
    replayWindowEndsAt: Math.min(created + maxAgeS, expires + maxSkewS),
  };
}
