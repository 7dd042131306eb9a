import { createHash } from "node:crypto";
import CRC32C from "crc-32/crc32c";
import { GcsError } from "./gcs-error";

export interface StoredObject {
  bucket: string;
  name: string;
  data: Buffer;
  contentType: string;
  generation: string;
  metageneration: string;
  md5Hash: string;
  crc32c: string;
  timeCreated: string;
  updated: string;
}

/** CRC32C as GCS reports it: base64 of the big-endian 32-bit value. */
export function crc32cBase64(data: Buffer): string {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(CRC32C.buf(data) >>> 0);
  return out.toString("base64");
}

export function md5Base64(data: Buffer): string {
  return createHash("md5").update(data).digest("base64");
}

/** The JSON API's object resource. */
export function objectResource(object: StoredObject, baseUrl: string): Record<string, unknown> {
  const path = `b/${encodeURIComponent(object.bucket)}/o/${encodeURIComponent(object.name)}`;
  return {
    kind: "storage#object",
    id: `${object.bucket}/${object.name}/${object.generation}`,
    selfLink: `${baseUrl}/storage/v1/${path}`,
    mediaLink: `${baseUrl}/download/storage/v1/${path}?generation=${object.generation}&alt=media`,
    name: object.name,
    bucket: object.bucket,
    generation: object.generation,
    metageneration: object.metageneration,
    contentType: object.contentType,
    storageClass: "STANDARD",
    size: String(object.data.length),
    md5Hash: object.md5Hash,
    crc32c: object.crc32c,
    etag: Buffer.from(`${object.generation}/${object.metageneration}`).toString("base64"),
    timeCreated: object.timeCreated,
    updated: object.updated,
  };
}

/** GCS bucket names: 3–63 of lowercase letters, digits, `-`, `_` and `.`, starting and ending alphanumeric. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/;

/**
 * Buckets and objects in memory. Every write replaces the object whole under a new generation,
 * as GCS does, so readers never see half an object.
 */
export class ObjectStore {
  private readonly buckets = new Map<string, Map<string, StoredObject>>();
  private lastGeneration = 0;

  /**
   * @param createBucketsOnDemand make a bucket the first time a request names it (valid GCS
   *   names only), so each test deployment can use a fresh bucket without setting it up first.
   */
  constructor(
    bucketNames: readonly string[],
    private readonly now: () => Date,
    private readonly createBucketsOnDemand = false,
  ) {
    for (const name of bucketNames) this.buckets.set(name, new Map());
  }

  hasBucket(bucket: string): boolean {
    if (!this.buckets.has(bucket) && this.createBucketsOnDemand && BUCKET_NAME.test(bucket)) {
      this.buckets.set(bucket, new Map());
    }
    return this.buckets.has(bucket);
  }

  private bucket(bucket: string): Map<string, StoredObject> {
    const objects = this.hasBucket(bucket) ? this.buckets.get(bucket) : undefined;
    if (!objects) throw new GcsError(404, "NoSuchBucket", "The specified bucket does not exist.", "notFound");
    return objects;
  }

  /** Generations are microsecond timestamps, strictly increasing. */
  private nextGeneration(): string {
    this.lastGeneration = Math.max(this.lastGeneration + 1, this.now().getTime() * 1000);
    return String(this.lastGeneration);
  }

  get(bucket: string, name: string, generation?: string): StoredObject {
    const object = this.bucket(bucket).get(name);
    if (!object || (generation !== undefined && generation !== object.generation)) {
      throw new GcsError(404, "NoSuchKey", "The specified key does not exist.", "notFound");
    }
    return object;
  }

  find(bucket: string, name: string): StoredObject | undefined {
    return this.bucket(bucket).get(name);
  }

  put(bucket: string, name: string, data: Buffer, contentType: string): StoredObject {
    const objects = this.bucket(bucket);
    if (!name || Buffer.byteLength(name) > 1024)
      throw new GcsError(400, "InvalidArgument", "Object names must be 1 to 1024 bytes.");
    const time = this.now().toISOString();
    const object: StoredObject = {
      bucket,
      name,
      data,
      contentType,
      generation: this.nextGeneration(),
      metageneration: "1",
      md5Hash: md5Base64(data),
      crc32c: crc32cBase64(data),
      timeCreated: time,
      updated: time,
    };
    objects.set(name, object);
    return object;
  }

  delete(bucket: string, name: string): void {
    if (!this.bucket(bucket).delete(name))
      throw new GcsError(404, "NoSuchKey", "The specified key does not exist.", "notFound");
  }

  /** Objects under a prefix in name order (UTF-8 byte order, as GCS lists). */
  list(bucket: string, prefix: string): StoredObject[] {
    return [...this.bucket(bucket).values()]
      .filter((object) => object.name.startsWith(prefix))
      .sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
  }
}
