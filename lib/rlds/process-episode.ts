import os from "node:os";
import path from "node:path";
import { pipeline, type Readable } from "node:stream";
import zlib from "node:zlib";
import { isDomainError } from "@/lib/errors";
import { EpisodeAssembler } from "@/lib/rlds/episode-assembler";
import { isIssueCode } from "@/lib/rlds/issue-codes";
import { resolveLimits, type EpisodeLimits } from "@/lib/rlds/limits";
import type { DeclaredMetadata, EpisodeFormat, EpisodeVerdict, Issue } from "@/lib/rlds/schemas";
import type { EpisodeSink } from "@/lib/rlds/sink/episode-sink";
import { computeQuality, isTrainingEligible } from "@/lib/rlds/validate/compute-quality";
import { toArchiveError } from "@/lib/rlds/unpack/archive-entry";
import { readTar, readTarGz } from "@/lib/rlds/unpack/read-tar";
import { UnpackBudget } from "@/lib/rlds/unpack/unpack-budget";
import { readZipFile } from "@/lib/rlds/unpack/read-zip";
import { sniffFormat, type ContainerFormat } from "@/lib/rlds/unpack/sniff-format";
import { SourceTap } from "@/lib/rlds/unpack/source-tap";
import { spoolToFile } from "@/lib/rlds/unpack/spool-to-file";

export interface ProcessEpisodeInput {
  /** The uploaded object, exactly as stored (read once). */
  source: Readable;
  /** Its container; `auto` sniffs the first bytes (gzip → tar.gz, `PK` → zip, `ustar` → tar, `{` → JSON). */
  format: EpisodeFormat;
  /** What the robot declared when it asked to upload (step count, duration), checked against the content. */
  declared?: DeclaredMetadata;
  /** `X-Continuon-Tag-<name>` headers of an XR upload: metadata the archive lacks (`xr_mode`, `list` = tags…). */
  headerTags?: Readonly<Record<string, string>>;
  /** `sha256:<hex>` or bare hex the robot sent; a different object is rejected with `checksum_mismatch`. */
  expectedChecksum?: string;
  limits?: Partial<EpisodeLimits>;
  /** Receives `metadata.json`, `steps.jsonl`, `blobs/…` and `index/…`. */
  output: EpisodeSink;
  /** Scratch space for a zip (random access) and out-of-order step files. Default: the OS temp dir. */
  tempDir?: string;
}

/**
 * Ingest one uploaded episode in a single streaming pass: hash the object, unpack it safely,
 * detect its variant, normalize it to the canonical layout, validate it (PRODUCT.md §7) and build
 * the replay index, writing everything to `output`. Memory stays flat whatever the episode's size.
 *
 * Returns the verdict; it does not throw for bad content (a refused archive, invalid steps —
 * those are `rejected` with issues), only for failures of the machinery (a sink that cannot
 * write), which the caller may retry. On `rejected` the files written are not meaningful: write
 * to a staging prefix and discard it.
 *
 * TFRecord conversion is a separate step (`writeEpisodeTfrecord`), run from the canonical
 * `steps.jsonl` by a background job: it needs exact number lexemes (a slower parse) and must not
 * hold up the robot's ingest answer.
 */
