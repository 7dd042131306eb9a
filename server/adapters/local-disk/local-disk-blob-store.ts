import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { copyFile, link, mkdir, readdir, readFile, rename, rm, rmdir, stat, writeFile } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
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

export interface LocalDiskBlobStoreOptions {
  /** Folder holding `data/` (the bytes) and `meta/` (content type and etag per object). */
  root: string;
  /** HMAC key for signed URLs (32+ random bytes, persisted by the runtime). */
  signingSecret: string;
  /** Where the app is reached, e.g. `http://localhost:3000`; signed URLs point at `/api/blobs/…` on it. */
  publicBaseUrl: string;
  now?: () => Date;
}

interface Meta {
  contentType: string;
  etag: string;
}

/** The parameters a local signed URL carries; the HMAC covers all of them and the key. */
export interface SignedUrlClaims {
  key: string;
  method: "GET" | "PUT";
  expires: number;
  contentType?: string;
  maxSizeBytes?: number;
  downloadName?: string;
}

const SIGNED_PATH = "/api/blobs/";
const MAX_UPLOAD_TTL_S = 3600;
const MAX_DOWNLOAD_TTL_S = 7 * 24 * 3600;

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

/**
 * Blobs on local disk for the embedded default. Writes go to a temp file and are renamed into
 * place, so a reader never sees half an object and a crash leaves the old one. Signed URLs are
 * HMAC-signed links to the app's own `/api/blobs/…` route, which calls `serveSigned…` below.
 */
export class LocalDiskBlobStore implements BlobStore {
  private readonly dataRoot: string;
  private readonly metaRoot: string;
  private readonly tmpRoot: string;
  private readonly now: () => Date;

  constructor(private readonly options: LocalDiskBlobStoreOptions) {
    const root = resolve(options.root);
    this.dataRoot = join(root, "data");
    this.metaRoot = join(root, "meta");
    this.tmpRoot = join(root, "tmp");
    this.now = options.now ?? (() => new Date());
  }

  /** Second line of defence after key validation: the path must stay under the data root. */
  private pathFor(rootDir: string, key: string, suffix = ""): string {
    assertValidBlobKey(key);
    const path = resolve(rootDir, key + suffix);
    if (!path.startsWith(rootDir + sep)) {
      throw new DomainError("invalid", `Blob key "${key}" resolves outside the store.`, { reason: "invalid_blob_key" });
    }
    return path;
  }

  private async tempPath(): Promise<string> {
    await mkdir(this.tmpRoot, { recursive: true });
    return join(this.tmpRoot, randomUUID());
  }

  private async readMeta(key: string): Promise<Meta | null> {
    try {
      return JSON.parse(await readFile(this.pathFor(this.metaRoot, key, ".json"), "utf8")) as Meta;
    } catch {
      return null;
    }
  }

  private async writeMeta(key: string, meta: Meta): Promise<void> {
    const path = this.pathFor(this.metaRoot, key, ".json");
    await mkdir(dirname(path), { recursive: true });
    const temp = await this.tempPath();
    await writeFile(temp, JSON.stringify(meta));
    await rename(temp, path);
  }

