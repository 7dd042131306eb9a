import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { PassThrough, Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Bucket, FileMetadata, Storage } from "@google-cloud/storage";
import { DomainError } from "@/lib/errors";
import { assertValidBlobKey, assertValidBlobPrefix } from "@/lib/blobs/keys";
import type {
  BlobInfo,
  BlobRead,
  BlobStore,
  ByteRange,
  ListPage,
  PutOptions,
  SignedUrl,
  SignedUrlRequest,
} from "@/lib/blobs/port";

const MAX_UPLOAD_TTL_S = 3600;
const MAX_DOWNLOAD_TTL_S = 7 * 24 * 3600;
const MAX_LIST = 1000;
const DEFAULT_CONTENT_TYPE = "application/octet-stream";
/**
 * Bodies whose size is known and below this go up in one multipart request; larger ones and
 * streams of unknown size use a resumable session (one streamed PUT, retried from the last byte
 * GCS acknowledged).
 */
const SINGLE_REQUEST_MAX_BYTES = 8 * 1024 * 1024;
const DELETE_CONCURRENCY = 16;

/** Counts bytes and fails the stream as soon as it passes the limit. */
function sizeLimit(maxSizeBytes: number | undefined): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (maxSizeBytes !== undefined && seen > maxSizeBytes) {
        callback(
          new DomainError("too_large", `The body is larger than the ${maxSizeBytes} bytes allowed.`, {
            reason: "body_too_large",
          }),
        );
        return;
      }
      callback(null, chunk);
    },
  });
}

/** HTTP status of a GCS API error (`ApiError.code`), if it is one. */
function httpStatus(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "number" ? code : undefined;
}

/** Turn a GCS client error into the port's error; DomainErrors pass through. */
export function toDomainError(error: unknown, target: string): unknown {
  if (error instanceof DomainError) return error;
  const status = httpStatus(error);
  const cause = error;
  if (status === 404)
    return new DomainError("not_found", `Blob ${target} does not exist.`, { reason: "blob_missing", cause });
  if (status === 412)
    return new DomainError("precondition_failed", `Blob ${target} changed meanwhile.`, {
      reason: "generation_mismatch",
      cause,
    });
  if (status === 400)
    return new DomainError("invalid", `Cloud Storage refused the request on ${target}.`, {
      reason: "invalid_request",
      cause,
    });
  if (status === 401 || status === 403) {
    return new DomainError("internal", `Cloud Storage denied access to ${target}; check the service account's roles.`, {
      reason: "storage_access_denied",
      cause,
    });
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "FILE_NO_UPLOAD" || code === "CONTENT_DOWNLOAD_MISMATCH") {
    return new DomainError("internal", `Checksums of ${target} did not match; nothing was kept.`, {
      reason: "checksum_mismatch",
      cause,
    });
  }
  // 429, 5xx, resets and refused connections: the backend is not reachable right now.
  return new DomainError("unavailable", `Cloud Storage cannot be reached (${target}); try again.`, {
    reason: "blobs_unavailable",
    cause,
  });
}

/** RFC 6266 filename, ASCII-safe with a UTF-8 fallback (same header the local adapter sends). */
function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

function toInfo(key: string, metadata: FileMetadata): BlobInfo {
  return {
    key,
    size: Number(metadata.size ?? 0),
    contentType: metadata.contentType ?? DEFAULT_CONTENT_TYPE,
    updatedAt: new Date(metadata.updated ?? metadata.timeCreated ?? 0).toISOString(),
    // The generation changes on every write of the object and on nothing else.
    etag: String(metadata.generation ?? metadata.etag ?? ""),
  };
}

/**
 * Blobs in a Google Cloud Storage bucket (@google-cloud/storage 7). Uploads stream with CRC32C
 * validation and replace the object atomically (GCS never shows half an object); the size limit is
 * enforced while streaming and an upload that passes it is abandoned unfinished, so nothing is
 * stored. Signed URLs are V4: a PUT is bound to its content type and, through the signed
 * `x-goog-content-length-range` header, to a size limit; a GET can name the download.
 */
export class GcsBlobStore implements BlobStore {
  private readonly bucket: Bucket;
  private readonly apiEndpoint: string;

  constructor(storage: Storage, bucketName: string) {
    this.bucket = storage.bucket(bucketName);
    this.apiEndpoint = storage.apiEndpoint;
  }

