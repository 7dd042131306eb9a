import { createHash } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { DomainError } from "@/lib/errors";
import { EpisodeAssembler } from "@/lib/rlds/episode-assembler";
import { resolveLimits, type EpisodeLimits } from "@/lib/rlds/limits";
import { finishOrDiscard, refusedVerdict, toRefusal, zipOrder } from "@/lib/rlds/process-episode";
import type { DeclaredMetadata, EpisodeVerdict, Issue } from "@/lib/rlds/schemas";
import type { EpisodeSink } from "@/lib/rlds/sink/episode-sink";
import { isTrainingEligible } from "@/lib/rlds/validate/compute-quality";
import { normalizeEntryPath, refuseArchive, refuseEntry } from "@/lib/rlds/unpack/normalize-entry-path";

/** One file of an episode uploaded file by file (the `files` upload format). */
export interface EpisodeFileSource {
  /** The path the robot declared (`metadata.json`, `steps/000000.jsonl`, `blobs/rgb/000001.png`). */
  path: string;
  /** The size and lowercase hex SHA-256 the robot declared for it. */
  size_bytes: number;
  sha256: string;
  /** Open the stored file (called once, in processing order). */
  open(): Promise<AsyncIterable<Uint8Array>>;
}

/**
 * The checksum of a `files` upload: SHA-256 over its manifest, one `<sha256 hex>  <path>\n` line per
 * file sorted by path (byte order) — exactly what `sha256sum` prints for the episode directory,
 * sorted. A robot sends it as the ingest `checksum`; a device-signed manifest covers the same lines.
 */
export function filesManifestChecksum(files: readonly { path: string; sha256: string }[]): string {
  const lines = files
    .map((file) => `${file.sha256.toLowerCase().replace(/^sha256:/, "")}  ${file.path}\n`)
    .sort((a, b) => {
      const pa = a.slice(a.indexOf("  ") + 2);
      const pb = b.slice(b.indexOf("  ") + 2);
      return pa < pb ? -1 : pa > pb ? 1 : 0;
    });
  return `sha256:${createHash("sha256").update(lines.join("")).digest("hex")}`;
}

export interface ProcessEpisodeFilesInput {
  files: readonly EpisodeFileSource[];
  declared?: DeclaredMetadata;
  /** `sha256:<hex>` or bare hex of the files manifest (see {@link filesManifestChecksum}). */
  expectedChecksum?: string;
  limits?: Partial<EpisodeLimits>;
  output: EpisodeSink;
  tempDir?: string;
}

/**
 * `processEpisode` for an episode uploaded one object per file: the same path checks, caps,
 * variant detection, validation and canonical output, fed entry by entry in the order that
 * streams (metadata, blobs, steps). Each file's bytes are hashed as they are read and compared
 * with what the robot declared (`checksum_mismatch` naming the file). The verdict's checksum is
 * the manifest checksum.
 */
