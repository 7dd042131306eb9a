import { createHash } from "node:crypto";
import fs from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { DomainError, isDomainError } from "@/lib/errors";
import { isIssueCode } from "@/lib/rlds/issue-codes";
import { renameJsonKeysToSnake } from "@/lib/rlds/json/camel-case";
import { jsonNestsDeeperThan } from "@/lib/rlds/json/json-depth";
import { LineSplitter } from "@/lib/rlds/json/line-splitter";
import {
  isLosslessNumber,
  isLosslessObject,
  parseLossless,
  stringifyLossless,
  toPlainJson,
  type LosslessValue,
} from "@/lib/rlds/json/lossless";
import { JsonEpisodeScanner } from "@/lib/rlds/json/scan-json-episode";
import { MAX_RENDERED_NPY_BYTES, renderNpyFrame } from "@/lib/rlds/frames/npy-frame";
import { decodeExample } from "@/lib/rlds/tfrecord/example-proto";
import { exampleToStep } from "@/lib/rlds/tfrecord/example-to-step";
import { readTfrecords } from "@/lib/rlds/tfrecord/tfrecord-framing";
import { refuseArchive } from "@/lib/rlds/unpack/normalize-entry-path";
import type { EpisodeLimits } from "@/lib/rlds/limits";
import { ReplayIndexWriter } from "@/lib/rlds/replay-index/replay-index-writer";
import type { DeclaredMetadata, Variant, WrittenFile } from "@/lib/rlds/schemas";
import { BufferedOutput } from "@/lib/rlds/sink/buffered-output";
import type { EpisodeSink } from "@/lib/rlds/sink/episode-sink";
import type { ArchiveEntry } from "@/lib/rlds/unpack/archive-entry";
import { spoolToFile, type SpooledFile } from "@/lib/rlds/unpack/spool-to-file";
import { EntryClassifier } from "@/lib/rlds/variants/classify-entry";
import {
  applyHeaderTags,
  isV2Step,
  isXrAppMetadata,
  isXrAppStep,
  mapFieldAliases,
  normalizeMetadata,
} from "@/lib/rlds/variants/normalize-metadata";
import { EpisodeValidator, type StepLocation, type ValidationReport } from "@/lib/rlds/validate/episode-validator";
import type { ReplayManifest } from "@/lib/rlds/replay-index/format";

type LosslessObject = { [key: string]: LosslessValue };

export const CANONICAL_FILES = { metadata: "metadata.json", steps: "steps.jsonl" } as const;

const CONTENT_TYPES: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  webp: "image/webp",
  gif: "image/gif",
  json: "application/json",
  jsonl: "application/x-ndjson",
  mp4: "video/mp4",
  wav: "audio/wav",
  txt: "text/plain",
  npy: "application/x-npy",
};

/** Blobs listed one by one in the episode's file list (all of them are in `index/blobs.tsv`). */
export const MAX_LISTED_BLOBS = 2000;

export function contentTypeOf(path: string): string {
  const dot = path.lastIndexOf(".");
  return (dot === -1 ? undefined : CONTENT_TYPES[path.slice(dot + 1).toLowerCase()]) ?? "application/octet-stream";
}

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0d || byte === 0x0a;
}

