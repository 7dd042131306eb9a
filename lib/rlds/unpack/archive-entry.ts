import { isDomainError } from "@/lib/errors";
import { resolveLimits, type EpisodeLimits } from "@/lib/rlds/limits";
import { refuseArchive } from "@/lib/rlds/unpack/normalize-entry-path";

/**
 * One regular file of an archive, as the readers yield it. Read `stream` to the end (or leave
 * it: the reader drains what is left) before asking for the next entry — archives are read in
 * one pass, so the next entry's bytes come after this one's.
 */
export interface ArchiveEntry {
  /** Normalized relative path (`a/b/c`), already checked by `normalizeEntryPath`. */
  path: string;
  /** Size the archive declares; the bytes actually read are what counts for every cap. */
  size: number;
  /** The entry's bytes, decompressed. */
  stream: AsyncIterable<Uint8Array>;
}

export interface UnpackOptions {
  limits?: Partial<EpisodeLimits>;
}

export type UnpackLimits = Pick<
  EpisodeLimits,
  "maxEntries" | "maxUncompressedBytes" | "maxCompressionRatio" | "ratioGraceBytes" | "maxPathBytes" | "maxPathDepth"
>;

export function unpackLimits(options: UnpackOptions | undefined): UnpackLimits {
  return resolveLimits(options?.limits);
}

/**
 * Map a low-level failure (zlib, tar-stream, yauzl) to the archive refusal the caller sees.
 * DomainErrors (caps, paths) pass through untouched.
 */
export function toArchiveError(error: unknown, kind: "gzip" | "tar" | "zip"): unknown {
  if (isDomainError(error)) return error;
  const err = error as NodeJS.ErrnoException | undefined;
  const message = err?.message ?? String(error);
  try {
    if (err?.code === "Z_BUF_ERROR" || /unexpected end of (file|data)/i.test(message)) {
      refuseArchive("truncated_archive", `the ${kind} stream ends early (${message})`);
    }
    if (typeof err?.code === "string" && err.code.startsWith("Z_")) {
      refuseArchive("corrupt_archive", `the ${kind} data is damaged (${message})`);
    }
    if (/invalid tar header|invalid header|header exceeds max size|unknown format/i.test(message)) {
      refuseArchive("corrupt_archive", `the tar data is damaged or not a tar archive (${message})`);
    }
    if (kind === "zip") refuseArchive("corrupt_archive", `the zip data is damaged or not a zip archive (${message})`);
  } catch (mapped) {
    return mapped;
  }
  return error;
}