export async function processEpisode(input: ProcessEpisodeInput): Promise<EpisodeVerdict> {
  const limits = resolveLimits(input.limits);
  const tempDir = input.tempDir ?? path.join(os.tmpdir(), "continuon-rlds");
  const tap = new SourceTap(input.source, limits.maxObjectBytes);
  const assembler = new EpisodeAssembler({
    limits,
    sink: input.output,
    tempDir,
    declared: input.declared,
    ...(input.headerTags ? { headerTags: input.headerTags } : {}),
  });
  let format: ContainerFormat | null = input.format === "auto" ? null : input.format;
  let refusal: Issue | null = null;

  try {
    let body: Readable = tap.body;
    if (format === null) {
      const sniffed = await sniffFormat(body);
      format = sniffed.format;
      body = sniffed.stream;
    }
    switch (format) {
      case "json":
        await assembler.consumeJsonDocument(body as AsyncIterable<Uint8Array>, "the JSON document");
        break;
      case "tar.gz":
      case "tar":
        for await (const entry of format === "tar.gz" ? readTarGz(body, { limits }) : readTar(body, { limits })) {
          await assembler.consumeEntry(entry);
        }
        break;
      case "tfrecord":
        await assembler.consumeTfrecord(body as AsyncIterable<Uint8Array>, "the TFRecord file");
        break;
      case "tfrecord.gz":
        await assembler.consumeTfrecord(gunzipMetered(body, limits), "the TFRecord file");
        break;
      case "zip": {
        // Zip needs random access (its directory is at the end): spool, then read the file.
        const spooled = await spoolToFile(body, tempDir, limits.maxObjectBytes);
        try {
          for await (const entry of readZipFile(spooled.path, { limits, compare: zipOrder })) {
            await assembler.consumeEntry(entry);
          }
        } finally {
          await spooled.remove();
        }
        break;
      }
    }
  } catch (error) {
    refusal = toRefusal(error);
    if (refusal === null) {
      // Not the episode's fault (a sink failed): stop reading and let the caller retry.
      input.source.destroy();
      tap.body.destroy();
      await assembler.discard(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
  }

  if (refusal === null) {
    try {
      await tap.done;
    } catch (error) {
      refusal = toRefusal(error);
      if (refusal === null) throw error;
    }
  } else {
    // Keep hashing the rest of the object (a refused archive still gets its checksum), unless
    // the object itself was too large.
    tap.body.destroy();
    await tap.done.catch(() => {});
  }

  if (refusal !== null) {
    await assembler.abandon();
    return refusedVerdict(refusal, format, tap.checksum, tap.size);
  }

  const checksum = tap.checksum;
  if (input.expectedChecksum !== undefined && checksum !== null) {
    const expected = input.expectedChecksum
      .trim()
      .toLowerCase()
      .replace(/^sha256:/, "");
    if (`sha256:${expected}` !== checksum) {
      assembler.validator.add(
        "checksum_mismatch",
        `The object's SHA-256 is ${checksum.slice(7)}, expected ${expected}.`,
        {
          field: "checksum",
        },
      );
    }
  }
  const assembled = await finishOrDiscard(assembler);
  const { report } = assembled;
  const validated = report.errors.length === 0;
  return {
    status: validated ? "validated" : "rejected",
    variant: assembled.variant,
    format,
    schema_version: assembled.schemaVersion,
    checksum,
    size_bytes: tap.size,
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

/**
 * A gzip stream's bytes, inflated under the same caps as an archive (`UnpackBudget`: total size,
 * ratio); a damaged or truncated stream is refused like a damaged archive.
 */
async function* gunzipMetered(source: Readable, limits: EpisodeLimits): AsyncGenerator<Uint8Array> {
  const budget = new UnpackBudget(limits);
  const inflated = (pipeline as unknown as (...args: unknown[]) => Readable)(
    source,
    budget.compressedMeter(),
    zlib.createGunzip({ chunkSize: 256 * 1024 }),
    budget.uncompressedMeter(),
    () => {},
  );
  try {
    yield* budget.judge("episode.tfrecord", Number.POSITIVE_INFINITY, inflated as AsyncIterable<Uint8Array>);
  } catch (error) {
    throw toArchiveError(error, "gzip");
  }
}

/** `assembler.finish()`, discarding every output when it fails (so no half-written file is left). */
export async function finishOrDiscard(
  assembler: EpisodeAssembler,
): Promise<Awaited<ReturnType<EpisodeAssembler["finish"]>>> {
  try {
    return await assembler.finish();
  } catch (error) {
    await assembler.discard(error instanceof Error ? error : new Error(String(error)));
    throw error;
  }
}

/** Zip entries in the order that lets everything stream: metadata and manifests, blobs, then steps. */
export function zipOrder(a: string, b: string): number {
  const rank = (p: string) => (/(^|\/)steps(\.jsonl$|\/)|(^|\/)episode\.json$/.test(p) ? 2 : /\.json$/.test(p) ? 0 : 1);
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** A DomainError whose reason is an issue code becomes that issue; anything else is not ours. */
export function toRefusal(error: unknown): Issue | null {
  if (!isDomainError(error) || !isIssueCode(error.reason)) return null;
  const issue: Issue = { code: error.reason, message: error.message };
  const line = (error.details as { line?: unknown } | undefined)?.line;
  if (typeof line === "number" && line > 0) issue.line = line;
  return issue;
}

/** The verdict of an upload refused as a whole (an unsafe archive, an oversize object). */
export function refusedVerdict(
  refusal: Issue,
  format: EpisodeVerdict["format"],
  checksum: string | null,
  size: number,
): EpisodeVerdict {
  return {
    status: "rejected",
    variant: null,
    format,
    schema_version: null,
    checksum,
    size_bytes: size,
    errors: [refusal],
    warnings: [],
    issue_counts: { [refusal.code]: 1 },
    issues_truncated: false,
    stats: { step_count: 0, duration_ms: 0, action_dim: 0, observation_keys: [], reward_sum: 0 },
    quality: computeQuality({
      stepCount: 0,
      gapCount: 0,
      frozenSignals: false,
      actionJerk: false,
      clockSkewCount: 0,
      missingMetadataCount: 0,
      hasClock: false,
    }),
    training_eligible: false,
    metadata: {},
    files: [],
    blobs: { count: 0, bytes: 0 },
  };
}
