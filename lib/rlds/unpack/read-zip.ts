import { pipeline, type Readable, type Transform } from "node:stream";
import zlib from "node:zlib";
import yauzl from "yauzl";
import { isDomainError } from "@/lib/errors";
import { toArchiveError, unpackLimits, type ArchiveEntry, type UnpackOptions } from "@/lib/rlds/unpack/archive-entry";
import { normalizeEntryPath, refuseArchive, refuseEntry } from "@/lib/rlds/unpack/normalize-entry-path";
import { UnpackBudget } from "@/lib/rlds/unpack/unpack-budget";

export interface ZipReadOptions extends UnpackOptions {
  /**
   * Order in which entries are yielded (zip is random access, so the caller may, say, read
   * metadata first and steps last). Default: central directory order.
   */
  compare?: (a: string, b: string) => number;
}

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;

/**
 * Read a zip file entry by entry. Zip keeps its directory at the end of the file, so it needs
 * random access: a zip that arrives as a stream is first spooled to a temporary file (see
 * `spoolToFile`), and this reader opens that file.
 *
 * Every entry is inflated here (not by yauzl) so the decompressed bytes and the ratio are
 * measured on the real data; the declared uncompressed size must match what came out. Refuses
 * what `readTarGz` refuses, plus encrypted entries and compression methods other than stored
 * and deflate. Directories are counted but not yielded.
 */
export async function* readZipFile(filePath: string, options?: ZipReadOptions): AsyncGenerator<ArchiveEntry> {
  const limits = unpackLimits(options);
  const budget = new UnpackBudget(limits);
  let zip: yauzl.ZipFile;
  try {
    // decodeStrings: false — names are decoded and checked by us, so every refusal has our reason.
    zip = await yauzl.openPromise(filePath, {
      lazyEntries: true,
      autoClose: false,
      decodeStrings: false,
      validateEntrySizes: false,
    });
  } catch (error) {
    throw toArchiveError(error, "zip");
  }
  try {
    if (zip.entryCount > limits.maxEntries) {
      refuseArchive("too_many_entries", `the zip lists ${zip.entryCount} entries, more than ${limits.maxEntries}`);
    }
    const files: { path: string; entry: yauzl.Entry }[] = [];
    try {
      for await (const entry of zip.eachEntry()) {
        const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, true);
        budget.countEntry(name);
        const path = normalizeEntryPath(name, limits);
        const mode = (entry.externalFileAttributes >>> 16) & 0xffff;
        const type = mode & S_IFMT;
        if (name.endsWith("/") || type === S_IFDIR) continue;
        if (type === S_IFLNK) refuseEntry("symlink_entry", name, "it is a symbolic link");
        if (mode !== 0 && type !== 0 && type !== S_IFREG) {
          refuseEntry("special_entry", name, "it is a device, FIFO or socket");
        }
        if (entry.isEncrypted()) refuseEntry("encrypted_entry", name, "it is encrypted");
        if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
          refuseEntry("corrupt_archive", name, `compression method ${entry.compressionMethod} is not supported`);
        }
        if (path === "") refuseEntry("invalid_path", name, "a file entry has an empty path");
        budget.claimPath(path);
        files.push({ path, entry });
      }
    } catch (error) {
      throw toArchiveError(error, "zip");
    }
    if (options?.compare) {
      const compare = options.compare;
      files.sort((a, b) => compare(a.path, b.path));
    }
    for (const { path, entry } of files) {
      let raw: Readable;
      try {
        raw = await zip.openReadStreamPromise(entry, { decodeFileData: false });
      } catch (error) {
        throw toArchiveError(error, "zip");
      }
      budget.startWindow(path);
      const stream = inflateEntry(raw, entry, path, budget);
      yield { path, size: entry.uncompressedSize, stream };
      for await (const _ of stream) {
        // drain what the consumer left
      }
    }
  } finally {
    zip.close();
  }
}

async function* inflateEntry(
  raw: Readable,
  entry: yauzl.Entry,
  path: string,
  budget: UnpackBudget,
): AsyncGenerator<Uint8Array> {
  const stages: (Readable | Transform)[] = [raw, budget.compressedMeter()];
  if (entry.compressionMethod === 8)
    stages.push(zlib.createInflateRaw({ chunkSize: 256 * 1024, highWaterMark: 1024 * 1024 } as zlib.ZlibOptions));
  stages.push(budget.uncompressedMeter());
  const out = (pipeline as unknown as (...args: unknown[]) => Readable)(...stages, () => {});
  let produced = 0;
  try {
    for await (const chunk of budget.judge(path, entry.uncompressedSize, out as AsyncIterable<Buffer>)) {
      produced += chunk.length;
      yield chunk;
    }
  } catch (error) {
    if (isDomainError(error)) throw error;
    const mapped = toArchiveError(error, "zip");
    throw mapped === error ? refuseOf(path, error) : mapped;
  }
  if (produced !== entry.uncompressedSize) {
    refuseEntry(
      "corrupt_archive",
      path,
      `it holds ${produced} bytes but its header says ${entry.uncompressedSize} (damaged or forged zip)`,
    );
  }
}

function refuseOf(path: string, error: unknown): never {
  refuseEntry("corrupt_archive", path, `its data cannot be read (${(error as Error)?.message ?? String(error)})`);
}
