import { Readable } from "node:stream";
import zlib from "node:zlib";
import { maskedCrc32c } from "@/lib/rlds/tfrecord/tfrecord-framing";
import { refuseArchive } from "@/lib/rlds/unpack/normalize-entry-path";

export type ContainerFormat = "tar.gz" | "tar" | "zip" | "json" | "tfrecord" | "tfrecord.gz";

/** A TFRecord file starts with a u64 length and the masked CRC32C of those 8 bytes. */
function isTfrecordHead(head: Uint8Array): boolean {
  if (head.length < 12) return false;
  const bytes = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  return maskedCrc32c(bytes.subarray(0, 8)) === bytes.readUInt32LE(8);
}

/** The first bytes a gzip head inflates to (as many as the head holds), or empty when they cannot be read. */
function inflateHead(head: Uint8Array): Buffer {
  try {
    return zlib.gunzipSync(head, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  } catch {
    return Buffer.alloc(0);
  }
}

/**
 * The container format from its first bytes, or null when it is none we read. A gzip stream is a
 * tar.gz unless what it starts with is a TFRecord (the field's gzip-compressed `.tfrecord` files).
 */
export function detectFormat(head: Uint8Array): ContainerFormat | null {
  if (head[0] === 0x1f && head[1] === 0x8b) return isTfrecordHead(inflateHead(head)) ? "tfrecord.gz" : "tar.gz";
  if (
    head[0] === 0x50 &&
    head[1] === 0x4b &&
    (head[2] === 0x03 || head[2] === 0x05) &&
    (head[3] === 0x04 || head[3] === 0x06)
  ) {
    return "zip";
  }
  if (head.length >= 262 && Buffer.from(head.subarray(257, 262)).toString("latin1") === "ustar") return "tar";
  // Before JSON: a record length's first byte may be "{" (one chance in 2^32 that JSON passes the CRC).
  if (isTfrecordHead(head)) return "tfrecord";
  let i = 0;
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) i = 3;
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x0a || head[i] === 0x0d || head[i] === 0x09)) i++;
  if (head[i] === 0x7b) return "json";
  return null;
}

/**
 * Read the first bytes of a stream to tell its format, and return a stream that still yields
 * every byte. Refuses with `unsupported_format` when the bytes match no accepted format.
 */
export async function sniffFormat(stream: Readable): Promise<{ format: ContainerFormat; stream: Readable }> {
  const iterator = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let length = 0;
  let ended = false;
  while (length < 512) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    head.push(next.value);
    length += next.value.length;
  }
  const first = Buffer.concat(head);
  const format = detectFormat(first);
  if (format === null) {
    await iterator.return?.();
    refuseArchive(
      "unsupported_format",
      length === 0 ? "the object is empty" : "the object is not a tar.gz, tar, zip, JSON or TFRecord episode",
    );
  }
  async function* replay(): AsyncGenerator<Buffer> {
    try {
      if (first.length > 0) yield first;
      if (ended) return;
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        yield next.value;
      }
    } finally {
      // A reader that stops early must release the source (the tap keeps hashing it).
      await iterator.return?.();
    }
  }
  return { format, stream: Readable.from(replay(), { objectMode: false }) };
}
