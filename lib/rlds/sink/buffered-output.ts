import { finished } from "node:stream/promises";
import type { Writable } from "node:stream";

const DEFAULT_BUFFER_BYTES = 1024 * 1024;

/**
 * A write buffer in front of a sink stream: the pipeline produces many small pieces (one line,
 * one 8-byte offset), and handing each to a Node stream costs more than the work that made it.
 * Pieces are copied into a fixed buffer and handed over in ~1 MiB chunks; `drain()` honours the
 * stream's backpressure so memory stays bounded when the sink is slower than the parser.
 */
export class BufferedOutput {
  private buffer: Buffer;
  private used = 0;
  private written = 0;
  private waiting: Promise<void> | null = null;
  private failure: Error | null = null;

  constructor(
    readonly path: string,
    readonly contentType: string,
    private readonly stream: Writable,
    bufferBytes = DEFAULT_BUFFER_BYTES,
  ) {
    this.buffer = Buffer.allocUnsafe(bufferBytes);
    stream.on("error", (error: Error) => {
      this.failure ??= error;
    });
  }

  /** Bytes accepted so far (buffered or handed over): the offset of the next byte. */
  get size(): number {
    return this.written + this.used;
  }

  writeBytes(bytes: Uint8Array): void {
    if (bytes.length > this.buffer.length - this.used) {
      this.flush();
      if (bytes.length > this.buffer.length) {
        this.handOver(Buffer.from(bytes));
        return;
      }
    }
    this.buffer.set(bytes, this.used);
    this.used += bytes.length;
  }

  /** Write a string as UTF-8; returns the number of bytes written. */
  writeString(text: string): number {
    // Worst case 3 bytes per UTF-16 unit; a string that might not fit goes through a copy.
    if (text.length * 3 > this.buffer.length - this.used) {
      this.flush();
      if (text.length * 3 > this.buffer.length) {
        const bytes = Buffer.from(text, "utf8");
        this.handOver(bytes);
        return bytes.length;
      }
    }
    const n = this.buffer.write(text, this.used, "utf8");
    this.used += n;
    return n;
  }

  writeFloat64(value: number): void {
    if (this.buffer.length - this.used < 8) this.flush();
    this.buffer.writeDoubleLE(value, this.used);
    this.used += 8;
  }

  writeUint64(value: number): void {
    if (this.buffer.length - this.used < 8) this.flush();
    this.buffer.writeUInt32LE(value % 0x1_0000_0000, this.used);
    this.buffer.writeUInt32LE(Math.floor(value / 0x1_0000_0000), this.used + 4);
    this.used += 8;
  }

  /** Hand the buffered bytes to the stream. */
  flush(): void {
    if (this.used === 0) return;
    const chunk = this.buffer.subarray(0, this.used);
    // The stream keeps the chunk until written, so give it this buffer and start a fresh one.
    this.buffer = Buffer.allocUnsafe(this.buffer.length);
    this.handOver(chunk);
    this.used = 0;
  }

  private handOver(chunk: Buffer): void {
    this.throwIfFailed();
    this.written += chunk.length;
    if (!this.stream.write(chunk) && this.waiting === null) {
      this.waiting = new Promise<void>((resolve) => {
        const done = () => {
          this.stream.off("drain", done);
          this.stream.off("error", done);
          this.stream.off("close", done);
          this.waiting = null;
          resolve();
        };
        this.stream.on("drain", done);
        this.stream.on("error", done);
        this.stream.on("close", done);
      });
    }
  }

  /** Resolves once the stream accepts more (immediately unless it signalled backpressure). */
  async drain(): Promise<void> {
    if (this.waiting !== null) await this.waiting;
    this.throwIfFailed();
  }

  /** Flush, end the stream and wait until the sink reports it stored everything. */
  async close(): Promise<number> {
    this.flush();
    await this.drain();
    this.stream.end();
    await finished(this.stream);
    this.throwIfFailed();
    return this.size;
  }

  /** Abort without finishing (the episode failed for a reason other than its content). */
  destroy(error?: Error): void {
    this.stream.destroy(error);
  }

  /** Abort without finishing and wait until the sink let go of the file (its temp file is gone). */
  async discard(error: Error): Promise<void> {
    if (this.stream.closed) return;
    const closed = new Promise<void>((resolve) => this.stream.once("close", () => resolve()));
    this.stream.destroy(error);
    await closed;
  }

  private throwIfFailed(): void {
    if (this.failure !== null) throw this.failure;
  }
}