  private uploadAgent(): HttpAgent {
    return this.apiEndpoint.startsWith("http://")
      ? new HttpAgent({ keepAlive: false })
      : new HttpsAgent({ keepAlive: false });
  }

  private async metadata(key: string): Promise<FileMetadata | null> {
    try {
      const [metadata] = await this.bucket.file(key).getMetadata();
      return metadata;
    } catch (error) {
      if (httpStatus(error) === 404) return null;
      throw toDomainError(error, key);
    }
  }

  async put(key: string, body: Readable | Uint8Array, options: PutOptions = {}): Promise<BlobInfo> {
    assertValidBlobKey(key);
    const max = options.maxSizeBytes;
    if (body instanceof Uint8Array && max !== undefined && body.length > max) {
      throw new DomainError("too_large", `The body (${body.length} bytes) is larger than the ${max} bytes allowed.`, {
        reason: "body_too_large",
      });
    }
    const file = this.bucket.file(key);
    const contentType = options.contentType ?? DEFAULT_CONTENT_TYPE;
    const source = body instanceof Uint8Array ? Readable.from([Buffer.from(body)]) : body;
    const resumable = !(body instanceof Uint8Array && body.length <= SINGLE_REQUEST_MAX_BYTES);
    // When a resumable upload is abandoned (size limit, broken source), the client library stops
    // feeding its PUT but leaves the request open. Its requests go through an agent of their own
    // here, so abandoning the upload can cut the connection: GCS then never finalizes the object.
    const agent = resumable ? this.uploadAgent() : undefined;
    if (agent) {
      type Interceptor = (typeof file.interceptors)[number];
      // The library merges what interceptors return into each upload request (gaxios options).
      file.interceptors.push({
        request: (requestOptions) => ({ ...requestOptions, agent }) as unknown as ReturnType<Interceptor["request"]>,
      });
    }
    const upload = file.createWriteStream({ resumable, contentType, metadata: { contentType }, validation: "crc32c" });
    try {
      await pipeline(source, sizeLimit(max), upload);
    } catch (error) {
      if (!(body instanceof Uint8Array)) body.destroy();
      throw toDomainError(error, key);
    } finally {
      agent?.destroy();
    }
    const metadata = file.metadata.generation !== undefined ? file.metadata : await this.metadata(key);
    if (!metadata)
      throw new DomainError("internal", `Blob ${key} vanished right after its upload.`, { reason: "blob_missing" });
    return toInfo(key, metadata);
  }

  async get(key: string, options: { range?: ByteRange } = {}): Promise<BlobRead> {
    assertValidBlobKey(key);
    const metadata = await this.metadata(key);
    if (!metadata) throw new DomainError("not_found", `Blob ${key} does not exist.`, { reason: "blob_missing" });
    const info = toInfo(key, metadata);
    // Pin the generation just described, so the bytes always match `info`.
    const file = this.bucket.file(key, { generation: metadata.generation });
    let range: { start: number; end: number } | undefined;
    if (options.range) {
      const { start } = options.range;
      const end = Math.min(options.range.end ?? info.size - 1, info.size - 1);
      if (!Number.isInteger(start) || start < 0 || start >= info.size || end < start) {
        throw new DomainError(
          "invalid",
          `Range ${start}-${options.range.end ?? ""} is outside ${key} (${info.size} bytes).`,
          {
            reason: "range_not_satisfiable",
          },
        );
      }
      range = { start, end };
    }
    const raw = range
      ? file.createReadStream({ start: range.start, end: range.end })
      : file.createReadStream({ validation: "crc32c" });
    // Errors surface while reading; give the consumer the port's errors there too.
    const stream = new PassThrough();
    raw.on("error", (error) => stream.destroy(toDomainError(error, key) as Error));
    stream.on("close", () => raw.destroy());
    raw.pipe(stream);
    return range ? { info, stream, range } : { info, stream };
  }

  async head(key: string): Promise<BlobInfo | null> {
    assertValidBlobKey(key);
    const metadata = await this.metadata(key);
    return metadata ? toInfo(key, metadata) : null;
  }

  async copy(fromKey: string, toKey: string): Promise<BlobInfo> {
    assertValidBlobKey(fromKey);
    assertValidBlobKey(toKey);
    try {
      const [copied, response] = await this.bucket.file(fromKey).copy(this.bucket.file(toKey));
      const resource =
        (response as { resource?: FileMetadata } | undefined)?.resource ?? (await copied.getMetadata())[0];
      return toInfo(toKey, resource);
    } catch (error) {
      throw toDomainError(error, httpStatus(error) === 404 ? fromKey : toKey);
    }
  }

