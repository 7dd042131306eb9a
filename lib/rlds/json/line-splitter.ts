const NEWLINE = 0x0a;

export interface LineHandlers {
  /** A complete line without its `\n` (a trailing `\r` is left for the caller to trim). `lineNo` is 1-based. */
  onLine(line: Buffer, lineNo: number): void;
  /** A line longer than the cap; its bytes were skipped, never buffered. */
  onTooLong(lineNo: number): void;
}

/**
 * Splits a byte stream into lines without ever holding more than one line (capped) in memory.
 * Hand-written because it sits on the hot path of ingest: `Buffer.indexOf` finds newlines at
 * memory speed and lines inside a chunk are passed as zero-copy views; only a line spanning two
 * chunks is copied. `readline` decodes to strings first and has no length cap.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private skipping = false;
  private lineNo = 1;

  constructor(
    private readonly maxLineBytes: number,
    private readonly handlers: LineHandlers,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      if (newline === -1) {
        this.keep(chunk.subarray(start));
        return;
      }
      if (this.skipping) {
        this.skipping = false;
      } else if (this.pendingBytes + (newline - start) > this.maxLineBytes) {
        this.pending = [];
        this.pendingBytes = 0;
        this.handlers.onTooLong(this.lineNo);
      } else if (this.pendingBytes === 0) {
        this.handlers.onLine(chunk.subarray(start, newline), this.lineNo);
      } else {
        this.pending.push(chunk.subarray(start, newline));
        const line = Buffer.concat(this.pending, this.pendingBytes + (newline - start));
        this.pending = [];
        this.pendingBytes = 0;
        this.handlers.onLine(line, this.lineNo);
      }
      this.lineNo += 1;
      start = newline + 1;
    }
  }

  /** Flush the last line when the stream did not end with a newline. */
  end(): void {
    if (this.skipping) {
      this.skipping = false;
      return;
    }
    if (this.pendingBytes > 0) {
      const line = Buffer.concat(this.pending, this.pendingBytes);
      this.pending = [];
      this.pendingBytes = 0;
      this.handlers.onLine(line, this.lineNo);
    }
  }

  private keep(rest: Buffer): void {
    if (this.skipping) return;
    if (this.pendingBytes + rest.length > this.maxLineBytes) {
      this.pending = [];
      this.pendingBytes = 0;
      this.skipping = true;
      this.handlers.onTooLong(this.lineNo);
      return;
    }
    // Copy: the chunk's memory may be reused by the producer after this call returns.
    this.pending.push(Buffer.from(rest));
    this.pendingBytes += rest.length;
  }
}
