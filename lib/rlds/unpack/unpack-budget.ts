import { Transform, type TransformCallback } from "node:stream";
import { declaredPayloadSize, headBytesNeeded, mayDeclarePayload } from "@/lib/rlds/unpack/declared-payload";
import { refuseArchive, refuseEntry } from "@/lib/rlds/unpack/normalize-entry-path";
import type { EpisodeLimits } from "@/lib/rlds/limits";

// Generous buffers let the inflater (on libuv's thread pool) run ahead of the parser on the other core.
const METER_BUFFER_BYTES = 1024 * 1024;

export type BudgetLimits = Pick<
  EpisodeLimits,
  "maxEntries" | "maxUncompressedBytes" | "maxCompressionRatio" | "ratioGraceBytes"
>;

/**
 * Counts what an archive costs while it is read and refuses it as soon as a cap is crossed:
 * entries, duplicate paths, decompressed bytes, and the decompression ratio.
 *
 * The ratio is measured on real bytes (compressed bytes fed to the inflater vs bytes it produced),
 * never on sizes claimed by headers, and over windows: a window opens at each entry start (zip)
 * or every `4 × ratioGraceBytes` of output (gzip), and once `ratioGraceBytes` came out of the
 * current window its ratio must stay under the cap. A bomb hidden after gigabytes of honest,
 * incompressible frames is therefore caught within a few windows, not diluted by them.
 *
 * Raw frames whose header declares their size (`.npy`, BMP, PGM/PPM: see `declared-payload.ts`)
 * and whose archive entry has exactly that size are left out of the ratio: an all-zero frame of a
 * mock camera compresses ~500:1 yet inflates to no more than it says. The readers pass each
 * entry's bytes through `judge()`, which reads the header and counts the bytes as parsed (vouched
 * or not); bytes the inflater produced but the parser has not reached yet (at most the stream
 * buffers, bounded by `leadAllowance`) are judged once parsed. Every other byte, including
 * anything after the archive's end, counts as before, and the total stays under
 * `maxUncompressedBytes`.
 */
export class UnpackBudget {
  private entries = 0;
  private readonly seen = new Set<string>();
  private compressed = 0;
  private uncompressed = 0;
  private windowCompressedStart = 0;
  private windowUncompressedStart = 0;
  private currentEntry: string | null = null;
  private parsed = 0;
  private vouched = 0;
  private windowVouchedStart = 0;

  constructor(private readonly limits: BudgetLimits) {}

  get uncompressedBytes(): number {
    return this.uncompressed;
  }

  get compressedBytes(): number {
    return this.compressed;
  }

  /** Count one archive entry (directories too) and refuse the archive past `maxEntries`. */
  countEntry(path: string): void {
    this.entries += 1;
    if (this.entries > this.limits.maxEntries) {
      refuseEntry("too_many_entries", path, `the archive has more than ${this.limits.maxEntries} entries`);
    }
  }

  /** Refuse a second entry with the same normalized path (a later copy could override a checked one). */
  claimPath(path: string): void {
    if (this.seen.has(path)) refuseEntry("duplicate_entry", path, "another entry has the same path");
    this.seen.add(path);
  }

  /** Open a fresh ratio window (zip: one per entry, each has its own deflate stream). */
  startWindow(entryPath: string | null): void {
    this.currentEntry = entryPath;
    this.windowCompressedStart = this.compressed;
    this.windowUncompressedStart = this.uncompressed;
    this.windowVouchedStart = this.vouched;
    if (entryPath !== null) this.parsed = Math.max(this.parsed, this.uncompressed);
  }

  /** Bytes the parser has consumed (`vouched`: of a frame whose header declares its size). */
  noteParsed(bytes: number, vouched: boolean): void {
    this.parsed += bytes;
    if (vouched) this.vouched += bytes;
  }

  /** Bytes produced but not parsed yet that are left for the parser to judge. */
  private get leadAllowance(): number {
    return Math.min(8 * 1024 * 1024, Math.floor(this.limits.ratioGraceBytes / 2));
  }

  /**
   * An entry's bytes, judged: a raw frame whose header declares exactly `size` bytes is vouched
   * for (left out of the ratio); any other entry's bytes count. Yields every byte unchanged.
   */
  async *judge(path: string, size: number, stream: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    let vouched = false;
    let head: Buffer | null = mayDeclarePayload(path) ? Buffer.alloc(0) : null;
    for await (const chunk of stream) {
      if (head !== null) {
        head = Buffer.concat([head, chunk]);
        const needed = headBytesNeeded(path, head);
        if (head.length < needed && head.length < size) continue;
        vouched = declaredPayloadSize(path, head) === size;
        const buffered = head;
        head = null;
        this.noteParsed(buffered.length, vouched);
        yield buffered;
        continue;
      }
      this.noteParsed(chunk.length, vouched);
      yield chunk;
    }
    if (head !== null && head.length > 0) {
      this.noteParsed(head.length, false);
      yield head;
    }
  }

  addCompressed(bytes: number): void {
    this.compressed += bytes;
  }

  addUncompressed(bytes: number): void {
    this.uncompressed += bytes;
    if (this.uncompressed > this.limits.maxUncompressedBytes) {
      const why = `it decompresses to more than ${this.limits.maxUncompressedBytes} bytes`;
      if (this.currentEntry !== null) refuseEntry("uncompressed_too_large", this.currentEntry, why);
      refuseArchive("uncompressed_too_large", why);
    }
    const windowOut = this.uncompressed - this.windowUncompressedStart;
    if (windowOut >= this.limits.ratioGraceBytes) {
      const windowIn = Math.max(1, this.compressed - this.windowCompressedStart);
      const unparsed = Math.min(Math.max(0, this.uncompressed - this.parsed), this.leadAllowance);
      const judged = Math.max(0, windowOut - (this.vouched - this.windowVouchedStart) - unparsed);
      const ratio = judged / windowIn;
      if (ratio > this.limits.maxCompressionRatio) {
        const why = `it inflates ${Math.round(ratio)}:1, above the ${this.limits.maxCompressionRatio}:1 limit (decompression bomb)`;
        if (this.currentEntry !== null) refuseEntry("compression_ratio_exceeded", this.currentEntry, why);
        refuseArchive("compression_ratio_exceeded", why);
      }
      if (windowOut >= 4 * this.limits.ratioGraceBytes && this.currentEntry === null) {
        this.startWindow(null);
      }
    }
  }

  /** A pass-through stream that counts bytes going into an inflater. */
  compressedMeter(): Transform {
    return new Transform({
      highWaterMark: METER_BUFFER_BYTES,
      transform: (chunk: Buffer, _encoding, callback: TransformCallback) => {
        this.addCompressed(chunk.length);
        callback(null, chunk);
      },
    });
  }

  /** A pass-through stream that counts inflated bytes and enforces the caps (errors the pipeline). */
  uncompressedMeter(): Transform {
    return new Transform({
      highWaterMark: METER_BUFFER_BYTES,
      transform: (chunk: Buffer, _encoding, callback: TransformCallback) => {
        try {
          this.addUncompressed(chunk.length);
        } catch (error) {
          callback(error as Error);
          return;
        }
        callback(null, chunk);
      },
    });
  }
}
