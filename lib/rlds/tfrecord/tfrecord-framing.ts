import crc32c from "crc-32/crc32c.js";
import { DomainError } from "@/lib/errors";

const MASK_DELTA = 0xa282ead8;

/** TFRecord's masked CRC32C: rotate right by 15 bits and add a constant (mod 2^32). */
export function maskedCrc32c(data: Uint8Array): number {
  const crc = crc32c.buf(data) >>> 0;
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + MASK_DELTA) >>> 0;
}

/** One framed record: u64 length, masked CRC of the length, data, masked CRC of the data (little endian). */
export function frameRecord(data: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(data.length + 16);
  out.writeUInt32LE(data.length >>> 0, 0);
  out.writeUInt32LE(Math.floor(data.length / 0x1_0000_0000), 4);
  out.writeUInt32LE(maskedCrc32c(out.subarray(0, 8)), 8);
  out.set(data, 12);
  out.writeUInt32LE(maskedCrc32c(data), 12 + data.length);
  return out;
}

function corrupt(why: string): never {
  throw new DomainError("invalid", `The TFRecord file is damaged: ${why}.`, { reason: "tfrecord_corrupt" });
}

export interface ReadTfrecordOptions {
  /** Check both CRCs of every record (default true). */
  verifyChecksums?: boolean;
  /** Refuse records larger than this (default 64 MiB). */
  maxRecordBytes?: number;
}

/**
 * The records of a TFRecord stream, one at a time; memory holds one record. Refuses (DomainError
 * `invalid`, reason `tfrecord_corrupt`) a bad CRC, an oversize length, or a file that ends inside
 * a record.
 */
export async function* readTfrecords(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: ReadTfrecordOptions = {},
): AsyncGenerator<Uint8Array> {
  const verify = options.verifyChecksums ?? true;
  const maxRecordBytes = options.maxRecordBytes ?? 64 * 1024 * 1024;
  let buffer = Buffer.alloc(0);
  let record = 0;
  for await (const chunk of source) {
    buffer = buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([buffer, chunk]);
    for (;;) {
      if (buffer.length < 12) break;
      const high = buffer.readUInt32LE(4);
      const length = buffer.readUInt32LE(0) + high * 0x1_0000_0000;
      if (verify && maskedCrc32c(buffer.subarray(0, 8)) !== buffer.readUInt32LE(8)) {
        corrupt(`record ${record} has a bad length checksum`);
      }
      if (length > maxRecordBytes) corrupt(`record ${record} claims ${length} bytes, more than ${maxRecordBytes}`);
      if (buffer.length < 16 + length) break;
      const data = buffer.subarray(12, 12 + length);
      if (verify && maskedCrc32c(data) !== buffer.readUInt32LE(12 + length)) {
        corrupt(`record ${record} has a bad data checksum`);
      }
      yield Uint8Array.prototype.slice.call(data);
      record += 1;
      buffer = buffer.subarray(16 + length);
    }
  }
  if (buffer.length > 0) corrupt(`the file ends inside record ${record}`);
}
