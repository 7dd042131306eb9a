/**
 * Caps applied while an episode is unpacked, parsed and validated. Every cap is an option so the
 * platform can tune it per robot model or per plan; the defaults below are sized for a 1 GB
 * episode of a robot recording at 30 Hz for an hour with camera frames in `blobs/`.
 */
export interface EpisodeLimits {
  /** Bytes of the uploaded object (compressed archive or JSON document). Default 16 GiB. */
  maxObjectBytes: number;
  /** Entries in an archive (files, directories, everything). Default 250 000. */
  maxEntries: number;
  /** Bytes produced by decompression, all entries together, counted while inflating. Default 16 GiB. */
  maxUncompressedBytes: number;
  /**
   * Largest accepted ratio of decompressed to compressed bytes, checked continuously while
   * inflating (never from headers) once `ratioGraceBytes` have come out. Default 200: JSON of
   * real sensor data compresses 4–20×, a deflate bomb reaches ~1000×.
   */
  maxCompressionRatio: number;
  /** Decompressed bytes allowed before the ratio is enforced (small files compress oddly). Default 16 MiB. */
  ratioGraceBytes: number;
  /** Length of an entry path in bytes. Default 512. */
  maxPathBytes: number;
  /** Segments in an entry path. Default 32. */
  maxPathDepth: number;
  /** One JSON Lines line, or one element of a single-JSON `steps` array. Default 16 MiB. */
  maxLineBytes: number;
  /** `metadata.json`, `upload_manifest.json` and the non-step members of a single-JSON episode. Default 4 MiB. */
  maxMetadataBytes: number;
  /** Steps in one episode. Default 10 000 000. */
  maxSteps: number;
  /**
   * Levels of nesting in one step: the step object is level 1, each object or array inside it one
   * more. Default 64 (field data nests about 5 levels). Metadata and manifest files, and the other
   * members of a single-JSON episode, are held to the same depth.
   */
  maxStepDepth: number;
  /** Issues recorded per severity; the rest are only counted. Default 100. */
  maxIssues: number;
  /** Numeric fields indexed as chart series; more are checked but not indexed. Default 512. */
  maxSeriesFields: number;
  /** Longest numeric array whose elements become series (longer ones, e.g. lidar scans, are opaque). Default 64. */
  maxSeriesArrayLength: number;
}

const GiB = 1024 * 1024 * 1024;
const MiB = 1024 * 1024;

export const DEFAULT_LIMITS: Readonly<EpisodeLimits> = Object.freeze({
  maxObjectBytes: 16 * GiB,
  maxEntries: 250_000,
  maxUncompressedBytes: 16 * GiB,
  maxCompressionRatio: 200,
  ratioGraceBytes: 16 * MiB,
  maxPathBytes: 512,
  maxPathDepth: 32,
  maxLineBytes: 16 * MiB,
  maxMetadataBytes: 4 * MiB,
  maxSteps: 10_000_000,
  maxStepDepth: 64,
  maxIssues: 100,
  maxSeriesFields: 512,
  maxSeriesArrayLength: 64,
});

/** Defaults overlaid with the caller's choices. */
export function resolveLimits(limits: Partial<EpisodeLimits> | undefined): EpisodeLimits {
  return { ...DEFAULT_LIMITS, ...(limits ?? {}) };
}