  private async info(key: string): Promise<BlobInfo | null> {
    let stats;
    try {
      stats = await stat(this.pathFor(this.dataRoot, key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT" || (error as NodeJS.ErrnoException).code === "ENOTDIR")
        return null;
      throw error;
    }
    if (!stats.isFile()) return null;
    const meta = await this.readMeta(key);
    return {
      key,
      size: stats.size,
      contentType: meta?.contentType ?? "application/octet-stream",
      updatedAt: stats.mtime.toISOString(),
      etag: meta?.etag ?? `${stats.size}-${stats.mtimeMs}`,
    };
  }

  async put(key: string, body: Readable | Uint8Array, options: PutOptions = {}): Promise<BlobInfo> {
    const path = this.pathFor(this.dataRoot, key);
    const temp = await this.tempPath();
    const source = body instanceof Uint8Array ? Readable.from([Buffer.from(body)]) : body;
    const file = createWriteStream(temp);
    try {
      await pipeline(source, sizeLimit(options.maxSizeBytes), file);
      await mkdir(dirname(path), { recursive: true });
      // Meta first: a crash between the two renames leaves old bytes under a fresh etag, which
      // only costs a cache miss; the other order could serve new bytes under an old etag.
      await this.writeMeta(key, { contentType: options.contentType ?? "application/octet-stream", etag: randomUUID() });
      await rename(temp, path);
    } catch (error) {
      // A write stream destroyed while it was still opening creates its file afterwards: wait
      // for it to close, so the temp file is really gone (an aborted upload leaves nothing).
      if (!file.closed) await new Promise<void>((resolve) => file.once("close", () => resolve()));
      await rm(temp, { force: true });
      if (!(body instanceof Uint8Array)) body.destroy();
      throw error;
    }
    return (await this.info(key)) as BlobInfo;
  }

  async get(key: string, options: { range?: ByteRange } = {}): Promise<BlobRead> {
    const info = await this.info(key);
    if (!info) throw new DomainError("not_found", `Blob ${key} does not exist.`, { reason: "blob_missing" });
    const path = this.pathFor(this.dataRoot, key);
    if (!options.range) return { info, stream: createReadStream(path) };
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
    return { info, stream: createReadStream(path, { start, end }), range: { start, end } };
  }

  async head(key: string): Promise<BlobInfo | null> {
    return this.info(key);
  }

  async copy(fromKey: string, toKey: string): Promise<BlobInfo> {
    const source = await this.info(fromKey);
    if (!source) throw new DomainError("not_found", `Blob ${fromKey} does not exist.`, { reason: "blob_missing" });
    const target = this.pathFor(this.dataRoot, toKey);
    const temp = await this.tempPath();
    try {
      // A hard link instead of a byte copy: objects are never changed in place (every write is a
      // new file renamed over the key), so the two names can safely share one inode. Copy when
      // the filesystem refuses links.
      await link(this.pathFor(this.dataRoot, fromKey), temp).catch(() =>
        copyFile(this.pathFor(this.dataRoot, fromKey), temp),
      );
      await mkdir(dirname(target), { recursive: true });
      await this.writeMeta(toKey, { contentType: source.contentType, etag: randomUUID() });
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    return (await this.info(toKey)) as BlobInfo;
  }

  /** Every key under `dir` (recursively), relative to the data root. */
  private async walk(dir: string, relative: string, out: string[]): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT" || (error as NodeJS.ErrnoException).code === "ENOTDIR")
        return;
      throw error;
    }
    for (const entry of entries) {
      const key = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await this.walk(join(dir, entry.name), key, out);
      else if (entry.isFile()) out.push(key);
    }
  }

  private async keysUnder(prefix: string): Promise<string[]> {
    assertValidBlobPrefix(prefix);
    // Walk from the deepest folder the prefix names, then filter by the full prefix.
    const slash = prefix.lastIndexOf("/");
    const folder = slash >= 0 ? prefix.slice(0, slash) : "";
    const start = folder ? this.pathFor(this.dataRoot, folder) : this.dataRoot;
    const keys: string[] = [];
    await this.walk(start, folder, keys);
    return keys.filter((key) => key.startsWith(prefix)).sort();
  }

  async list(prefix: string, options: { cursor?: string; limit?: number } = {}): Promise<ListPage> {
    const limit = Math.min(Math.max(options.limit ?? 1000, 1), 1000);
    const keys = (await this.keysUnder(prefix)).filter((key) => options.cursor === undefined || key > options.cursor);
    const page = keys.slice(0, limit);
    const items = (await Promise.all(page.map((key) => this.info(key)))).filter(
      (info): info is BlobInfo => info !== null,
    );
    return { items, nextCursor: keys.length > limit ? (page[page.length - 1] ?? null) : null };
  }

  async delete(key: string): Promise<void> {
    const path = this.pathFor(this.dataRoot, key);
    await rm(path, { force: true });
    await rm(this.pathFor(this.metaRoot, key, ".json"), { force: true });
    await this.pruneEmptyFolders(dirname(path), this.dataRoot);
  }

  private async pruneEmptyFolders(folder: string, rootDir: string): Promise<void> {
    let current = folder;
    while (current.startsWith(rootDir + sep)) {
      try {
        await rmdir(current);
      } catch {
        return;
      }
      current = dirname(current);
    }
  }

  async deletePrefix(prefix: string): Promise<number> {
    if (prefix === "")
      throw new DomainError("invalid", "Refusing to delete every blob.", { reason: "invalid_blob_key" });
    const keys = await this.keysUnder(prefix);
    for (const key of keys) await this.delete(key);
    return keys.length;
  }

  async signUrl(request: SignedUrlRequest): Promise<SignedUrl> {
    assertValidBlobKey(request.key);
    const maxTtl = request.method === "PUT" ? MAX_UPLOAD_TTL_S : MAX_DOWNLOAD_TTL_S;
    if (!(request.expiresInS > 0 && request.expiresInS <= maxTtl)) {
      throw new DomainError("invalid", `Signed URL lifetime must be 1 to ${maxTtl} seconds.`, {
        reason: "invalid_expiry",
      });
    }
    const claims: SignedUrlClaims = {
      key: request.key,
      method: request.method,
      expires: Math.floor(this.now().getTime() / 1000) + Math.floor(request.expiresInS),
      contentType: request.contentType,
      maxSizeBytes: request.maxSizeBytes,
      downloadName: request.downloadName,
    };
    const params = new URLSearchParams();
    params.set("method", claims.method);
    params.set("expires", String(claims.expires));
    if (claims.contentType) params.set("type", claims.contentType);
    if (claims.maxSizeBytes !== undefined) params.set("max", String(claims.maxSizeBytes));
    if (claims.downloadName) params.set("name", claims.downloadName);
    params.set("sig", this.signature(claims));
    const path = SIGNED_PATH + request.key.split("/").map(encodeURIComponent).join("/");
    const headers: Record<string, string> = {};
    if (request.method === "PUT" && claims.contentType) headers["content-type"] = claims.contentType;
    return {
      url: `${this.options.publicBaseUrl.replace(/\/$/, "")}${path}?${params.toString()}`,
      method: request.method,
      headers,
      expiresAt: new Date(claims.expires * 1000).toISOString(),
    };
  }

  private signature(claims: SignedUrlClaims): string {
    const canonical = [
      "v1",
      claims.method,
      claims.key,
      claims.expires,
      claims.contentType ?? "",
      claims.maxSizeBytes ?? "",
      claims.downloadName ?? "",
    ].join("\n");
    return createHmac("sha256", this.options.signingSecret).update(canonical).digest("base64url");
  }

  /**
   * Check a signed URL (path after `/api/blobs/`, decoded, and its query) for `method`.
   * Throws `forbidden` with reason `signed_url_invalid` or `signed_url_expired`.
   */
  verifySignedUrl(key: string, query: URLSearchParams, method: string): SignedUrlClaims {
    const invalid = () =>
      new DomainError("forbidden", "The signed URL is not valid for this request.", { reason: "signed_url_invalid" });
    try {
      assertValidBlobKey(key);
    } catch {
      throw invalid();
    }
    const signedMethod = query.get("method");
    const expires = Number(query.get("expires"));
    const max = query.get("max");
    if ((signedMethod !== "GET" && signedMethod !== "PUT") || !Number.isInteger(expires)) throw invalid();
    const claims: SignedUrlClaims = {
      key,
      method: signedMethod,
      expires,
      contentType: query.get("type") ?? undefined,
      maxSizeBytes: max === null ? undefined : Number(max),
      downloadName: query.get("name") ?? undefined,
    };
    const expected = Buffer.from(this.signature(claims));
    const given = Buffer.from(query.get("sig") ?? "");
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw invalid();
    const effectiveMethod = method === "HEAD" ? "GET" : method;
    if (effectiveMethod !== claims.method) throw invalid();
    if (Math.floor(this.now().getTime() / 1000) > claims.expires) {
      throw new DomainError("forbidden", "The signed URL has expired; ask for a new one.", {
        reason: "signed_url_expired",
      });
    }
    return claims;
  }

  async sweepTemporaryFiles(idleSince: Date): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.tmpRoot);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return 0;
      throw error;
    }
    let removed = 0;
    for (const name of names) {
      const path = join(this.tmpRoot, name);
      try {
        // A live write touches its file with every chunk; one idle this long has no writer.
        if ((await stat(path)).mtimeMs >= idleSince.getTime()) continue;
        await rm(path, { force: true });
        removed += 1;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      }
    }
    return removed;
  }

  async ping(): Promise<void> {
    await mkdir(this.dataRoot, { recursive: true });
    await mkdir(this.tmpRoot, { recursive: true });
    const probe = join(this.tmpRoot, `ping-${randomUUID()}`);
    await writeFile(probe, "ok");
    await rm(probe, { force: true });
  }
}
