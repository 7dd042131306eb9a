/**
 * Transport-neutral error codes. The HTTP layer maps each code to a status in one table
 * (`server/http/errors.ts`); the relay maps them to `error` messages. Never repurpose a code:
 * deployed robots branch on them.
 */
export const ERROR_CODES = [
  /** The input is malformed or breaks a rule (400). */
  "invalid",
  /** No credential, or a credential that does not verify (401). */
  "unauthenticated",
  /** The caller is known but may not do this (403). */
  "forbidden",
  /** The target does not exist, or the caller may not know that it does (404). */
  "not_found",
  /** The request conflicts with the current state (409). */
  "conflict",
  /** A precondition on the stored revision failed; re-read and retry (412). */
  "precondition_failed",
  /** The body or object is larger than allowed (413). */
  "too_large",
  /** The content type is not one this endpoint takes (415). */
  "unsupported_media_type",
  /** Too many requests; `retryAfterS` says when to come back (429). */
  "rate_limited",
  /** A storage quota would be exceeded (507), e.g. a robot's episode storage. */
  "insufficient_storage",
  /** A dependency (store, blobs) cannot be reached (503). */
  "unavailable",
  /** A bug or an unexpected failure (500); the message shown is generic. */
  "internal",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface DomainErrorOptions {
  /** A finer, stable, machine-readable reason in lower snake case (e.g. `signature_expired`). */
  reason?: string;
  /** Seconds after which a rate-limited caller may retry. */
  retryAfterS?: number;
  /** Extra structured detail safe to show to the caller (e.g. validation issues). */
  details?: unknown;
  cause?: unknown;
}

/**
 * Brand checked instead of `instanceof`: Next bundles route handlers apart from the custom
 * server, so one process can hold two copies of this class.
 */
const BRAND = Symbol.for("continuon.DomainError");

/** The one error type the domain throws. Messages are shown to callers: never put secrets in them. */
export class DomainError extends Error {
  readonly [BRAND] = true;
  readonly code: ErrorCode;
  readonly reason: string | undefined;
  readonly retryAfterS: number | undefined;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, options: DomainErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "DomainError";
    this.code = code;
    this.reason = options.reason;
    this.retryAfterS = options.retryAfterS;
    this.details = options.details;
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[BRAND] === true;
}

/** Shorthands keep call sites short and greppable. */
export const invalid = (message: string, options?: DomainErrorOptions) => new DomainError("invalid", message, options);
export const unauthenticated = (message: string, options?: DomainErrorOptions) =>
  new DomainError("unauthenticated", message, options);
export const forbidden = (message: string, options?: DomainErrorOptions) =>
  new DomainError("forbidden", message, options);
export const notFound = (message: string, options?: DomainErrorOptions) =>
  new DomainError("not_found", message, options);
export const conflict = (message: string, options?: DomainErrorOptions) =>
  new DomainError("conflict", message, options);
export const tooLarge = (message: string, options?: DomainErrorOptions) =>
  new DomainError("too_large", message, options);
