import { Readable } from "node:stream";
import { answerObjectRequest } from "@/lib/blobs/serve-object";
import { DomainError } from "@/lib/errors";
import { errorResponse } from "@/server/http/errors";
import { objectResponse } from "@/server/http/object-response";
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
 * the signature), GET/HEAD streamed with `Range` and conditional requests (`answerObjectRequest`). Framework-free: takes and
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
    const answer = await answerObjectRequest(
      store,
      { key, size: info.size, etag: info.etag, lastModified: info.updatedAt },
      request,
      {
        "content-type": claims.contentType ?? info.contentType,
        // The URL itself is the credential: caches may keep it only as long as it is valid.
        "cache-control": `private, max-age=${Math.max(0, claims.expires - Math.floor(Date.now() / 1000))}`,
        ...(claims.downloadName ? { "content-disposition": contentDisposition(claims.downloadName) } : {}),
      },
    );
    return objectResponse(answer);
  } catch (error) {
    return errorResponse(error);
  }
}
