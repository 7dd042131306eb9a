import fs from "node:fs";
import path from "node:path";
import { PassThrough, Writable } from "node:stream";
import type { BlobStore } from "@/lib/blobs/port";

/**
 * Where `processEpisode` writes the canonical episode and its index. Paths are relative and
 * already normalized (`metadata.json`, `steps.jsonl`, `blobs/rgb/000001.png`, `index/…`). The
 * pipeline ends every stream it opens and waits for `finish`, so a sink may delay `finish` until
 * the bytes are durable (the BlobStore sink waits for `put` to resolve).
 *
 * The pipeline writes even when the episode turns out rejected (it learns that at the end), so
 * point the sink at a staging prefix and promote or delete it after reading the verdict.
 */
export interface EpisodeSink {
  open(relativePath: string, contentType: string): Writable;
}

/** Files under a local directory (tests, benchmarks, the embedded server's staging area). */
export function createDirectorySink(root: string): EpisodeSink {
  const resolvedRoot = path.resolve(root);
  return {
    open(relativePath) {
      const target = path.resolve(resolvedRoot, relativePath);
      // Second line of defence: paths are normalized upstream, but never write outside the root.
      if (!target.startsWith(resolvedRoot + path.sep)) throw new Error(`Refusing to write outside ${root}`);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      return fs.createWriteStream(target);
    },
  };
}

/** Keeps every file in memory; for tests and small episodes only. */
export function createMemorySink(): EpisodeSink & { files: Map<string, Buffer>; text(path: string): string } {
  const files = new Map<string, Buffer>();
  return {
    files,
    text(relativePath: string) {
      const file = files.get(relativePath);
      if (file === undefined) throw new Error(`No file ${relativePath} in the memory sink`);
      return file.toString("utf8");
    },
    open(relativePath) {
      const chunks: Buffer[] = [];
      return new Writable({
        write(chunk: Buffer, _encoding, callback) {
          chunks.push(Buffer.from(chunk));
          callback();
        },
        final(callback) {
          files.set(relativePath, Buffer.concat(chunks));
          callback();
        },
      });
    },
  };
}

/**
 * Objects under `prefix` in a BlobStore (`prefix` + relative path). Each file streams into one
 * `put`; `finish` fires only once the store has the object.
 */
export function createBlobStoreSink(blobs: BlobStore, prefix: string): EpisodeSink {
  const base = prefix.endsWith("/") ? prefix : `${prefix}/`;
  return {
    open(relativePath, contentType) {
      const body = new PassThrough({ highWaterMark: 1024 * 1024 });
      // The store attaches its own listeners only once it starts reading (after an await), and an
      // output may be destroyed before that (a refused archive, a discarded attempt): without this
      // listener the error would escape as an uncaught exception. Failures surface through `stored`.
      body.on("error", () => {});
      const stored = blobs.put(`${base}${relativePath}`, body, { contentType });
      // Surface a failed put to the writer even while it is still writing.
      let failure: Error | null = null;
      stored.catch((error: unknown) => {
        failure = error instanceof Error ? error : new Error(String(error));
        body.destroy(failure);
      });
      return new Writable({
        highWaterMark: 1024 * 1024,
        write(chunk: Buffer, _encoding, callback) {
          if (body.destroyed) {
            callback(failure ?? new Error(`The store stopped taking ${relativePath}.`));
            return;
          }
          if (body.write(chunk)) {
            callback();
            return;
          }
          // Wait for room, or for the put to fail (a destroyed body never drains).
          const settle = () => {
            body.off("drain", settle);
            body.off("close", settle);
            callback(body.destroyed ? (failure ?? new Error(`The store stopped taking ${relativePath}.`)) : undefined);
          };
          body.on("drain", settle);
          body.on("close", settle);
        },
        final(callback) {
          body.end();
          stored.then(
            () => callback(),
            (error: unknown) => callback(error as Error),
          );
        },
        destroy(error, callback) {
          body.destroy(error ?? undefined);
          // Closed only once the store gave up the object (and removed what it had written).
          stored.then(
            () => callback(error),
            () => callback(error),
          );
        },
      });
    },
  };
}