export async function processEpisodeFiles(input: ProcessEpisodeFilesInput): Promise<EpisodeVerdict> {
  const limits = resolveLimits(input.limits);
  const tempDir = input.tempDir ?? path.join(os.tmpdir(), "continuon-rlds");
  const assembler = new EpisodeAssembler({ limits, sink: input.output, tempDir, declared: input.declared });
  const checksum = filesManifestChecksum(input.files);
  let size = 0;
  let refusal: Issue | null = null;
  try {
    if (input.files.length > limits.maxEntries) {
      refuseArchive("too_many_entries", `the upload lists ${input.files.length} files, more than ${limits.maxEntries}`);
    }
    const seen = new Set<string>();
    let declaredBytes = 0;
    const files = input.files.map((file) => {
      const normalized = normalizeEntryPath(file.path, limits);
      if (normalized === "") refuseEntry("invalid_path", file.path, "the path is empty");
      if (seen.has(normalized)) refuseEntry("duplicate_entry", file.path, "two files have this path");
      seen.add(normalized);
      declaredBytes += file.size_bytes;
      return { ...file, normalized };
    });
    if (declaredBytes > limits.maxUncompressedBytes) {
      refuseArchive("uncompressed_too_large", `the files add up to more than ${limits.maxUncompressedBytes} bytes`);
    }
    files.sort((a, b) => zipOrder(a.normalized, b.normalized));
    for (const file of files) {
      const hash = createHash("sha256");
      let bytes = 0;
      const meter = new Transform({
        highWaterMark: 256 * 1024,
        transform(chunk: Buffer, _encoding, callback) {
          bytes += chunk.length;
          hash.update(chunk);
          callback(null, chunk);
        },
      });
      const source = Readable.from(await file.open());
      source.on("error", (error) => meter.destroy(error));
      source.pipe(meter);
      await assembler.consumeEntry({
        path: file.normalized,
        size: file.size_bytes,
        stream: meter.iterator({ destroyOnReturn: false }),
      });
      // A role that reads nothing (junk) or stops early still gets its bytes hashed.
      for await (const chunk of meter) void chunk;
      size += bytes;
      const actual = hash.digest("hex");
      const expected = file.sha256.toLowerCase().replace(/^sha256:/, "");
      if (actual !== expected || bytes !== file.size_bytes) {
        assembler.validator.add(
          "checksum_mismatch",
          `"${file.normalized}" is ${bytes} bytes with SHA-256 ${actual}; the upload request declared ${file.size_bytes} bytes, ${expected}.`,
          { file: file.normalized, field: "files.sha256" },
        );
      }
    }
  } catch (error) {
    refusal = toRefusal(error);
    if (refusal === null) {
      await assembler.discard(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
  }
  if (refusal !== null) {
    await assembler.abandon();
    return refusedVerdict(refusal, "files", checksum, size);
  }
  if (input.expectedChecksum !== undefined) {
    const expected = input.expectedChecksum
      .trim()
      .toLowerCase()
      .replace(/^sha256:/, "");
    if (`sha256:${expected}` !== checksum) {
      assembler.validator.add(
        "checksum_mismatch",
        `The files manifest's SHA-256 is ${checksum.slice(7)}, expected ${expected}.`,
        { field: "checksum" },
      );
    }
  }
  const assembled = await finishOrDiscard(assembler);
  const { report } = assembled;
  const validated = report.errors.length === 0;
  return {
    status: validated ? "validated" : "rejected",
    variant: assembled.variant,
    format: "files",
    schema_version: assembled.schemaVersion,
    checksum,
    size_bytes: size,
    errors: report.errors,
    warnings: report.warnings,
    issue_counts: report.issueCounts,
    issues_truncated: report.issuesTruncated,
    stats: report.stats,
    quality: report.quality,
    training_eligible: isTrainingEligible(validated, report.stats.step_count, report.quality),
    metadata: assembled.metadata,
    files: assembled.files,
    blobs: assembled.blobs,
  };
}

/** Refuse a declared file list before any URL is issued (same rules as at ingest). */
export function checkDeclaredFiles(
  files: readonly { path: string; size_bytes: number }[],
  limits?: Partial<EpisodeLimits>,
): string[] {
  const resolved = resolveLimits(limits);
  if (files.length > resolved.maxEntries) {
    throw new DomainError("invalid", `The upload lists ${files.length} files, more than ${resolved.maxEntries}.`, {
      reason: "too_many_entries",
    });
  }
  const seen = new Set<string>();
  return files.map((file) => {
    const normalized = normalizeEntryPath(file.path, resolved);
    if (normalized === "" || normalized !== file.path) {
      throw new DomainError("invalid", `File path "${file.path.slice(0, 160)}" must be a plain relative path.`, {
        reason: "invalid_path",
      });
    }
    if (seen.has(normalized)) {
      throw new DomainError("invalid", `File path "${file.path.slice(0, 160)}" is listed twice.`, {
        reason: "duplicate_entry",
      });
    }
    seen.add(normalized);
    return normalized;
  });
}