async function readSmall(stream: AsyncIterable<Uint8Array>, max: number, label: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.length;
    if (size > max) {
      // Keep draining is the reader's job; refuse the file.
      throw new DomainError("invalid", `${label} is larger than ${max} bytes.`, { reason: "entry_too_large" });
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

async function* hashing(stream: AsyncIterable<Uint8Array>, hash: ReturnType<typeof createHash>) {
  for await (const chunk of stream) {
    hash.update(chunk);
    yield chunk;
  }
}

export interface AssemblerOptions {
  limits: EpisodeLimits;
  sink: EpisodeSink;
  tempDir: string;
  declared?: DeclaredMetadata;
  /** `X-Continuon-Tag-<name>` headers of an XR upload: metadata the archive lacks (see `applyHeaderTags`). */
  headerTags?: Readonly<Record<string, string>>;
}

export interface AssembledEpisode {
  variant: Variant | null;
  schemaVersion: string | null;
  metadata: Record<string, unknown>;
  report: ValidationReport;
  manifest: ReplayManifest;
  files: WrittenFile[];
  blobs: { count: number; bytes: number };
}

/**
 * Turns the entries of an upload, in whatever order they arrive, into the canonical episode:
 * routes each entry by its role, streams step files through the validator into `steps.jsonl`
 * and the replay index, copies blobs, and writes `metadata.json` last (metadata may arrive after
 * the steps). Step files of `steps/` that arrive out of order are spooled to `tempDir` and
 * replayed in order, so the canonical file is always in step order.
 */
export class EpisodeAssembler {
  readonly validator: EpisodeValidator;
  private readonly limits: EpisodeLimits;
  private readonly sink: EpisodeSink;
  private readonly tempDir: string;
  private readonly classifier = new EntryClassifier();
  private readonly outputs: BufferedOutput[] = [];
  private readonly files: WrittenFile[] = [];
  private readonly steps: BufferedOutput;
  private readonly index: ReplayIndexWriter;
  private indexBegun = false;

  // canonical step writing: the previous step's closing waits to learn whether it was the last
  private pendingTail: "derive" | "close" | null = null;
  private bodyWritten = false;
  private camelCase: boolean | null = null;
  private v2Steps = false;
  private sawStepSource = false;
  private documentKind: "single_json" | "package" | "tfrecord" | null = null;
  private tfrecordEpisodeId: string | null = null;

  // metadata sources
  private metadataSource: LosslessObject | null = null;
  private metadataLabel = "metadata.json";
  private readonly documentExtras: LosslessObject = {};
  private extrasBytes = 0;
  private packageManifest: LosslessObject | null = null;
  private readonly entryHashes = new Map<string, string>();
  private readonly blobs = new Map<string, number>();
  private blobBytes = 0;
  private ignoredCount = 0;

  // step files of steps/
  private nextStepFile = 0;
  private readonly spooled: { name: string; order: number | null; file: SpooledFile }[] = [];

  constructor(private readonly options: AssemblerOptions) {
    this.limits = options.limits;
    this.sink = options.sink;
    this.tempDir = options.tempDir;
    this.validator = new EpisodeValidator({ limits: options.limits });
    this.steps = this.open(CANONICAL_FILES.steps, "application/x-ndjson");
    this.index = new ReplayIndexWriter((path, type) => this.open(path, type), options.limits.maxSeriesFields);
  }

  private open(path: string, contentType: string): BufferedOutput {
    const output = new BufferedOutput(path, contentType, this.sink.open(path, contentType));
    this.outputs.push(output);
    return output;
  }

  private async drain(): Promise<void> {
    await this.steps.drain();
    await this.index.drain();
  }

  // ---------------------------------------------------------------- archive entries

  async consumeEntry(entry: ArchiveEntry): Promise<void> {
    const role = this.classifier.classify(entry.path);
    switch (role.kind) {
      case "metadata": {
        const bytes = await readSmall(entry.stream, this.limits.maxMetadataBytes, entry.path);
        this.setMetadata(this.parseJsonFile(bytes, entry.path), entry.path);
        return;
      }
      case "package_manifest": {
        const hash = createHash("sha256");
        const bytes = await readSmall(hashing(entry.stream, hash), this.limits.maxMetadataBytes, entry.path);
        this.entryHashes.set(entry.path, hash.digest("hex"));
        const manifest = this.parseJsonFile(bytes, entry.path);
        if (manifest !== null) this.packageManifest = manifest;
        return;
      }
      case "package_episode": {
        const hash = createHash("sha256");
        this.documentKind = "package";
        await this.consumeJsonDocument(hashing(entry.stream, hash), entry.path);
        this.entryHashes.set(entry.path, hash.digest("hex"));
        return;
      }
      case "steps":
        await this.consumeStepFile(entry, role.name, role.order);
        return;
      case "blob":
        await this.copyBlob(entry, role.target);
        return;
      case "junk":
        return;
      case "ignored":
        this.ignoredCount += 1;
        this.validator.add("ignored_entry", `"${entry.path}" is not part of the episode layout and was not kept.`, {
          file: entry.path,
        });
        return;
    }
  }

  private parseJsonFile(bytes: Buffer, label: string): LosslessObject | null {
    if (jsonNestsDeeperThan(bytes, this.limits.maxStepDepth)) {
      this.validator.add(
        "too_deeply_nested",
        `${label} nests objects and arrays deeper than ${this.limits.maxStepDepth} levels.`,
        { file: label },
      );
      return null;
    }
    let value: LosslessValue;
    try {
      value = parseLossless(bytes.toString("utf8").replace(/^\uFEFF/, ""));
    } catch (error) {
      this.validator.add("invalid_json", `${label} is not valid JSON (${(error as Error).message}).`, { file: label });
      return null;
    }
    if (!isLosslessObject(value)) {
      this.validator.add("invalid_metadata", `${label} must be a JSON object.`, { file: label });
      return null;
    }
    return value;
  }

  private setMetadata(value: LosslessObject | null, label: string): void {
    if (value === null) return;
    this.metadataSource = value;
    this.metadataLabel = label;
    if (isXrAppMetadata(value) && this.camelCase === null) this.camelCase = true;
  }

  private async copyBlob(entry: ArchiveEntry, target: string): Promise<void> {
    const hash = createHash("sha256");
    let size = 0;
    // A raw NumPy frame is also rendered as a PNG for the replay (browsers cannot show `.npy`).
    let frame: Buffer[] | null = /\.npy$/i.test(target) && entry.size <= MAX_RENDERED_NPY_BYTES ? [] : null;
    const output = this.sink.open(target, contentTypeOf(target));
    async function* counted(stream: AsyncIterable<Uint8Array>) {
      for await (const chunk of stream) {
        size += chunk.length;
        hash.update(chunk);
        if (frame !== null) {
          frame.push(Buffer.from(chunk));
          if (size > MAX_RENDERED_NPY_BYTES) frame = null;
        }
        yield chunk;
      }
    }
    await pipeline(Readable.from(counted(entry.stream)), output);
    this.entryHashes.set(entry.path, hash.digest("hex"));
    this.addBlob(target, size);
    if (/\.npy$/i.test(target)) await this.renderFrame(target, frame === null ? null : Buffer.concat(frame));
  }

  private addBlob(target: string, size: number): void {
    this.blobs.set(target, size);
    this.blobBytes += size;
    this.validator.registerBlob(target, size);
  }

  /** Write `blobs/…/x.png` next to `blobs/…/x.npy`, unless the upload has its own image of that name. */
  private async renderFrame(source: string, bytes: Buffer | null): Promise<void> {
    const target = `${source.slice(0, -".npy".length)}.png`;
    if (this.blobs.has(target)) return;
    const rendered =
      bytes === null
        ? { ok: false as const, why: `it is larger than ${MAX_RENDERED_NPY_BYTES} bytes` }
        : await renderNpyFrame(bytes);
    if (!rendered.ok) {
      this.validator.add("frame_not_rendered", `"${source}" is kept but has no image in the replay: ${rendered.why}.`, {
        file: source,
      });
      return;
    }
    await pipeline(Readable.from([rendered.png]), this.sink.open(target, "image/png"));
    this.addBlob(target, rendered.png.length);
  }

  private async consumeStepFile(entry: ArchiveEntry, name: string, order: number | null): Promise<void> {
    this.sawStepSource = true;
    if (name === "steps.jsonl" || (order !== null && order === this.nextStepFile && this.spooled.length === 0)) {
      await this.consumeJsonl(entry.stream, entry.path);
      if (order !== null) this.nextStepFile = order + 1;
      await this.replaySpooledInOrder();
      return;
    }
    // Out of order (or not numbered): keep it aside and replay it when its turn comes.
    const file = await spoolToFile(Readable.from(entry.stream), this.tempDir, this.limits.maxUncompressedBytes);
    this.spooled.push({ name: entry.path, order, file });
    this.spooled.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    await this.replaySpooledInOrder();
  }

  private async replaySpooledInOrder(): Promise<void> {
    while (this.spooled.length > 0 && this.spooled[0]!.order === this.nextStepFile) {
      await this.replaySpooled(this.spooled.shift()!);
    }
  }

  private async replaySpooled(item: { name: string; order: number | null; file: SpooledFile }): Promise<void> {
    try {
      await this.consumeJsonl(fs.createReadStream(item.file.path, { highWaterMark: 256 * 1024 }), item.name);
      if (item.order !== null) this.nextStepFile = item.order + 1;
    } finally {
      await item.file.remove();
    }
  }

  /** Remove spooled files (on failure paths). */
  async cleanup(): Promise<void> {
    for (const item of this.spooled.splice(0)) await item.file.remove();
  }

  // ---------------------------------------------------------------- JSON Lines

  async consumeJsonl(stream: AsyncIterable<Uint8Array>, file: string): Promise<void> {
    this.sawStepSource = true;
    const splitter = new LineSplitter(this.limits.maxLineBytes, {
      onLine: (line, lineNo) => this.handleLine(line, { file, line: lineNo }),
      onTooLong: (lineNo) => this.validator.rejectLine("line_too_long", "", { file, line: lineNo }),
    });
    let first = true;
    for await (const raw of stream) {
      let chunk = raw as Buffer;
      if (first) {
        first = false;
        if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
      }
      splitter.push(chunk);
      await this.drain();
    }
    splitter.end();
  }

  private handleLine(line: Buffer, location: StepLocation): void {
    let start = 0;
    let end = line.length;
    while (start < end && isSpace(line[start]!)) start++;
    while (end > start && isSpace(line[end - 1]!)) end--;
    if (start === end) return;
    this.handleStepText(line.subarray(start, end), location);
  }

  /** One step's JSON text (trimmed): parse, validate, index, write canonical. */
  private handleStepText(bytes: Buffer, location: StepLocation): void {
    let text = bytes.toString("utf8");
    let source: Buffer | null = bytes;
    if (this.camelCase === true) {
      text = renameJsonKeysToSnake(text);
      source = null;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      this.validator.rejectLine("invalid_json", (error as Error).message, location);
      return;
    }
    if (this.camelCase === null && typeof value === "object" && value !== null) {
      this.camelCase = isXrAppStep(value);
      if (this.camelCase) {
        text = renameJsonKeysToSnake(text);
        source = null;
        value = JSON.parse(text);
      }
      this.v2Steps = isV2Step(value);
    }
    const accepted = this.validator.acceptStep(value, location, text.includes('"blobs/'));
    if (accepted === null) return;
    if (!this.indexBegun && this.validator.fields.length > 0) {
      this.index.begin(this.validator.fields);
      this.indexBegun = true;
    }
    this.closePendingStep(false);
    this.index.addStep(accepted.row.length > 0 ? accepted.row : null, accepted.timestampUs, this.steps.size);
    this.writeStepHead(value as Record<string, unknown>, accepted.index, text, source);
  }

  /**
   * Write `{` + the derived members the source lacks + the source members, without the closing
   * brace: whether `is_last` must be added is known only when the next step arrives.
   */
  private writeStepHead(step: Record<string, unknown>, index: number, text: string, source: Buffer | null): void {
    let head = "{";
    if (step.is_first === undefined) head += index === 0 ? `"is_first":true,` : `"is_first":false,`;
    if (step.reward === undefined) head += `"reward":0,`;
    if (step.is_terminal === undefined) head += `"is_terminal":false,`;
    // A JSON object with at least one member has a colon; `{}` has none.
    const hasMembers = text.indexOf(":") !== -1;
    if (hasMembers) {
      this.steps.writeBytes(this.bytesOf(head));
      // The source text without its outer braces (it is a JSON object: `{` first, `}` last).
      if (source !== null) this.steps.writeBytes(source.subarray(1, source.length - 1));
      else this.steps.writeString(text.slice(1, -1));
    } else {
      this.steps.writeString(head.length > 1 ? head.slice(0, -1) : head);
    }
    this.bodyWritten = head.length > 1 || hasMembers;
    this.pendingTail = step.is_last === undefined ? "derive" : "close";
  }

  private closePendingStep(isLast: boolean): void {
    if (this.pendingTail === null) return;
    if (this.pendingTail === "derive") {
      this.steps.writeBytes(this.bytesOf(`${this.bodyWritten ? "," : ""}"is_last":${isLast}}\n`));
    } else {
      this.steps.writeBytes(this.bytesOf("}\n"));
    }
    this.pendingTail = null;
  }

  /** The few heads and tails steps get, encoded once (a copy is cheaper than UTF-8 encoding per step). */
  private readonly encoded = new Map<string, Buffer>();

  private bytesOf(text: string): Buffer {
    let bytes = this.encoded.get(text);
    if (bytes === undefined) {
      bytes = Buffer.from(text, "utf8");
      this.encoded.set(text, bytes);
    }
    return bytes;
  }

  // ---------------------------------------------------------------- TFRecord files

  /**
   * A TFRecord file (already decompressed): one `tf.train.Example` per step (`exampleToStep`).
   * A damaged file (a CRC, a record longer than a step may be, a record that is no Example) is
   * refused as `corrupt_archive`; steps of two episodes (`episode_id`) are `ambiguous_layout`.
   */
  async consumeTfrecord(stream: AsyncIterable<Uint8Array>, label: string): Promise<void> {
    this.sawStepSource = true;
    this.documentKind = "tfrecord";
    let record = 0;
    const records = readTfrecords(stream, { maxRecordBytes: this.limits.maxLineBytes });
    for (;;) {
      let next: IteratorResult<Uint8Array>;
      let features: ReturnType<typeof decodeExample>;
      try {
        next = await records.next();
      } catch (error) {
        // The source's own refusals (a truncated gzip, a cap) pass through; framing errors are damage.
        if (isDomainError(error) && isIssueCode(error.reason)) throw error;
        refuseArchive("corrupt_archive", (error as Error).message.replace(/\.$/, ""));
      }
      if (next.done) break;
      try {
        features = decodeExample(next.value);
      } catch (error) {
        refuseArchive(
          "corrupt_archive",
          `record ${record} of ${label} is not a tf.train.Example (${(error as Error).message})`,
        );
      }
      const step = exampleToStep(features);
      const location = { file: label, line: record + 1 };
      if (step.episodeId !== null) {
        this.tfrecordEpisodeId ??= step.episodeId;
        if (step.episodeId !== this.tfrecordEpisodeId) {
          throw new DomainError(
            "invalid",
            `${label} holds steps of more than one episode ("${this.tfrecordEpisodeId}", then "${step.episodeId}" at record ${record}); upload one episode per file.`,
            { reason: "ambiguous_layout" },
          );
        }
      }
      if (step.invalid !== null) {
        this.validator.add(
          "invalid_json",
          `${label} record ${record}: "${step.invalid.field}" is not valid JSON (${step.invalid.why}).`,
          { file: label, line: record + 1, step: this.validator.count, field: step.invalid.field },
        );
      }
      this.handleStepText(Buffer.from(step.text, "utf8"), location);
      await this.drain();
      record += 1;
    }
    if (this.metadataSource === null && this.tfrecordEpisodeId !== null) {
      this.metadataSource = { episode_id: this.tfrecordEpisodeId };
      this.metadataLabel = `${label} (episode_id)`;
    }
  }

  // ---------------------------------------------------------------- single JSON documents

  async consumeJsonDocument(stream: AsyncIterable<Uint8Array>, label: string): Promise<void> {
    this.sawStepSource = true;
    this.documentKind ??= "single_json";
    const scanner = new JsonEpisodeScanner(
      {
        onMember: (key, raw, line) => this.handleDocumentMember(key, raw, line, label),
        onStep: (raw, _index, line) => this.handleStepText(raw, { file: label, line }),
        onStepTooLong: (_index, line) => this.validator.rejectLine("line_too_long", "", { file: label, line }),
      },
      { maxStepBytes: this.limits.maxLineBytes, maxMemberBytes: this.limits.maxMetadataBytes, source: label },
    );
    for await (const chunk of stream) {
      scanner.push(chunk as Buffer);
      await this.drain();
    }
    scanner.end();
    if (!scanner.hasSteps) {
      this.validator.add("no_steps", `${label} has no "steps" array.`, { file: label, field: "steps" });
    }
  }

  private handleDocumentMember(key: string, raw: Buffer, line: number, label: string): void {
    // The member itself is level 2 of the document, as a step's `observation` is of the step.
    if (jsonNestsDeeperThan(raw, this.limits.maxStepDepth - 1)) {
      this.validator.add(
        "too_deeply_nested",
        `${label} line ${line}: "${key}" nests objects and arrays deeper than ${this.limits.maxStepDepth} levels.`,
        { file: label, line, field: key },
      );
      return;
    }
    let value: LosslessValue;
    try {
      value = parseLossless(raw.toString("utf8"));
    } catch (error) {
      this.validator.add(
        "invalid_json",
        `${label} line ${line}: "${key}" is not valid JSON (${(error as Error).message}).`,
        {
          file: label,
          line,
          field: key,
        },
      );
      return;
    }
    if (key === "metadata") {
      if (!isLosslessObject(value)) {
        this.validator.add("invalid_metadata", `${label}: "metadata" must be a JSON object.`, { file: label, line });
        return;
      }
      this.setMetadata(value, `${label} (metadata)`);
      return;
    }
    this.extrasBytes += raw.length;
    if (this.extrasBytes > this.limits.maxMetadataBytes) {
      throw new DomainError(
        "invalid",
        `${label}: the members besides "steps" exceed ${this.limits.maxMetadataBytes} bytes.`,
        {
          reason: "entry_too_large",
        },
      );
    }
    this.documentExtras[key] = value;
  }

  // ---------------------------------------------------------------- the end

  private variant(metadata: LosslessObject): Variant | null {
    if (this.documentKind === "tfrecord") return "tfrecord";
    if (this.documentKind === "package" || this.packageManifest !== null) return "robot_package";
    if (this.camelCase === true) return "xr_app";
    if (this.documentKind === "single_json") {
      const flutter = ["assets", "task_classification", "source_context"].some(
        (key) => key in this.documentExtras || key in metadata,
      );
      return flutter ? "flutter_record" : "single_json";
    }
    if (!this.sawStepSource) return null;
    return this.v2Steps || String(plain(metadata.schema_version) ?? "").startsWith("2") ? "rlds_v2" : "rlds_v1";
  }

  async finish(): Promise<AssembledEpisode> {
    // Step files that never became "next" (a gap in the numbering, or names without numbers).
    for (const item of this.spooled.splice(0)) await this.replaySpooled(item);
    this.closePendingStep(true);
    const stepsBytes = await this.steps.close();
    this.files.push({ path: CANONICAL_FILES.steps, size_bytes: stepsBytes, content_type: "application/x-ndjson" });

    const source = this.metadataSource;
    let metadata: LosslessObject = normalizeMetadata(source ?? {}, this.camelCase === true);
    for (const [key, value] of Object.entries(this.documentExtras)) if (!(key in metadata)) metadata[key] = value;
    metadata = mapFieldAliases(metadata, this.packageManifest);
    if (this.options.headerTags !== undefined) metadata = applyHeaderTags(metadata, this.options.headerTags);
    if (this.packageManifest !== null) metadata = { ...metadata, upload_manifest: this.packageManifest };
    const variant = this.variant(metadata);
    if (variant === null) {
      this.validator.add(
        "unsupported_format",
        "No episode found: expected metadata.json with steps.jsonl or steps/*.jsonl, an episode.json, or a {metadata, steps} document.",
      );
    }
    const schemaVersion =
      typeof plain(metadata.schema_version) === "string"
        ? String(plain(metadata.schema_version))
        : variant === "rlds_v2"
          ? "2.0"
          : variant === null
            ? null
            : "1.0";

    this.validator.checkMetadata(
      source === null && this.options.headerTags === undefined && Object.keys(metadata).length === 0
        ? null
        : (toPlainJson(metadata) as Record<string, unknown>),
      variant,
      source === null ? "metadata.json" : this.metadataLabel,
    );
    this.declare(metadata);
    this.verifyPackage();

    const report = this.validator.finish();
    for (const stream of report.frames) {
      const ids = stream.ids_file === null ? undefined : report.frameIds.get(stream.field);
      if (ids === undefined || stream.ids_file === null) continue;
      const out = this.open(stream.ids_file, "text/tab-separated-values");
      for (const [id, path] of [...ids].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        out.writeString(`${id}\t${path}\n`);
      }
      this.files.push({
        path: stream.ids_file,
        size_bytes: await out.close(),
        content_type: "text/tab-separated-values",
      });
    }
    const { manifest, files } = await this.index.finish({
      stepsFile: CANONICAL_FILES.steps,
      stepsBytes,
      clock: report.clock,
      firstTimestampUs: report.firstTimestampUs,
      lastTimestampUs: report.lastTimestampUs,
      frames: report.frames,
      blobs: this.blobs,
      allFields: report.fields,
    });
    this.files.push(...files);
    for (const path of [...this.blobs.keys()].sort().slice(0, MAX_LISTED_BLOBS)) {
      this.files.push({ path, size_bytes: this.blobs.get(path)!, content_type: contentTypeOf(path) });
    }

    const metadataOut = this.open(CANONICAL_FILES.metadata, "application/json");
    metadataOut.writeString(stringifyLossless(metadata));
    this.files.push({
      path: CANONICAL_FILES.metadata,
      size_bytes: await metadataOut.close(),
      content_type: "application/json",
    });

    return {
      variant,
      schemaVersion,
      metadata: toPlainJson(metadata) as Record<string, unknown>,
      report,
      manifest,
      files: this.files,
      blobs: { count: this.blobs.size, bytes: this.blobBytes },
    };
  }

  private declare(metadata: LosslessObject): void {
    const declared = this.options.declared;
    if (declared?.step_count !== undefined)
      this.validator.declare("declared.step_count", "step_count", declared.step_count);
    if (declared?.duration_ms !== undefined)
      this.validator.declare("declared.duration_ms", "duration_ms", declared.duration_ms);
    const number = (value: LosslessValue | undefined) => {
      const n = plain(value);
      return typeof n === "number" ? n : NaN;
    };
    this.validator.declare("metadata.num_steps", "step_count", number(metadata.num_steps));
    this.validator.declare("metadata.step_count", "step_count", number(metadata.step_count));
    this.validator.declare("metadata.duration_ms", "duration_ms", number(metadata.duration_ms));
    this.validator.declare("metadata.duration_s", "duration_ms", number(metadata.duration_s) * 1000);
    if (this.packageManifest !== null) {
      this.validator.declare("upload_manifest.total_steps", "step_count", number(this.packageManifest.total_steps));
    }
  }

  /** Check `upload_manifest.file_checksums` against what the archive held. */
  private verifyPackage(): void {
    const checksums = this.packageManifest?.file_checksums;
    if (!isLosslessObject(checksums)) return;
    const dir = this.classifier.packageDir;
    for (const [name, expectedValue] of Object.entries(checksums)) {
      if (typeof expectedValue !== "string") continue;
      const expected = expectedValue.toLowerCase().replace(/^sha256:/, "");
      const candidates = [name, dir ? `${dir}/${name}` : name];
      let actual: string | undefined;
      for (const candidate of candidates) actual ??= this.entryHashes.get(candidate);
      if (actual === undefined) {
        for (const [path, hash] of this.entryHashes) {
          if (path.slice(path.lastIndexOf("/") + 1) === name) actual ??= hash;
        }
      }
      const field = `upload_manifest.file_checksums.${name}`;
      if (actual === undefined) {
        this.validator.add(
          "manifest_file_missing",
          `upload_manifest.json lists "${name}", which is not in the archive.`,
          {
            field,
          },
        );
      } else if (actual !== expected) {
        this.validator.add(
          "checksum_mismatch",
          `"${name}" has SHA-256 ${actual}, upload_manifest.json says ${expected}.`,
          {
            field,
          },
        );
      }
    }
  }

  /** End every open output without waiting (used when the upload is refused midway). */
  async abandon(): Promise<void> {
    await this.cleanup();
    for (const output of this.outputs) {
      try {
        await output.close();
      } catch {
        // The sink is being discarded anyway.
      }
    }
  }

  /**
   * Abort every output without finishing it (a failure that is not the episode's content): the
   * sink's writes fail and leave nothing behind, temp files included.
   */
  async discard(error: Error): Promise<void> {
    await this.cleanup();
    await Promise.all(this.outputs.map((output) => output.discard(error)));
  }

  get ignoredEntries(): number {
    return this.ignoredCount;
  }
}

function plain(value: LosslessValue | undefined): unknown {
  if (value === undefined) return undefined;
  if (isLosslessNumber(value)) return Number(value.value);
  return value;
}
