import type { Readable } from "node:stream";

/** What the store knows about one object. */
export interface BlobInfo {
  key: string;
  /** Size in bytes. */
  size: number;
  contentType: string;
  /** ISO-8601 time of the last write. */
  updatedAt: string;
  /** Changes whenever the bytes change; opaque. */
  etag: string;
}

/** An inclusive byte range as in HTTP `Range: bytes=start-end`; `end` absent means to the end. */
export interface ByteRange {
  start: number;
  end?: number;
}

export interface BlobRead {
  info: BlobInfo;
  /** The bytes (the whole object, or the requested range). Always consume or destroy it. */
  stream: Readable;
  /** The range actually served, inclusive, when one was asked for. */
  range?: { start: number; end: number };
}

export interface PutOptions {
  contentType?: string;
  /** Refuse with `too_large` (and store nothing) when the body exceeds this many bytes. */
  maxSizeBytes?: number;
}

export interface SignedUrlRequest {
  key: string;
  method: "GET" | "PUT";
  /** Lifetime in seconds; at most 3600 for uploads, 7 days for downloads. */
  expiresInS: number;
  /** For PUT: the content type the uploader must send. For GET: the type to answer with. */
  contentType?: string;
  /** For PUT: the largest body accepted. */
  maxSizeBytes?: number;
  /** For GET: ask the browser to download under this file name. */
  downloadName?: string;
}

export interface SignedUrl {
  url: string;
  method: "GET" | "PUT";
  /** Headers the caller must send with the request (content type, size range...). */
  headers: Record<string, string>;
  /** ISO-8601 expiry. */
  expiresAt: string;
}

export interface ListPage {
  items: BlobInfo[];
  /** Pass back to get the next page; null at the end. */
  nextCursor: string | null;
}

/**
 * The blob port: local disk on the embedded default, Google Cloud Storage in the cloud.
 * Every key passes `assertValidBlobKey` first. Bodies stream; nothing buffers a whole object.
 */
export interface BlobStore {
  /** Write an object from a stream or bytes, replacing any previous one atomically. */
  put(key: string, body: Readable | Uint8Array, options?: PutOptions): Promise<BlobInfo>;
  /** Read an object or a byte range of it; `not_found` when absent, `invalid` for an unsatisfiable range. */
  get(key: string, options?: { range?: ByteRange }): Promise<BlobRead>;
  /** Object metadata, or null when absent. */
  head(key: string): Promise<BlobInfo | null>;
  /** Server-side copy; replaces the destination atomically. */
  copy(fromKey: string, toKey: string): Promise<BlobInfo>;
  /** Objects whose key starts with `prefix`, in key order. */
  list(prefix: string, options?: { cursor?: string; limit?: number }): Promise<ListPage>;
  /** Delete one object; deleting an absent object is not an error. */
  delete(key: string): Promise<void>;
  /** Delete every object under a prefix; returns how many were deleted. */
  deletePrefix(prefix: string): Promise<number>;
  /** A URL that lets its holder do exactly one method on exactly one key until it expires. */
  signUrl(request: SignedUrlRequest): Promise<SignedUrl>;
  /** Throws when the backend cannot be reached (used by readiness). */
  ping(): Promise<void>;
  /**
   * Remove the store's own temporary files no write touched since `idleSince` (a write killed
   * mid-way that nothing cleaned up); returns how many. Stores without temp files omit it.
   */
  sweepTemporaryFiles?(idleSince: Date): Promise<number>;
}
