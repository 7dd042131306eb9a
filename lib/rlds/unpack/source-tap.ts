import { createHash } from "node:crypto";
import { PassThrough, type Readable } from "node:stream";
import { refuseArchive } from "@/lib/rlds/unpack/normalize-entry-path";

/**
 * Reads the uploaded object exactly once: hashes every byte (SHA-256), counts them, refuses past
 * `maxBytes`, and forwards them to `body` for the readers. If a reader gives up early (a refused
 * entry, a bomb), `body` is destroyed but the tap keeps reading so the checksum still covers the
 * whole object — only an oversize object is abandoned where it crossed the cap.
 */
export class SourceTap {
  readonly body = new PassThrough({ highWaterMark: 256 * 1024 });
  readonly done: Promise<void>;
  private readonly hash = createHash("sha256");
  private bytes = 0;
  private complete = false;

  constructor(
    private readonly source: Readable,
    private readonly maxBytes: number,
  ) {
    this.done = this.pump();
    // The result is read through `done`/`checksum`; never leave the rejection unobserved.
    this.done.catch(() => {});
  }

  get size(): number {
    return this.bytes;
  }

  /** `sha256:<hex>` of the whole object, or null when it was not read to the end. */
  get checksum(): string | null {
    return this.complete ? `sha256:${this.hash.copy().digest("hex")}` : null;
  }

  private async pump(): Promise<void> {
    try {
      for await (const chunk of this.source as AsyncIterable<Buffer>) {
        this.bytes += chunk.length;
        if (this.bytes > this.maxBytes) {
          refuseArchive("object_too_large", `the object is larger than ${this.maxBytes} bytes`);
        }
        this.hash.update(chunk);
        if (!this.body.destroyed && !this.body.write(chunk)) await this.waitForBody();
      }
      this.complete = true;
      if (!this.body.destroyed) this.body.end();
    } catch (error) {
      this.body.destroy(error as Error);
      if (!this.source.destroyed) this.source.destroy();
      throw error;
    }
  }

  private waitForBody(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.body.off("drain", done);
        this.body.off("close", done);
        resolve();
      };
      this.body.on("drain", done);
      this.body.on("close", done);
    });
  }
}
