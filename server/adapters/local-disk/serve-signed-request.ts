import { Readable } from "node:stream";
import parseRange from "range-parser";
import { DomainError } from "@/lib/errors";
import { errorResponse } from "@/server/http/errors";
import type { LocalDiskBlobStore } from "./local-disk-blob-store";

const PREFIX = "/api/blobs/";

function keyFromPath(pathname: string): string {
  if (!pathname.startsWith(PREFIX)) throw new DomainError("not_found", "No such blob route.");
  try {
    return pathname.slice(PREFIX.length).split("/").map(decodeURIComponent).join("/");
  } catch {
    throw new DomainError("forbidden", "The signed URL is not valid for this request.", {
      reason: "signed_url_invalid",
    });
  }
}

/** RFC 6266 filename, ASCII-safe with a UTF-8 fallback. */
function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/**
 * Serve a request to an HMAC-signed local blob URL: streamed PUT (content type and size bound by
 * the signature), GET/HEAD with `Range` and conditional requests. Framework-free: takes and
 * returns web `Request`/`Response`, so the Next route and plain test servers share it.
 */
export interface ServeSignedBlobOptions {
  /** Runs before a signed PUT stores anything (e.g. refuses an upload whose episode was ingested). */
  beforePut?: (key: string) => Promise<void>;
}

export async function serveSignedBlobRequest(
  store: LocalDiskBlobStore,
  request: Request,
  options: ServeSignedBlobOptions = {},
): Promise<Response> {
  try {
    const url = new URL(request.url);
    const key = keyFromPath(url.pathname);
    const claims = store.verifySignedUrl(key, url.searchParams, request.method);
    if (request.method === "PUT") {
      const contentType = (request.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
      if (claims.contentType && contentType !== claims.contentType.toLowerCase()) {
        throw new DomainError(
          "unsupported_media_type",
          `This upload URL takes Content-Type ${claims.contentType}, not "${contentType || "none"}".`,
          {
            reason: "content_type_mismatch",
          },
        );
      }
      const declared = Number(request.headers.get("content-length") ?? "NaN");
      if (claims.maxSizeBytes !== undefined && Number.isFinite(declared) && declared > claims.maxSizeBytes) {
        throw new DomainError(
          "too_large",
          `The body (${declared} bytes) is larger than the ${claims.maxSizeBytes} bytes this URL allows.`,
          {
            reason: "body_too_large",
          },
        );
      }
      if (!request.body) throw new DomainError("invalid", "The upload has no body.", { reason: "body_missing" });
      await options.beforePut?.(key);
      const body = Readable.fromWeb(request.body as import("node:stream/web").ReadableStream);
      // A client that goes away mid-upload ends the write at once: the temp file is removed.
      const abort = () =>
        body.destroy(new DomainError("invalid", "The upload was aborted.", { reason: "upload_aborted" }));
      if (request.signal.aborted) abort();
      else request.signal.addEventListener("abort", abort, { once: true });
      const info = await store.put(key, body, {
        contentType: claims.contentType ?? (contentType || "application/octet-stream"),
        maxSizeBytes: claims.maxSizeBytes,
      });
      return Response.json({ key: info.key, size: info.size, etag: info.etag }, { status: 200 });
    }
    const info = await store.head(key);
    if (!info) throw new DomainError("not_found", `Blob ${key} does not exist.`, { reason: "blob_missing" });
    const headers = new Headers({
      "content-type": claims.contentType ?? info.contentType,
      etag: `"${info.etag}"`,
      "last-modified": new Date(info.updatedAt).toUTCString(),
      "accept-ranges": "bytes",
      // The URL itself is the credential: caches may keep it only as long as it is valid.
      "cache-control": `private, max-age=${Math.max(0, claims.expires - Math.floor(Date.now() / 1000))}`,
    });
    if (claims.downloadName) headers.set("content-disposition", contentDisposition(claims.downloadName));
    if (request.headers.get("if-none-match") === `"${info.etag}"`) return new Response(null, { status: 304, headers });
    const rangeHeader = request.headers.get("range");
    let status = 200;
    let range: { start: number; end: number } | undefined;
    if (rangeHeader) {
      const parsed = parseRange(info.size, rangeHeader, { combine: true });
      if (parsed === -1) {
        headers.set("content-range", `bytes */${info.size}`);
        return Response.json(
          {
            error: {
              code: "invalid",
              message: `Range ${rangeHeader} is outside the ${info.size}-byte object.`,
              reason: "range_not_satisfiable",
            },
          },
          { status: 416, headers },
        );
      }
      if (parsed !== -2 && parsed.type === "bytes" && parsed.length === 1 && parsed[0]) {
        range = { start: parsed[0].start, end: parsed[0].end };
        status = 206;
        headers.set("content-range", `bytes ${range.start}-${range.end}/${info.size}`);
      }
    }
    headers.set("content-length", String(range ? range.end - range.start + 1 : info.size));
    if (request.method === "HEAD") return new Response(null, { status, headers });
    const read = await store.get(key, range ? { range } : {});
    return new Response(Readable.toWeb(read.stream) as ReadableStream, { status, headers });
  } catch (error) {
    return errorResponse(error);
  }
}
