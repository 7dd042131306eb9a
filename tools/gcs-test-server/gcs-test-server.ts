import { randomUUID, type KeyObject } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import parseRange from "range-parser";
import { GcsError, jsonErrorBody, xmlErrorBody } from "./gcs-error";
import { parseMultipartRelated } from "./multipart";
import { ObjectStore, crc32cBase64, md5Base64, objectResource, type StoredObject } from "./object-store";
import { parseRawQuery, verifySignedRequest } from "./verify-signed-url";

export interface GcsTestServerOptions {
  /** Buckets that exist from the start. */
  buckets: readonly string[];
  /** Accounts whose V4 signatures are accepted (their public keys verify them). */
  serviceAccounts: ReadonlyArray<{ client_email: string; publicKey: KeyObject }>;
  /** The server's clock (expiry of signed URLs, object times). */
  now?: () => Date;
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Largest object accepted by any upload path. */
  maxObjectBytes?: number;
  /** Create a bucket the first time a request names it (one fresh bucket per test deployment). */
  createBucketsOnDemand?: boolean;
  /**
   * Every bucket's CORS configuration, as `gcloud storage buckets update --cors-file` sets it; it
   * applies to the XML API (signed URLs), which is what browsers reach. None: no CORS headers.
   */
  cors?: readonly CorsRule[];
}

export interface CorsRule {
  /** Origins, or `*`. */
  origin: readonly string[];
  method: readonly string[];
  /** Response headers the browser may read (Access-Control-Expose-Headers). */
  responseHeader?: readonly string[];
  maxAgeSeconds?: number;
}

export interface GcsTestServer {
  /** `http://host:port`; pass as the Storage client's `apiEndpoint`. */
  url: string;
  store: ObjectStore;
  /** Requests the server could not answer (an unimplemented route), to fail tests loudly. */
  unhandled: string[];
  /** Upload requests whose body the client cut off; nothing of them was stored. */
  abortedUploads(): number;
  close(): Promise<void>;
}

type Api = "json" | "xml";

interface UploadSession {
  bucket: string;
  name: string;
  contentType: string;
  chunks: Buffer[];
  received: number;
  done?: StoredObject;
}

const DEFAULT_MAX_OBJECT_BYTES = 256 * 1024 * 1024;
const MAX_LIST_RESULTS = 1000;

class BodyTooLarge extends Error {}
class BodyCutOff extends Error {}

/**
 * Read a whole request body. Past `limit` bytes it fails with BodyTooLarge and keeps draining
 * (discarding) the rest, so an error answer can still be sent; a body the client cuts off fails
 * with BodyCutOff and is never taken for a whole one.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      chunks.length = 0;
      reject(error);
    };
    req.on("data", (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > limit) fail(new BodyTooLarge());
      else chunks.push(chunk);
    });
    req.on("end", () => {
      if (settled) return;
      settled = true;
      resolve(Buffer.concat(chunks));
    });
    req.on("error", () => fail(new BodyCutOff()));
    req.on("close", () => {
      if (!req.complete) fail(new BodyCutOff());
    });
  });
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new GcsError(400, "InvalidArgument", "The path is not valid percent-encoding.");
  }
}

/** `x-goog-hash: crc32c=…,md5=…`, checked against what arrived (GCS answers BadDigest). */
function checkHashes(req: IncomingMessage, data: Buffer): void {
  const value = header(req, "x-goog-hash");
  if (!value) return;
  for (const pair of value.split(",")) {
    const eq = pair.indexOf("=");
    const kind = pair.slice(0, eq).trim();
    const given = pair.slice(eq + 1).trim();
    const actual = kind === "crc32c" ? crc32cBase64(data) : kind === "md5" ? md5Base64(data) : undefined;
    if (actual !== undefined && actual !== given) {
      throw new GcsError(400, "BadDigest", `The ${kind} you specified did not match what we received.`);
    }
  }
}

/** `x-goog-content-length-range: min,max` as GCS enforces it on uploads. */
function lengthRange(req: IncomingMessage): { min: number; max: number } | undefined {
  const value = header(req, "x-goog-content-length-range");
  if (value === undefined) return undefined;
  const match = /^\s*(\d+)\s*,\s*(\d+)\s*$/.exec(value);
  if (!match) throw new GcsError(400, "InvalidArgument", "x-goog-content-length-range must be <min>,<max>.");
  return { min: Number(match[1]), max: Number(match[2]) };
}

