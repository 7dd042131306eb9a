import type { Readable } from "node:stream";
import zlib from "node:zlib";
import tar from "tar-stream";
import { toArchiveError, unpackLimits, type ArchiveEntry, type UnpackOptions } from "@/lib/rlds/unpack/archive-entry";
import { normalizeEntryPath, refuseEntry } from "@/lib/rlds/unpack/normalize-entry-path";
import { UnpackBudget } from "@/lib/rlds/unpack/unpack-budget";

/**
 * Read a `tar.gz` stream entry by entry, in one pass, without touching the file system.
 * Refuses (DomainError `invalid`, reason as in `ISSUE_CODES`) traversal, absolute and backslash
 * paths, symlinks, hard links, devices and FIFOs, duplicate paths, too many entries, too many
 * decompressed bytes, a decompression ratio over the cap (measured while inflating), and a
 * truncated or damaged gzip/tar stream. Directories are counted but not yielded.
 */
export function readTarGz(source: Readable, options?: UnpackOptions): AsyncGenerator<ArchiveEntry> {
  return readTarStream(source, true, options);
}

/** Same as `readTarGz` for an uncompressed tar. */
export function readTar(source: Readable, options?: UnpackOptions): AsyncGenerator<ArchiveEntry> {
  return readTarStream(source, false, options);
}

async function* readTarStream(source: Readable, gzip: boolean, options?: UnpackOptions): AsyncGenerator<ArchiveEntry> {
  const limits = unpackLimits(options);
  const budget = new UnpackBudget(limits);
  const extract = tar.extract({ highWaterMark: 1024 * 1024 } as Parameters<typeof tar.extract>[0]);
  let failure: unknown = null;
  const fail = (error: unknown) => {
    if (failure === null) failure = toArchiveError(error, gzip ? "gzip" : "tar");
    extract.destroy(failure as Error);
  };

  // Counting happens on both sides of the inflater: compressed bytes in, decompressed bytes out.
  const compressedMeter = budget.compressedMeter();
  const uncompressedMeter = budget.uncompressedMeter();
  source.on("error", fail);
  compressedMeter.on("error", fail);
  uncompressedMeter.on("error", fail);
  extract.on("error", fail);
  if (gzip) {
    const gunzip = zlib.createGunzip({ chunkSize: 256 * 1024, highWaterMark: 1024 * 1024 } as zlib.ZlibOptions);
    gunzip.on("error", fail);
    source.pipe(compressedMeter).pipe(gunzip).pipe(uncompressedMeter).pipe(extract);
  } else {
    source.pipe(compressedMeter).pipe(uncompressedMeter).pipe(extract);
  }

  // An entry's stream fails with a generic "destroyed" error when the archive breaks under it;
  // report the archive's own failure (truncation, a cap) instead, once it has been recorded.
  async function* guard(stream: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    try {
      for await (const chunk of stream) yield chunk;
    } catch (error) {
      await new Promise((resolve) => setImmediate(resolve));
      throw failure ?? toArchiveError(error, gzip ? "gzip" : "tar");
    }
  }

  try {
    for await (const entry of extract) {
      const header = entry.header;
      const name = header.name;
      budget.countEntry(name);
      const path = normalizeEntryPath(name, limits);
      switch (header.type) {
        case "file":
        case "contiguous-file":
          break;
        case "directory":
          await drain(entry);
          continue;
        case "symlink":
          refuseEntry("symlink_entry", name, `it is a symbolic link (to "${header.linkname ?? ""}")`);
          break;
        case "link":
          refuseEntry("hardlink_entry", name, `it is a hard link (to "${header.linkname ?? ""}")`);
          break;
        case "character-device":
        case "block-device":
        case "fifo":
          refuseEntry("special_entry", name, `it is a ${header.type}`);
          break;
        default:
          refuseEntry("special_entry", name, "its entry type is not a regular file");
      }
      if (path === "") refuseEntry("invalid_path", name, "a file entry has an empty path");
      budget.claimPath(path);
      const size = header.size ?? 0;
      // The header block, then the data judged by what it declares, then the padding to 512.
      budget.noteParsed(TAR_BLOCK, false);
      const body = budget.judge(path, size, entry as unknown as AsyncIterable<Uint8Array>);
      yield { path, size, stream: guard(body) };
      await drain(body);
      await drain(entry);
      budget.noteParsed((TAR_BLOCK - (size % TAR_BLOCK)) % TAR_BLOCK, false);
    }
  } catch (error) {
    throw failure ?? toArchiveError(error, gzip ? "gzip" : "tar");
  } finally {
    if (!extract.destroyed) extract.destroy();
    source.unpipe();
    if (!source.destroyed) source.destroy();
  }
  if (failure !== null) throw failure;
}

const TAR_BLOCK = 512;

async function drain(stream: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of stream) {
    // discard
  }
}