  async list(prefix: string, options: { cursor?: string; limit?: number } = {}): Promise<ListPage> {
    assertValidBlobPrefix(prefix);
    const limit = Math.min(Math.max(options.limit ?? MAX_LIST, 1), MAX_LIST);
    try {
      const [files, next] = await this.bucket.getFiles({
        prefix,
        maxResults: limit,
        autoPaginate: false,
        ...(options.cursor ? { pageToken: options.cursor } : {}),
      });
      const token = (next as { pageToken?: string } | null | undefined)?.pageToken;
      return { items: files.map((file) => toInfo(file.name, file.metadata)), nextCursor: token ?? null };
    } catch (error) {
      throw toDomainError(error, `${prefix}*`);
    }
  }

  async delete(key: string): Promise<void> {
    assertValidBlobKey(key);
    try {
      await this.bucket.file(key).delete({ ignoreNotFound: true });
    } catch (error) {
      throw toDomainError(error, key);
    }
  }

  async deletePrefix(prefix: string): Promise<number> {
    if (prefix === "")
      throw new DomainError("invalid", "Refusing to delete every blob.", { reason: "invalid_blob_key" });
    assertValidBlobPrefix(prefix);
    let deleted = 0;
    let cursor: string | undefined;
    do {
      const page = await this.list(prefix, { limit: MAX_LIST, ...(cursor ? { cursor } : {}) });
      for (let i = 0; i < page.items.length; i += DELETE_CONCURRENCY) {
        await Promise.all(page.items.slice(i, i + DELETE_CONCURRENCY).map((item) => this.delete(item.key)));
      }
      deleted += page.items.length;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return deleted;
  }

  async signUrl(request: SignedUrlRequest): Promise<SignedUrl> {
    assertValidBlobKey(request.key);
    const maxTtl = request.method === "PUT" ? MAX_UPLOAD_TTL_S : MAX_DOWNLOAD_TTL_S;
    if (!(request.expiresInS > 0 && request.expiresInS <= maxTtl)) {
      throw new DomainError("invalid", `Signed URL lifetime must be 1 to ${maxTtl} seconds.`, {
        reason: "invalid_expiry",
      });
    }
    // Whole seconds, as X-Goog-Date carries them, so `expiresAt` is exactly what GCS enforces.
    const signedAt = Math.floor(Date.now() / 1000) * 1000;
    const expiresAt = signedAt + Math.floor(request.expiresInS) * 1000;
    const file = this.bucket.file(request.key);
    const headers: Record<string, string> = {};
    try {
      if (request.method === "PUT") {
        if (request.maxSizeBytes !== undefined) headers["x-goog-content-length-range"] = `0,${request.maxSizeBytes}`;
        const [url] = await file.getSignedUrl({
          version: "v4",
          action: "write",
          accessibleAt: signedAt,
          expires: expiresAt,
          ...(request.contentType ? { contentType: request.contentType } : {}),
          extensionHeaders: { ...headers },
        });
        if (request.contentType) headers["content-type"] = request.contentType;
        return { url, method: "PUT", headers, expiresAt: new Date(expiresAt).toISOString() };
      }
      const [url] = await file.getSignedUrl({
        version: "v4",
        action: "read",
        accessibleAt: signedAt,
        expires: expiresAt,
        ...(request.contentType ? { responseType: request.contentType } : {}),
        ...(request.downloadName ? { responseDisposition: contentDisposition(request.downloadName) } : {}),
      });
      return { url, method: "GET", headers, expiresAt: new Date(expiresAt).toISOString() };
    } catch (error) {
      throw new DomainError("unavailable", `Signing a URL for ${request.key} failed: ${(error as Error).message}`, {
        reason: "signing_failed",
        cause: error,
      });
    }
  }

  /**
   * Lists at most one object: proves the bucket exists and that this service account may use it
   * (a bucket metadata read would need `storage.buckets.get`, which object-level roles lack).
   */
  async ping(): Promise<void> {
    try {
      await this.bucket.getFiles({ maxResults: 1, autoPaginate: false });
    } catch (error) {
      const status = httpStatus(error);
      throw new DomainError(
        "unavailable",
        status === 404 ? `Bucket ${this.bucket.name} does not exist.` : `Bucket ${this.bucket.name} cannot be reached.`,
        { reason: status === 404 ? "bucket_missing" : "blobs_unavailable", cause: error },
      );
    }
  }
}
