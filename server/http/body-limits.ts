/**
 * The custom server's body guard: every request's body is capped before any handler (Next's, a
 * route's, next-auth's or a direct route's) sees it. A declared `Content-Length` over the route's
 * cap is answered `413 body_too_large` at once, unread; a chunked body is counted as the HTTP parser
 * hands it over and cut the moment it passes the cap, so no handler ever buffers more than its cap.
 * Routes keep their own, smaller caps (`createRoute`'s `maxBodyBytes`); the routes that take large
 * streams (signed blob PUTs, episode uploads) enforce the exact size they were granted as they write.
 * Described on /docs/security.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { MAX_UPLOAD_BYTES } from "@/lib/episodes/request-episode-upload";
import { DomainError } from "@/lib/errors";
import { createId } from "@/lib/ids";
import { errorResponseParts } from "./errors";
import { bodyTooLarge } from "./read-body";
import { DEFAULT_MAX_BODY_BYTES } from "./route";

const KiB = 1024;
const MiB = 1024 * KiB;

export interface BodyLimit {
  /** A stable name for logs and the docs table. */
  name: string;
  maxBytes: number;
}

interface BodyLimitRule extends BodyLimit {
  methods: readonly string[] | null;
  path: RegExp;
}

/**
 * The caps, first match wins. GET and HEAD, and pages (the app has no server actions), take no body
 * at all. Streams: a signed blob URL carries its own maximum size (checked as it is written, up to
 * the largest any URL is signed for); episode uploads are capped by the upload they were opened
 * with. Everything else is small JSON or a form.
 */
export const BODY_LIMIT_RULES: readonly BodyLimitRule[] = [
  { name: "no_body", methods: ["GET", "HEAD"], path: /^/, maxBytes: 0 },
  { name: "signed_blob_put", methods: ["PUT"], path: /^\/api\/blobs\//, maxBytes: MAX_UPLOAD_BYTES },
  { name: "episode_upload", methods: ["PUT"], path: /^\/api\/rlds\/upload\/[^/]+$/, maxBytes: MAX_UPLOAD_BYTES },
  { name: "xr_episode_upload", methods: ["POST"], path: /^\/api\/rlds\/upload$/, maxBytes: MAX_UPLOAD_BYTES },
  { name: "episode_signed_url", methods: ["POST"], path: /^\/api\/rlds\/signed-url$/, maxBytes: 4 * MiB },
  { name: "auth", methods: null, path: /^\/api\/auth(\/|$)/, maxBytes: 64 * KiB },
  { name: "api", methods: null, path: /^\/api(\/|$)/, maxBytes: DEFAULT_MAX_BODY_BYTES },
  // Next's own endpoints (the development overlay posts small reports).
  { name: "next", methods: null, path: /^\/(_next|__nextjs)/, maxBytes: 64 * KiB },
  { name: "pages", methods: null, path: /^/, maxBytes: 0 },
];

/** The cap for `method path` (the path without its query). */
export function bodyLimitFor(method: string | undefined, url: string | undefined): BodyLimit {
  const raw = url ?? "/";
  const query = raw.indexOf("?");
  const path = query === -1 ? raw : raw.slice(0, query);
  const rule = BODY_LIMIT_RULES.find(
    (candidate) =>
      (candidate.methods === null || candidate.methods.includes(method ?? "GET")) && candidate.path.test(path),
  );
  return rule ?? BODY_LIMIT_RULES[BODY_LIMIT_RULES.length - 1]!;
}

/**
 * How long a refused connection stays open after its 413 is written, so the client reads the answer
 * before the connection closes under the rest of its upload (closing a socket with unread input
 * resets it, and a reset can discard an answer the client has not read yet).
 */
const LINGER_MS = 1000;

export interface BodyGuardEvents {
  /** `answered`: the handler had already answered without reading the body; only the connection is cut. */
  refused(fields: {
    method: string;
    path: string;
    limit: BodyLimit;
    declared: number | null;
    requestId: string;
    answered: boolean;
  }): void;
}

function declaredLength(req: IncomingMessage): number | null {
  const value = req.headers["content-length"];
  if (value === undefined) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/**
 * True when `req` declares a body larger than `limit`: a Content-Length over it, or any chunked
 * body where the route takes none.
 */
export function declaresTooLarge(req: IncomingMessage, limit: BodyLimit): boolean {
  const declared = declaredLength(req);
  if (declared !== null) return declared > limit.maxBytes;
  return limit.maxBytes === 0 && req.headers["transfer-encoding"] !== undefined;
}

function tooLarge(limit: BodyLimit): DomainError {
  return limit.maxBytes === 0
    ? new DomainError("too_large", "This endpoint takes no request body.", { reason: "body_too_large" })
    : bodyTooLarge(limit.maxBytes);
}

const refusedRequests = new WeakSet<IncomingMessage>();

/** Whether the guard refused `req` (its handler, if one started, fails on a body that was cut: not an error to log). */
export function wasRefused(req: IncomingMessage): boolean {
  return refusedRequests.has(req);
}

/**
 * Put `req` under its route's cap. Returns false when the request was refused here (the 413 is
 * written and the connection will close): the caller must not hand it on. Otherwise the body is
 * counted as it arrives; if it passes the cap, the handler stops receiving it (it never sees the
 * end of a body that was cut), the client gets the 413 if no answer has started, and the
 * connection closes.
 */
export function guardRequestBody(
  req: IncomingMessage,
  res: ServerResponse,
  events: BodyGuardEvents,
  limit: BodyLimit = bodyLimitFor(req.method, req.url),
): boolean {
  const declared = declaredLength(req);
  // Node detaches the socket from the request once the answer is done; keep it to close it.
  const socket = req.socket;
  let refused = false;

  const refuse = () => {
    refused = true;
    refusedRequests.add(req);
    const requestId = createId("req");
    events.refused({
      method: req.method ?? "GET",
      path: (req.url ?? "/").split("?")[0]!,
      limit,
      declared,
      requestId,
      answered: res.headersSent,
    });
    const close = () => setTimeout(() => socket.destroy(), LINGER_MS).unref();
    if (res.headersSent) {
      socket.destroy();
      return;
    }
    const { status, body, headers } = errorResponseParts(tooLarge(limit), requestId);
    const payload = Buffer.from(JSON.stringify(body));
    res.once("finish", close);
    res.writeHead(status, {
      ...headers,
      "content-type": "application/json",
      "content-length": String(payload.length),
      "x-request-id": requestId,
      "x-content-type-options": "nosniff",
    });
    res.end(payload);
  };

  // A handler that answered without reading all of the body (a refusal, a redirect): Node would
  // read and discard the rest, however long. Stop reading it and close once the answer has had
  // time to arrive, unless the body ends meanwhile.
  let draining = false;
  res.once("finish", () => {
    if (refused || req.complete) return;
    draining = true;
    setTimeout(() => {
      if (!req.complete) socket.destroy();
    }, LINGER_MS).unref();
  });

  // Every body byte reaches the request through `push` (Node's HTTP parser calls it per chunk, and
  // with null at the end). Count there: nothing past the cap is ever queued for a reader.
  const push = req.push.bind(req);
  let received = 0;
  req.push = (chunk: unknown, encoding?: BufferEncoding) => {
    if (refused || draining) return false;
    if (chunk !== null && chunk !== undefined) {
      received += (chunk as Buffer).length;
      if (received > limit.maxBytes) {
        refuse();
        return false;
      }
    }
    return push(chunk, encoding);
  };

  if (declaresTooLarge(req, limit)) {
    refuse();
    return false;
  }
  return true;
}
