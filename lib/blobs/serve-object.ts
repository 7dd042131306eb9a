import type { Readable } from "node:stream";
import parseRange from "range-parser";
import { DomainError } from "@/lib/errors";
import type { BlobStore } from "./port";

/** What a download answer says about the object it serves. */
export interface ServedObject {
  /** The blob to read. */
  key: string;
  size: number;
  /** A strong validator of the bytes, unquoted (a checksum or the store's etag). */
  etag: string;
  /** ISO-8601 time the bytes last changed, or null when unknown (no `Last-Modified`, no date conditions). */
  lastModified: string | null;
}

/** The parts of a request a download answer depends on (a web `Headers` fits). */
export interface ObjectRequest {
  method: string;
  headers: { get(name: string): string | null };
}

/**
 * A download answer, transport-neutral: the status, the headers, and the bytes as a Node stream
 * (null for HEAD, 304, 412 and 416). `error` is set for 412 and 416, whose body is the error.
 */
export interface ObjectAnswer {
  status: 200 | 206 | 304 | 412 | 416;
  headers: Record<string, string>;
  body: Readable | null;
  /** The range served with 206, inclusive. */
  range?: { start: number; end: number };
  error?: DomainError;
}

const quoted = (etag: string) => `"${etag}"`;

/** Entity tags of an `If-Match` / `If-None-Match` list (`*` kept as is), with their weakness. */
function entityTags(header: string): Array<{ tag: string; weak: boolean }> {
  return [...header.matchAll(/\s*(W\/)?("[^"]*"|\*)\s*(?:,|$)/g)].map((match) => ({
    tag: match[2] as string,
    weak: Boolean(match[1]),
  }));
}

/** Whole seconds: HTTP dates have no finer resolution. */
function seconds(iso: string): number {
  return Math.floor(new Date(iso).getTime() / 1000);
}

function httpDateSeconds(value: string | null): number | null {
  if (!value) return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : Math.floor(time / 1000);
}

type Plan =
  { status: 304 | 412 } | { status: 416 } | { status: 200 } | { status: 206; range: { start: number; end: number } };

/**
 * Decide a GET/HEAD answer from the request's conditions, in the order RFC 9110 §13.2.2 gives:
 * `If-Match` (else `If-Unmodified-Since`) → 412; `If-None-Match` (else `If-Modified-Since`) → 304;
 * then `Range` (GET only), honoured only when `If-Range`, if present, still names this
 * representation (the strong entity tag, or exactly its `Last-Modified` date). One range is
 * served as 206 — what resuming needs; a multi-part range or another unit gets the whole object;
 * a range past the end is 416.
 */
export function planObjectAnswer(object: ServedObject, request: ObjectRequest): Plan {
  const header = (name: string) => request.headers.get(name);
  const etag = quoted(object.etag);
  const modified = object.lastModified === null ? null : seconds(object.lastModified);

  const ifMatch = header("if-match");
  if (ifMatch !== null) {
    const tags = entityTags(ifMatch);
    if (!tags.some(({ tag, weak }) => tag === "*" || (!weak && tag === etag))) return { status: 412 };
  } else {
    const since = httpDateSeconds(header("if-unmodified-since"));
    if (since !== null && modified !== null && modified > since) return { status: 412 };
  }

  const ifNoneMatch = header("if-none-match");
  if (ifNoneMatch !== null) {
    if (entityTags(ifNoneMatch).some(({ tag }) => tag === "*" || tag === etag)) return { status: 304 };
  } else {
    const since = httpDateSeconds(header("if-modified-since"));
    if (since !== null && modified !== null && modified <= since) return { status: 304 };
  }

  const rangeHeader = header("range");
  if (request.method !== "GET" || rangeHeader === null) return { status: 200 };
  const ifRange = header("if-range");
  if (ifRange !== null) {
    const current = ifRange.trim().startsWith('"')
      ? ifRange.trim() === etag
      : modified !== null && httpDateSeconds(ifRange) === modified;
    if (!current) return { status: 200 };
  }
  const parsed = parseRange(object.size, rangeHeader, { combine: true });
  if (parsed === -1) return { status: 416 };
  if (parsed !== -2 && parsed.type === "bytes" && parsed.length === 1 && parsed[0]) {
    return { status: 206, range: { start: parsed[0].start, end: parsed[0].end } };
  }
  return { status: 200 };
}

/**
 * Answer a download of one stored object with constant memory: validators (`ETag`,
 * `Last-Modified`), conditional requests, `HEAD`, and one byte `Range`, the bytes streamed from the
 * blob store as the client takes them. The one implementation behind every download the platform
 * serves itself (OTA bundles, local signed blob URLs, replay frames); `headers` are the
 * answer-specific ones (content type, disposition, caching).
 */
export async function answerObjectRequest(
  blobs: BlobStore,
  object: ServedObject,
  request: ObjectRequest,
  headers: Record<string, string>,
): Promise<ObjectAnswer> {
  const common: Record<string, string> = {
    ...headers,
    etag: quoted(object.etag),
    "accept-ranges": "bytes",
    ...(object.lastModified === null ? {} : { "last-modified": new Date(object.lastModified).toUTCString() }),
  };
  const plan = planObjectAnswer(object, request);
  if (plan.status === 304) return { status: 304, headers: common, body: null };
  if (plan.status === 412) {
    return {
      status: 412,
      headers: common,
      body: null,
      error: new DomainError(
        "precondition_failed",
        "The object no longer matches the request's If-Match / If-Unmodified-Since.",
        {
          reason: "precondition_failed",
        },
      ),
    };
  }
  if (plan.status === 416) {
    const range = (request.headers.get("range") ?? "").slice(0, 100);
    return {
      status: 416,
      headers: { ...common, "content-range": `bytes */${object.size}` },
      body: null,
      error: new DomainError("invalid", `Range ${range} is outside the ${object.size}-byte object.`, {
        reason: "range_not_satisfiable",
      }),
    };
  }
  const range = plan.status === 206 ? plan.range : undefined;
  const answerHeaders: Record<string, string> = {
    ...common,
    "content-length": String(range ? range.end - range.start + 1 : object.size),
    ...(range ? { "content-range": `bytes ${range.start}-${range.end}/${object.size}` } : {}),
  };
  if (request.method === "HEAD") return { status: plan.status, headers: answerHeaders, body: null, range };
  const read = await blobs.get(object.key, range ? { range } : {});
  return { status: plan.status, headers: answerHeaders, body: read.stream, range };
}
