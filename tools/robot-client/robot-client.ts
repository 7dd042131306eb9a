/**
 * A continuon.cloud robot client: holds a robot identity and signs every request it sends.
 *
 * Tests, the robot simulator and the benchmarks use it; robot makers can read it as the reference
 * of what a robot sends. Signing is in `sign.ts` (node:crypto only); transport is the global
 * `fetch` (or one passed in).
 *
 * ```ts
 * const client = new RobotClient({ identity: await loadIdentity("./robot"), baseUrl: "https://continuon.cloud" });
 * const response = await client.request("POST", "/api/rcan/heartbeat", { json: { status: "online" } });
 * ```
 */
import { randomBytes } from "node:crypto";
import type { RobotIdentity } from "./identity";
import { signClaimProof, signRobotRequest } from "./sign";

/** Options of {@link RobotClient}. */
export interface RobotClientOptions {
  identity: RobotIdentity;
  /** The server origin, optionally with a path prefix: `https://continuon.cloud`, `http://127.0.0.1:3100`. */
  baseUrl: string;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Current time in unix seconds (tests pass a fixed clock). */
  now?: () => number;
  /** Nonce source; defaults to 16 random bytes, base64url. */
  nonce?: () => string;
  /** Signature lifetime in seconds; default 300. */
  expiresInS?: number;
}

/** Options of one request. */
export interface RobotRequestOptions {
  /** A JSON body (serialized, sent as `application/json`). */
  json?: unknown;
  /** A raw body; set `Content-Type` in `headers`. */
  body?: Uint8Array<ArrayBuffer> | string;
  /** Extra headers (not covered by the signature). */
  headers?: Record<string, string>;
  /** An abort signal for the fetch. */
  signal?: AbortSignal;
}

/** A prepared, signed request: what {@link RobotClient.request} hands to fetch. */
export interface SignedRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: Uint8Array<ArrayBuffer> | undefined;
  /** The bytes that were signed, for debugging. */
  signatureBase: string;
}

/** A non-2xx answer from the API (`{"error": {"code", "message"}}`). */
export class RobotApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
    this.name = "RobotApiError";
  }
}

export class RobotClient {
  readonly identity: RobotIdentity;
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;
  private readonly nonce: () => string;
  private readonly expiresInS: number;

  constructor(options: RobotClientOptions) {
    this.identity = options.identity;
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    new URL(this.baseUrl); // fail early on a bad base URL
    this.fetchImpl = options.fetch ?? globalThis.fetch;
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
    this.nonce = options.nonce ?? (() => randomBytes(16).toString("base64url"));
    this.expiresInS = options.expiresInS ?? 300;
  }

  get deviceId(): string {
    return this.identity.deviceId;
  }

  get ruri(): string {
    return this.identity.ruri;
  }

  /** The full URL for an API path (`/api/rcan/heartbeat`, query included). */
  url(path: string): string {
    if (!path.startsWith("/")) throw new Error(`path must start with "/": ${path}`);
    return `${this.baseUrl}${path}`;
  }

  /** Builds and signs a request without sending it (benchmarks send these with their own transport). */
  prepare(method: string, path: string, options: RobotRequestOptions = {}): SignedRequest {
    if (options.json !== undefined && options.body !== undefined) throw new Error("give json or body, not both");
    const headers: Record<string, string> = { ...options.headers };
    let body: Uint8Array<ArrayBuffer> | undefined;
    if (options.json !== undefined) {
      body = new TextEncoder().encode(JSON.stringify(options.json));
      headers["Content-Type"] ??= "application/json";
    } else if (options.body !== undefined) {
      body = typeof options.body === "string" ? new TextEncoder().encode(options.body) : options.body;
    }
    const upperMethod = method.toUpperCase();
    const url = this.url(path);
    const signed = signRobotRequest({
      method: upperMethod,
      url,
      body,
      keyId: this.identity.deviceId,
      privateKey: this.identity.privateKey,
      created: this.now(),
      expiresInS: this.expiresInS,
      nonce: this.nonce(),
    });
    return {
      url,
      method: upperMethod,
      headers: { ...headers, ...signed.headers },
      body,
      signatureBase: signed.signatureBase,
    };
  }

  /** Sends a signed request and returns the raw response. */
  async request(method: string, path: string, options: RobotRequestOptions = {}): Promise<Response> {
    const prepared = this.prepare(method, path, options);
    return this.fetchImpl(prepared.url, {
      method: prepared.method,
      headers: prepared.headers,
      body: prepared.body,
      signal: options.signal,
    });
  }

  /** Sends a signed request and parses a JSON answer; non-2xx answers throw {@link RobotApiError}. */
  async requestJson<T = unknown>(method: string, path: string, options: RobotRequestOptions = {}): Promise<T> {
    const response = await this.request(method, path, options);
    const text = await response.text();
    let parsed: unknown = undefined;
    try {
      parsed = text === "" ? undefined : JSON.parse(text);
    } catch {
      parsed = text;
    }
    if (!response.ok) {
      const error = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new RobotApiError(
        response.status,
        error?.code,
        `${method.toUpperCase()} ${path} → ${response.status}${error?.code ? ` ${error.code}` : ""}: ${error?.message ?? text.slice(0, 200)}`,
        parsed,
      );
    }
    return parsed as T;
  }

  /** Issues a local claim proof for `userUid`, as the robot does after in-person pairing. */
  issueClaimProof(userUid: string, options: { iat?: number; jti?: string } = {}): string {
    return signClaimProof({
      deviceId: this.identity.deviceId,
      ruri: this.identity.ruri,
      userUid,
      privateKey: this.identity.privateKey,
      iat: options.iat ?? this.now(),
      jti: options.jti,
    });
  }
}
