/**
 * The robot side of continuon.cloud request signing, with nothing but `node:crypto`.
 *
 * This file is the reference for robot makers: it shows every byte a robot signs. It produces
 * exactly what the server's `lib/crypto/http-signatures.ts` expects (a test checks them byte for
 * byte against each other and against the worked example in
 * `lib/crypto/__fixtures__/heartbeat-signature-example.json`).
 *
 * Why not the `http-message-signatures` library the server uses: a robot signs one fixed shape
 * (five known components, five known parameters), which is a few lines of string building, and a
 * robot client should not need a structured-fields parser. Writing it out also keeps a second,
 * independent implementation that the server's verifier is tested against.
 *
 * A signed request (RFC 9421, label `sig1`, ed25519; RFC 9530 sha-256 Content-Digest):
 *
 * ```text
 * Content-Digest: sha-256=:<base64 SHA-256(body)>:                      (only with a body)
 * Signature-Input: sig1=("@method" "@authority" "@path" ["@query"] ["content-digest"]);created=<s>;expires=<s>;nonce="<n>";keyid="<device_id>";alg="ed25519"
 * Signature: sig1=:<base64 Ed25519 signature of the signature base>:
 * ```
 *
 * Signature base: one line per component, `"<name>": <value>`, then
 * `"@signature-params": <the Signature-Input value after "sig1=">`, joined by `\n`, no final newline.
 * Values: `@method` upper case; `@authority` lower-case host, with `:port` unless default;
 * `@path` the URL path (`/` when empty); `@query` the query with its leading `?`.
 */
import { createHash, randomBytes, sign, type KeyObject } from "node:crypto";

/** What {@link signRobotRequest} needs. */
export interface RobotSignInput {
  /** HTTP method; it is upper-cased (send the request with the same, upper-cased method). */
  method: string;
  /** The full URL the request goes to (scheme, host, port, path, query). */
  url: string | URL;
  /** The exact body bytes, or undefined for no body. */
  body?: Uint8Array;
  /** A Content-Digest computed beforehand (for a body streamed from disk); ignored when `body` is given. */
  contentDigest?: string;
  /** The robot's device_id. */
  keyId: string;
  privateKey: KeyObject;
  /** Unix seconds. */
  created: number;
  /** Seconds until the signature expires (default 300; the server refuses older signatures anyway). */
  expiresInS?: number;
  /** 8–128 printable ASCII characters, never reused by this robot. Default: 16 random bytes, base64url. */
  nonce?: string;
}

/** Headers to add to the request, plus the signature base (for debugging and docs). */
export interface RobotSignature {
  headers: Record<string, string>;
  signatureBase: string;
}

/** `sha-256=:<base64>:` for a body. */
export function contentDigestOf(body: Uint8Array): string {
  return `sha-256=:${createHash("sha256").update(body).digest("base64")}:`;
}

/** An RFC 8941 sf-string: printable ASCII in double quotes, `\` and `"` escaped. */
function sfString(value: string): string {
  if (!/^[\x20-\x7e]*$/.test(value)) throw new Error(`not printable ASCII: ${JSON.stringify(value)}`);
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** Signs a request as a robot. */
export function signRobotRequest(input: RobotSignInput): RobotSignature {
  const url = typeof input.url === "string" ? new URL(input.url) : input.url;
  const nonce = input.nonce ?? randomBytes(16).toString("base64url");
  if (nonce.length < 8 || nonce.length > 128) throw new Error("nonce must be 8 to 128 characters");
  const expires = input.created + (input.expiresInS ?? 300);
  const contentDigest = input.body !== undefined ? contentDigestOf(input.body) : input.contentDigest;

  // URL already lower-cases the host and drops the scheme's default port, as @authority wants.
  const components: Array<[name: string, value: string]> = [
    ["@method", input.method.toUpperCase()],
    ["@authority", url.host],
    ["@path", url.pathname || "/"],
  ];
  if (url.search !== "") components.push(["@query", url.search]);
  if (contentDigest !== undefined) components.push(["content-digest", contentDigest]);

  const signatureParams =
    `(${components.map(([name]) => `"${name}"`).join(" ")})` +
    `;created=${input.created};expires=${expires};nonce=${sfString(nonce)};keyid=${sfString(input.keyId)};alg="ed25519"`;
  const signatureBase = [
    ...components.map(([name, value]) => `"${name}": ${value}`),
    `"@signature-params": ${signatureParams}`,
  ].join("\n");
  const signature = sign(null, Buffer.from(signatureBase, "utf8"), input.privateKey).toString("base64");

  const headers: Record<string, string> = {
    "Signature-Input": `sig1=${signatureParams}`,
    Signature: `sig1=:${signature}:`,
  };
  if (contentDigest !== undefined) headers["Content-Digest"] = contentDigest;
  return { headers, signatureBase };
}

/**
 * Issues a local claim proof (PRODUCT.md §3.3): a compact JWS, `alg: EdDSA`, `typ: rcan-claim+jwt`,
 * `kid` = device_id, payload `{iss, sub, ruri, iat, jti}`, signed with the device key. A robot
 * shows or hands this to its owner after in-person pairing; the owner pastes it into the console.
 */
export function signClaimProof(input: {
  deviceId: string;
  ruri: string;
  userUid: string;
  privateKey: KeyObject;
  iat: number;
  jti?: string;
}): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
  const header = encode({ alg: "EdDSA", typ: "rcan-claim+jwt", kid: input.deviceId });
  const payload = encode({
    iss: input.deviceId,
    sub: input.userUid,
    ruri: input.ruri,
    iat: input.iat,
    jti: input.jti ?? randomBytes(16).toString("hex"),
  });
  const signature = sign(null, Buffer.from(`${header}.${payload}`, "ascii"), input.privateKey).toString("base64url");
  return `${header}.${payload}.${signature}`;
}
