import { createHash } from "node:crypto";
import { once } from "node:events";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import tar from "tar-stream";
import type { BlobStore } from "@/lib/blobs/port";
import { DomainError } from "@/lib/errors";

/** One file of a bundle: bytes made here (manifest, checksums) or a model file read from the blob store. */
export type ArchiveEntry =
  | { path: string; kind: "bytes"; data: Buffer }
  | { path: string; kind: "blob"; key: string; size: number; sha256: string };

export interface ArchiveResult {
  /** Hex SHA-256 of the whole `.tar.gz` file. */
  sha256: string;
  size: number;
}

function parentDirectories(paths: string[]): string[] {
  const directories = new Set<string>();
  for (const path of paths) {
    const parts = path.split("/");
    for (let i = 1; i < parts.length; i++) directories.add(parts.slice(0, i).join("/"));
  }
  return [...directories].sort();
}

/**
 * Write a `tar.gz` to the blob store as a stream: tar entries → gzip → SHA-256 and byte count →
 * `blobs.put`. Model files are piped from the store entry by entry and hashed again on the way, so
 * a file that changed since the manifest was written fails the build instead of shipping bytes the
 * manifest does not describe. Memory stays flat whatever the bundle size. Entries are written in
 * the order given (manifest first), with fixed owner, mode and time, so the same inputs give the
 * same archive.
 */
export async function writeBundleArchive(
  blobs: BlobStore,
  key: string,
  entries: ArchiveEntry[],
  mtime: Date,
  onEntry?: (done: number, total: number) => void | Promise<void>,
): Promise<ArchiveResult> {
  const pack = tar.pack();
  const hash = createHash("sha256");
  let size = 0;
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  const stored = blobs.put(key, counted, { contentType: "application/gzip" });
  const piped = pipeline(pack, createGzip({ level: 6 }), counted);
  const header = { mode: 0o644, uid: 0, gid: 0, uname: "", gname: "", mtime };

  async function addEntries(): Promise<void> {
    for (const directory of parentDirectories(entries.map((entry) => entry.path))) {
      await new Promise<void>((resolve, reject) =>
        pack.entry({ ...header, name: `${directory}/`, type: "directory", mode: 0o755 }, (error) =>
          error ? reject(error) : resolve(),
        ),
      );
    }
    let done = 0;
    for (const entry of entries) {
      if (entry.kind === "bytes") {
        await new Promise<void>((resolve, reject) =>
          pack.entry({ ...header, name: entry.path, size: entry.data.length, type: "file" }, entry.data, (error) =>
            error ? reject(error) : resolve(),
          ),
        );
      } else {
        let done_: (error?: Error | null) => void = () => undefined;
        const finished = new Promise<void>((resolve, reject) => {
          done_ = (error) => (error ? reject(error) : resolve());
        });
        const sink = pack.entry({ ...header, name: entry.path, size: entry.size, type: "file" }, (error) =>
          done_(error),
        );
        const read = await blobs.get(entry.key);
        const fileHash = createHash("sha256");
        let fileSize = 0;
        for await (const chunk of read.stream as AsyncIterable<Buffer>) {
          fileHash.update(chunk);
          fileSize += chunk.length;
          if (fileSize > entry.size) break;
          if (!sink.write(chunk)) await once(sink, "drain");
        }
        read.stream.destroy();
        if (fileSize !== entry.size || fileHash.digest("hex") !== entry.sha256) {
          throw new DomainError(
            "conflict",
            `Model file ${entry.path} changed while the bundle was being built; build again.`,
            { reason: "model_files_changed" },
          );
        }
        // tar-stream's entry is a streamx Writable: end(null) ends it without writing.
        sink.end(null);
        await finished;
      }
      done++;
      await onEntry?.(done, entries.length);
    }
    pack.finalize();
  }

  try {
    await Promise.all([addEntries(), piped, stored]);
  } catch (error) {
    pack.destroy(error as Error);
    counted.destroy(error as Error);
    await Promise.allSettled([piped, stored]);
    throw error;
  }
  return { sha256: hash.digest("hex"), size };
}