function tooLarge(max: number): GcsError {
  return new GcsError(
    400,
    "EntityTooLarge",
    `Your proposed upload is larger than the maximum object size specified (${max} bytes).`,
  );
}

/**
 * A GCS stand-in for tests, on `node:http`: the subset of the JSON API that @google-cloud/storage
 * uses (bucket get; object metadata, media download with Range, list with prefix and page token,
 * delete, rewrite and copy; media, multipart and resumable uploads) and the XML API for V4 signed
 * URLs (GET/HEAD with Range, PUT, DELETE), whose signatures are verified against the service
 * accounts' public keys. No GCS emulator runs offline, and firebase-tools' storage emulator does
 * not verify signatures, hence this one.
 *
 * The JSON API trusts every caller (the client skips OAuth for a custom endpoint, as with any
 * emulator); only signed URLs are authenticated.
 */
export async function startGcsTestServer(options: GcsTestServerOptions): Promise<GcsTestServer> {
  const now = options.now ?? (() => new Date());
  const maxObjectBytes = options.maxObjectBytes ?? DEFAULT_MAX_OBJECT_BYTES;
  const store = new ObjectStore(options.buckets, now, options.createBucketsOnDemand);
  const keys = new Map(options.serviceAccounts.map((account) => [account.client_email, account.publicKey]));
  const sessions = new Map<string, UploadSession>();
  const unhandled: string[] = [];
  let abortedUploads = 0;

  const baseUrlOf = (req: IncomingMessage) => `http://${req.headers.host ?? "127.0.0.1"}`;

  function send(
    res: ServerResponse,
    status: number,
    body: string | Buffer | null,
    headers: Record<string, string> = {},
  ): void {
    res.writeHead(status, {
      ...headers,
      ...(body !== null ? { "content-length": String(Buffer.byteLength(body)) } : {}),
    });
    res.end(body ?? undefined);
  }

  const sendJson = (res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) =>
    send(res, status, JSON.stringify(value), { "content-type": "application/json; charset=UTF-8", ...headers });

  function sendError(res: ServerResponse, api: Api, error: GcsError): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (api === "xml") {
      send(res, error.status, xmlErrorBody(error), {
        "content-type": "application/xml; charset=UTF-8",
        connection: "close",
      });
    } else {
      sendJson(res, error.status, JSON.parse(jsonErrorBody(error)), { connection: "close" });
    }
  }

  /** Media response with Range (one range; several are answered whole, as GCS does). */
  function sendMedia(
    req: IncomingMessage,
    res: ServerResponse,
    api: Api,
    object: StoredObject,
    overrides: { contentType?: string; contentDisposition?: string } = {},
  ): void {
    const size = object.data.length;
    const headers: Record<string, string> = {
      "content-type": overrides.contentType ?? object.contentType,
      "accept-ranges": "bytes",
      etag: `"${Buffer.from(object.md5Hash, "base64").toString("hex")}"`,
      "last-modified": new Date(object.updated).toUTCString(),
      "x-goog-generation": object.generation,
      "x-goog-metageneration": object.metageneration,
      "x-goog-hash": `crc32c=${object.crc32c},md5=${object.md5Hash}`,
      "x-goog-stored-content-encoding": "identity",
      "x-goog-stored-content-length": String(size),
    };
    if (overrides.contentDisposition) headers["content-disposition"] = overrides.contentDisposition;
    let status = 200;
    let body = object.data;
    const rangeHeader = header(req, "range");
    if (rangeHeader) {
      const ranges = parseRange(size, rangeHeader, { combine: true });
      if (ranges === -1) {
        sendError(
          res,
          api,
          new GcsError(416, "InvalidRange", "The requested range cannot be satisfied.", "requestedRangeNotSatisfiable"),
        );
        return;
      }
      if (ranges !== -2 && ranges.type === "bytes" && ranges.length === 1 && ranges[0]) {
        status = 206;
        body = object.data.subarray(ranges[0].start, ranges[0].end + 1);
        headers["content-range"] = `bytes ${ranges[0].start}-${ranges[0].end}/${size}`;
      }
    }
    res.writeHead(status, { ...headers, "content-length": String(body.length) });
    res.end(req.method === "HEAD" ? undefined : body);
  }

  // JSON API ------------------------------------------------------------------------------------

  function listObjects(req: IncomingMessage, res: ServerResponse, bucket: string, query: Map<string, string>): void {
    const prefix = query.get("prefix") ?? "";
    const delimiter = query.get("delimiter");
    const maxResults = Math.min(
      Math.max(Number(query.get("maxResults") ?? MAX_LIST_RESULTS) || MAX_LIST_RESULTS, 1),
      MAX_LIST_RESULTS,
    );
    const token = query.get("pageToken");
    const after = token ? Buffer.from(token, "base64url").toString("utf8") : undefined;
    const items: StoredObject[] = [];
    const prefixes = new Set<string>();
    let nextPageToken: string | undefined;
    for (const object of store.list(bucket, prefix)) {
      if (after !== undefined && Buffer.compare(Buffer.from(object.name), Buffer.from(after)) <= 0) continue;
      const rest = object.name.slice(prefix.length);
      const cut = delimiter ? rest.indexOf(delimiter) : -1;
      const entry = cut >= 0 ? prefix + rest.slice(0, cut + (delimiter as string).length) : undefined;
      if (entry !== undefined && prefixes.has(entry)) continue;
      if (items.length + prefixes.size >= maxResults) {
        nextPageToken = Buffer.from(items[items.length - 1]?.name ?? [...prefixes].pop() ?? "").toString("base64url");
        break;
      }
      if (entry !== undefined) prefixes.add(entry);
      else items.push(object);
    }
    const baseUrl = baseUrlOf(req);
    sendJson(res, 200, {
      kind: "storage#objects",
      items: items.map((object) => objectResource(object, baseUrl)),
      ...(prefixes.size ? { prefixes: [...prefixes] } : {}),
      ...(nextPageToken ? { nextPageToken } : {}),
    });
  }

  async function handleJson(
    req: IncomingMessage,
    res: ServerResponse,
    segments: string[],
    query: Map<string, string>,
  ): Promise<boolean> {
    const method = req.method ?? "GET";
    // segments after /storage/v1
    if (segments[0] !== "b" || !segments[1]) return false;
    const bucket = decodeSegment(segments[1]);
    if (segments.length === 2 && method === "GET") {
      if (!store.hasBucket(bucket))
        throw new GcsError(404, "NoSuchBucket", "The specified bucket does not exist.", "notFound");
      sendJson(res, 200, {
        kind: "storage#bucket",
        id: bucket,
        name: bucket,
        location: "US",
        storageClass: "STANDARD",
        metageneration: "1",
      });
      return true;
    }
    if (segments[2] !== "o") return false;
    if (segments.length === 3 && method === "GET") {
      listObjects(req, res, bucket, query);
      return true;
    }
    const name = segments[3] !== undefined ? decodeSegment(segments[3]) : undefined;
    if (name === undefined) return false;
    if (segments.length === 4) {
      if (method === "GET" || method === "HEAD") {
        const object = store.get(bucket, name, query.get("generation"));
        if (query.get("alt") === "media") sendMedia(req, res, "json", object);
        else sendJson(res, 200, objectResource(object, baseUrlOf(req)));
        return true;
      }
      if (method === "DELETE") {
        store.delete(bucket, name);
        send(res, 204, null);
        return true;
      }
      return false;
    }
    // …/o/{src}/rewriteTo/b/{bucket}/o/{dst} and …/copyTo/…
    const verb = segments[4];
    if (
      (verb === "rewriteTo" || verb === "copyTo") &&
      method === "POST" &&
      segments[5] === "b" &&
      segments[6] &&
      segments[7] === "o" &&
      segments[8]
    ) {
      const targetBucket = decodeSegment(segments[6]);
      const targetName = decodeSegment(segments[8]);
      const body = await readBody(req, 1024 * 1024);
      const metadata = body.length ? (JSON.parse(body.toString("utf8")) as { contentType?: string }) : {};
      const source = store.get(bucket, name, query.get("sourceGeneration"));
      const copied = store.put(targetBucket, targetName, source.data, metadata.contentType ?? source.contentType);
      const resource = objectResource(copied, baseUrlOf(req));
      if (verb === "copyTo") sendJson(res, 200, resource);
      else {
        sendJson(res, 200, {
          kind: "storage#rewriteResponse",
          totalBytesRewritten: String(copied.data.length),
          objectSize: String(copied.data.length),
          done: true,
          resource,
        });
      }
      return true;
    }
    return false;
  }

  async function handleUpload(
    req: IncomingMessage,
    res: ServerResponse,
    segments: string[],
    query: Map<string, string>,
  ): Promise<boolean> {
    const method = req.method ?? "GET";
    if (segments[0] !== "b" || !segments[1] || segments[2] !== "o" || segments.length !== 3) return false;
    const bucket = decodeSegment(segments[1]);
    if (!store.hasBucket(bucket))
      throw new GcsError(404, "NoSuchBucket", "The specified bucket does not exist.", "notFound");
    const uploadType = query.get("uploadType");
    const readLimited = async () => {
      try {
        return await readBody(req, maxObjectBytes);
      } catch (error) {
        if (error instanceof BodyTooLarge) throw tooLarge(maxObjectBytes);
        throw error;
      }
    };

    if (method === "POST" && uploadType === "media") {
      const name = query.get("name");
      if (!name) throw new GcsError(400, "InvalidArgument", "Query parameter name is required.");
      const data = await readLimited();
      checkHashes(req, data);
      const object = store.put(bucket, name, data, header(req, "content-type") ?? "application/octet-stream");
      sendJson(res, 200, objectResource(object, baseUrlOf(req)));
      return true;
    }

    if (method === "POST" && uploadType === "multipart") {
      const body = await readLimited();
      const [metaPart, mediaPart] = parseMultipartRelated(body, header(req, "content-type") ?? "");
      if (!metaPart || !mediaPart)
        throw new GcsError(400, "InvalidArgument", "A multipart upload has a metadata part and a media part.");
      const metadata = JSON.parse(metaPart.body.toString("utf8") || "{}") as { name?: string; contentType?: string };
      const name = metadata.name ?? query.get("name");
      if (!name) throw new GcsError(400, "InvalidArgument", "The object name is missing.");
      checkHashes(req, mediaPart.body);
      const contentType = metadata.contentType ?? mediaPart.headers["content-type"] ?? "application/octet-stream";
      const object = store.put(bucket, name, mediaPart.body, contentType);
      sendJson(res, 200, objectResource(object, baseUrlOf(req)));
      return true;
    }

    if (method === "POST" && uploadType === "resumable") {
      const body = await readBody(req, 1024 * 1024);
      const metadata = body.length
        ? (JSON.parse(body.toString("utf8")) as { name?: string; contentType?: string })
        : {};
      const name = query.get("name") ?? metadata.name;
      if (!name) throw new GcsError(400, "InvalidArgument", "The object name is missing.");
      const id = randomUUID();
      sessions.set(id, {
        bucket,
        name,
        contentType: header(req, "x-upload-content-type") ?? metadata.contentType ?? "application/octet-stream",
        chunks: [],
        received: 0,
      });
      const location = `${baseUrlOf(req)}/upload/storage/v1/b/${encodeURIComponent(bucket)}/o?uploadType=resumable&name=${encodeURIComponent(name)}&upload_id=${id}`;
      send(res, 200, "", { location });
      return true;
    }

    const uploadId = query.get("upload_id");
    if (uploadId !== undefined && (method === "PUT" || method === "POST" || method === "DELETE")) {
      const session = sessions.get(uploadId);
      if (!session) throw new GcsError(404, "NoSuchUpload", "The upload session does not exist.", "notFound");
      if (method === "DELETE") {
        sessions.delete(uploadId);
        send(res, 499, null);
        return true;
      }
      await continueResumable(req, res, session);
      return true;
    }
    return false;
  }

  /**
   * One PUT of a resumable session. `Content-Range: bytes a-b/total` appends a chunk (final when
   * `total` is reached); `bytes a-*\/total|*` is a single request carrying the rest, final when
   * its body ends; `bytes *\/…` asks how far the session got. A request cut off mid-body stores
   * nothing, so an aborted upload leaves no object behind.
   */
  async function continueResumable(req: IncomingMessage, res: ServerResponse, session: UploadSession): Promise<void> {
    const baseUrl = baseUrlOf(req);
    if (session.done) {
      sendJson(res, 200, objectResource(session.done, baseUrl));
      return;
    }
    const range = header(req, "content-range") ?? "bytes 0-*/*";
    const status = /^bytes \*\/(\d+|\*)$/.exec(range);
    const chunk = /^bytes (\d+)-(\d+|\*)\/(\d+|\*)$/.exec(range);
    const incomplete = () =>
      send(res, 308, "", session.received > 0 ? { range: `bytes=0-${session.received - 1}` } : {});
    if (status) {
      await readBody(req, 0).catch(() => undefined);
      incomplete();
      return;
    }
    if (!chunk) throw new GcsError(400, "InvalidArgument", `Content-Range "${range}" is not understood.`);
    const start = Number(chunk[1]);
    if (start !== session.received)
      throw new GcsError(
        400,
        "InvalidArgument",
        `The chunk starts at ${start}, the session holds ${session.received} bytes.`,
      );
    let data: Buffer;
    try {
      data = await readBody(req, maxObjectBytes - session.received);
    } catch (error) {
      if (error instanceof BodyTooLarge) throw tooLarge(maxObjectBytes);
      throw error;
    }
    if (chunk[2] !== "*" && Number(chunk[2]) - start + 1 !== data.length) {
      throw new GcsError(400, "InvalidArgument", "The chunk length does not match its Content-Range.");
    }
    session.chunks.push(data);
    session.received += data.length;
    const total = chunk[3] === "*" ? undefined : Number(chunk[3]);
    const final = chunk[2] === "*" || session.received === total;
    if (!final) {
      incomplete();
      return;
    }
    const whole = Buffer.concat(session.chunks);
    if (total !== undefined && whole.length !== total) {
      throw new GcsError(400, "InvalidArgument", `The upload holds ${whole.length} bytes, ${total} were announced.`);
    }
    checkHashes(req, whole);
    session.done = store.put(session.bucket, session.name, whole, session.contentType);
    session.chunks = [];
    sendJson(res, 200, objectResource(session.done, baseUrl));
  }

  // XML API (signed URLs) -----------------------------------------------------------------------

  async function handleXml(
    req: IncomingMessage,
    res: ServerResponse,
    rawPath: string,
    rawQuery: string,
  ): Promise<void> {
    const method = req.method ?? "GET";
    const [bucketSegment, ...objectSegments] = rawPath.slice(1).split("/");
    const bucket = decodeSegment(bucketSegment ?? "");
    const name = objectSegments.map(decodeSegment).join("/");
    const signed = verifySignedRequest({
      method,
      rawPath,
      rawQuery,
      headers: req.headers,
      now: now(),
      publicKeyFor: (email) => keys.get(email),
    });
    if (!store.hasBucket(bucket))
      throw new GcsError(404, "NoSuchBucket", "The specified bucket does not exist.", "notFound");
    if (!name)
      throw new GcsError(501, "NotImplemented", "Bucket-level signed requests are not served by this test server.");
    if (method === "GET" || method === "HEAD") {
      const object = store.get(bucket, name, signed.query.get("generation"));
      sendMedia(req, res, "xml", object, {
        contentType: signed.query.get("response-content-type"),
        contentDisposition: signed.query.get("response-content-disposition"),
      });
      return;
    }
    if (method === "PUT") {
      if (header(req, "x-goog-resumable"))
        throw new GcsError(501, "NotImplemented", "Signed resumable uploads are not served by this test server.");
      const limits = lengthRange(req);
      const max = Math.min(limits?.max ?? maxObjectBytes, maxObjectBytes);
      const declared = header(req, "content-length");
      if (declared !== undefined && Number(declared) > max) {
        req.resume();
        throw tooLarge(max);
      }
      let data: Buffer;
      try {
        data = await readBody(req, max);
      } catch (error) {
        if (error instanceof BodyTooLarge) throw tooLarge(max);
        throw error;
      }
      if (limits && data.length < limits.min) {
        throw new GcsError(
          400,
          "EntityTooSmall",
          `Your proposed upload is smaller than the minimum size specified (${limits.min} bytes).`,
        );
      }
      checkHashes(req, data);
      const object = store.put(bucket, name, data, header(req, "content-type") ?? "application/octet-stream");
      send(res, 200, "", {
        etag: `"${Buffer.from(object.md5Hash, "base64").toString("hex")}"`,
        "x-goog-generation": object.generation,
        "x-goog-hash": `crc32c=${object.crc32c},md5=${object.md5Hash}`,
      });
      return;
    }
    if (method === "DELETE") {
      store.delete(bucket, name);
      send(res, 204, null);
      return;
    }
    throw new GcsError(405, "MethodNotAllowed", `${method} is not allowed on an object.`);
  }

  /** The first CORS rule matching an origin and method, as GCS picks it. */
  function corsRule(origin: string, method: string): CorsRule | undefined {
    return options.cors?.find(
      (rule) =>
        (rule.origin.includes("*") || rule.origin.includes(origin)) &&
        rule.method.some((allowed) => allowed.toUpperCase() === method.toUpperCase()),
    );
  }

  /**
   * CORS on the XML API: a preflight is answered here (403 when no rule allows it); other
   * requests from a matching origin get the allow and expose headers on whatever they answer.
   */
  function applyCors(req: IncomingMessage, res: ServerResponse): boolean {
    const origin = header(req, "origin");
    if (!origin || !options.cors) return false;
    const preflight = req.method === "OPTIONS" && header(req, "access-control-request-method") !== undefined;
    const rule = corsRule(
      origin,
      preflight ? (header(req, "access-control-request-method") as string) : (req.method ?? "GET"),
    );
    res.setHeader("vary", "Origin");
    if (rule) res.setHeader("access-control-allow-origin", origin);
    if (!preflight) {
      if (rule?.responseHeader?.length) res.setHeader("access-control-expose-headers", rule.responseHeader.join(", "));
      return false;
    }
    if (!rule) {
      send(res, 403, null);
      return true;
    }
    res.setHeader("access-control-allow-methods", rule.method.join(", "));
    const requested = header(req, "access-control-request-headers");
    if (requested) res.setHeader("access-control-allow-headers", requested);
    if (rule.maxAgeSeconds !== undefined) res.setHeader("access-control-max-age", String(rule.maxAgeSeconds));
    send(res, 200, null);
    return true;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? "/";
    const questionMark = url.indexOf("?");
    const rawPath = questionMark < 0 ? url : url.slice(0, questionMark);
    const rawQuery = questionMark < 0 ? "" : url.slice(questionMark + 1);
    const segments = rawPath.split("/").slice(1);
    const api: Api =
      rawPath.startsWith("/storage/v1/") ||
      rawPath.startsWith("/upload/storage/v1/") ||
      rawPath.startsWith("/download/storage/v1/")
        ? "json"
        : "xml";
    try {
      if (api === "xml") {
        if (applyCors(req, res)) return;
        await handleXml(req, res, rawPath, rawQuery);
        return;
      }
      const query = parseRawQuery(rawQuery.replace(/\+/g, "%20"));
      let handled = false;
      if (segments[0] === "storage") handled = await handleJson(req, res, segments.slice(2), query);
      else if (segments[0] === "upload") handled = await handleUpload(req, res, segments.slice(3), query);
      else if (segments[0] === "download") handled = await handleJson(req, res, segments.slice(3), query);
      if (!handled) {
        unhandled.push(`${req.method} ${url}`);
        throw new GcsError(501, "NotImplemented", `${req.method} ${rawPath} is not served by this test server.`);
      }
    } catch (error) {
      if (error instanceof BodyCutOff) {
        abortedUploads++;
        res.destroy();
        return;
      }
      if (error instanceof GcsError) {
        sendError(res, api, error);
        return;
      }
      if (error instanceof SyntaxError) {
        sendError(
          res,
          api,
          new GcsError(400, "InvalidArgument", `The request body is not valid JSON: ${error.message}`),
        );
        return;
      }
      unhandled.push(`${req.method} ${url}: ${(error as Error).message}`);
      sendError(res, api, new GcsError(500, "InternalError", (error as Error).message, "backendError"));
    }
  }

  const server: Server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? "127.0.0.1"}:${address.port}`,
    store,
    unhandled,
    abortedUploads: () => abortedUploads,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
