import type { BufferedOutput } from "@/lib/rlds/sink/buffered-output";
import type { WrittenFile } from "@/lib/rlds/schemas";
import type { ClockSource, FrameStreamReport, RowField } from "@/lib/rlds/validate/episode-validator";
import {
  MAX_PYRAMID_LEVEL,
  PYRAMID_FACTOR,
  REPLAY_INDEX_FILES,
  ROW_GROUP,
  type ReplayField,
  type ReplayLevel,
  type ReplayManifest,
} from "@/lib/rlds/replay-index/format";

export type OpenOutput = (path: string, contentType: string) => BufferedOutput;

/** One level of the series files: a row-group buffer, filled entry by entry, flushed when full. */
class LevelWriter {
  readonly width: number;
  private group: Float32Array;
  private filled = 0;
  entries = 0;
  private output: BufferedOutput | null = null;
  // Running (min, max) of the block being built for this level (levels ≥ 1).
  readonly blockMin: Float64Array;
  readonly blockMax: Float64Array;
  blockFill = 0;

  constructor(
    readonly level: number,
    private readonly fieldCount: number,
    private readonly open: OpenOutput,
  ) {
    this.width = level === 0 ? 1 : 2;
    this.group = new Float32Array(fieldCount * ROW_GROUP * this.width);
    this.blockMin = new Float64Array(level === 0 ? 0 : fieldCount).fill(Infinity);
    this.blockMax = new Float64Array(level === 0 ? 0 : fieldCount).fill(-Infinity);
  }

  get file(): string {
    return REPLAY_INDEX_FILES.series(this.level);
  }

  get isOpen(): boolean {
    return this.output !== null;
  }

  /**
   * Level 0 rows are appended row-major into `staging` (contiguous writes, cheap per step) and
   * transposed to the column-major group layout once per group, in `flush`.
   */
  stagingRow(): { staging: Float32Array; offset: number } {
    this.staging ??= new Float32Array(this.fieldCount * ROW_GROUP);
    return { staging: this.staging, offset: this.filled * this.fieldCount };
  }

  /** Level 0: the row written through `stagingRow` is complete. */
  commitRow(): void {
    this.advance();
  }

  private staging: Float32Array | null = null;

  /** Levels ≥ 1: store the finished block's (min, max) and reset the block. */
  putBlock(): void {
    const e = this.filled;
    for (let f = 0; f < this.fieldCount; f++) {
      const min = this.blockMin[f]!;
      const max = this.blockMax[f]!;
      const i = (f * ROW_GROUP + e) * 2;
      // No finite value in the block: (NaN, NaN).
      this.group[i] = min <= max ? min : NaN;
      this.group[i + 1] = min <= max ? max : NaN;
    }
    this.blockMin.fill(Infinity);
    this.blockMax.fill(-Infinity);
    this.blockFill = 0;
    this.advance();
  }

  private advance(): void {
    this.filled += 1;
    this.entries += 1;
    if (this.filled === ROW_GROUP) this.flush();
  }

  /** Write the buffered group; a short last group is compacted field by field. */
  flush(): void {
    if (this.filled === 0) return;
    if (this.staging !== null) {
      const { staging, group, fieldCount: F } = this;
      for (let r = 0; r < this.filled; r++) {
        for (let f = 0, i = r * F; f < F; f++, i++) group[f * ROW_GROUP + r] = staging[i]!;
      }
    }
    this.output ??= this.open(this.file, "application/octet-stream");
    const n = this.filled;
    const bytes = new Uint8Array(this.group.buffer, this.group.byteOffset, this.group.byteLength);
    if (n === ROW_GROUP) {
      this.output.writeBytes(bytes);
    } else {
      const run = n * this.width * 4;
      for (let f = 0; f < this.fieldCount; f++) {
        const start = f * ROW_GROUP * this.width * 4;
        this.output.writeBytes(bytes.subarray(start, start + run));
      }
    }
    this.filled = 0;
  }

  async drain(): Promise<void> {
    await this.output?.drain();
  }

  async close(): Promise<WrittenFile | null> {
    this.flush();
    if (this.output === null) return null;
    const size = await this.output.close();
    return { path: this.file, size_bytes: size, content_type: "application/octet-stream" };
  }
}

/**
 * Writes the replay index (see `format.ts`) while the steps stream by: offsets and timestamps as
 * each step is written, series into row-group buffers, the min/max pyramid by cascading finished
 * blocks upward. Memory is a few row groups, independent of the episode's length.
 */
export class ReplayIndexWriter {
  private readonly offsets: BufferedOutput;
  private readonly timestamps: BufferedOutput;
  private fields: RowField[] | null = null;
  private fieldCount = 0;
  private levels: LevelWriter[] = [];
  private base = new Float64Array(0);
  private min = new Float64Array(0);
  private max = new Float64Array(0);
  private finite = new Float64Array(0);
  private steps = 0;
  private stepsBeforeFields = 0;

  constructor(
    private readonly open: OpenOutput,
    private readonly maxSeriesFields: number,
  ) {
    this.offsets = open(REPLAY_INDEX_FILES.offsets, "application/octet-stream");
    this.timestamps = open(REPLAY_INDEX_FILES.timestamps, "application/octet-stream");
  }

  /** Fix the columns (known after the first valid step). */
  begin(fields: readonly RowField[]): void {
    if (this.fields !== null) return;
    this.fields = fields.slice(0, this.maxSeriesFields);
    const F = (this.fieldCount = this.fields.length);
    this.base = new Float64Array(F).fill(NaN);
    this.min = new Float64Array(F).fill(Infinity);
    this.max = new Float64Array(F).fill(-Infinity);
    this.finite = new Float64Array(F);
    if (F > 0) {
      for (let level = 0; level <= MAX_PYRAMID_LEVEL; level++) this.levels.push(new LevelWriter(level, F, this.open));
    }
    // Steps seen before the columns were known (only in episodes that are rejected anyway). With
    // no column at all (no step had an observation and an action object) there are no series.
    if (F === 0) return;
    const blank = new Float64Array(F).fill(NaN);
    for (let i = 0; i < this.stepsBeforeFields; i++) this.putRow(blank);
  }

  /** Record one step: where its line starts in `steps.jsonl`, its clock, its numeric values. */
  addStep(row: Float64Array | null, timestampUs: number, lineOffset: number): void {
    this.offsets.writeUint64(lineOffset);
    this.timestamps.writeFloat64(timestampUs);
    this.steps += 1;
    if (this.fields === null) {
      this.stepsBeforeFields += 1;
      return;
    }
    if (this.fieldCount > 0) {
      if (row === null) this.putRow(new Float64Array(this.fieldCount).fill(NaN));
      else this.putRow(row);
    }
  }

  private putRow(row: Float64Array): void {
    const F = this.fieldCount;
    const level0 = this.levels[0]!;
    const level1 = this.levels[1]!;
    // Locals keep the hot loop free of property loads.
    const { staging, offset } = level0.stagingRow();
    const { blockMin, blockMax } = level1;
    const { base, min, max, finite } = this;
    for (let f = 0; f < F; f++) {
      const v = row[f]!;
      if (v - v === 0) {
        // finite (NaN and ±Infinity fail v - v === 0)
        let b = base[f]!;
        if (b !== b) {
          b = Math.abs(v) >= 1e6 ? v : 0;
          base[f] = b;
        }
        const r = v - b;
        staging[offset + f] = r;
        if (r < blockMin[f]!) blockMin[f] = r;
        if (r > blockMax[f]!) blockMax[f] = r;
        if (v < min[f]!) min[f] = v;
        if (v > max[f]!) max[f] = v;
        finite[f] = finite[f]! + 1;
      } else {
        staging[offset + f] = NaN;
      }
    }
    level0.commitRow();
    level1.blockFill += 1;
    if (level1.blockFill === PYRAMID_FACTOR) this.closeBlock(1);
  }

  /** Store level `k`'s finished block and fold it into level `k + 1`. */
  private closeBlock(k: number): void {
    const level = this.levels[k]!;
    const parent = this.levels[k + 1];
    if (parent !== undefined) {
      for (let f = 0; f < this.fieldCount; f++) {
        if (level.blockMin[f]! < parent.blockMin[f]!) parent.blockMin[f] = level.blockMin[f]!;
        if (level.blockMax[f]! > parent.blockMax[f]!) parent.blockMax[f] = level.blockMax[f]!;
      }
      parent.blockFill += 1;
    }
    level.putBlock();
    if (parent !== undefined && parent.blockFill === PYRAMID_FACTOR) this.closeBlock(k + 1);
  }

  async drain(): Promise<void> {
    await this.offsets.drain();
    await this.timestamps.drain();
    for (const level of this.levels) await level.drain();
  }

  async finish(input: {
    stepsFile: string;
    stepsBytes: number;
    clock: ClockSource | null;
    firstTimestampUs: number | null;
    lastTimestampUs: number | null;
    frames: FrameStreamReport[];
    blobs: ReadonlyMap<string, number>;
    allFields: readonly RowField[];
  }): Promise<{ manifest: ReplayManifest; files: WrittenFile[] }> {
    if (this.fields === null) this.begin(input.allFields);
    // Close partial blocks bottom-up so each one also lands in the level above.
    for (let k = 1; k < this.levels.length; k++) {
      if (this.levels[k]!.blockFill > 0) this.closeBlock(k);
    }
    this.offsets.writeUint64(input.stepsBytes);
    const files: WrittenFile[] = [];
    files.push({
      path: REPLAY_INDEX_FILES.offsets,
      size_bytes: await this.offsets.close(),
      content_type: "application/octet-stream",
    });
    files.push({
      path: REPLAY_INDEX_FILES.timestamps,
      size_bytes: await this.timestamps.close(),
      content_type: "application/octet-stream",
    });
    const levels: ReplayLevel[] = [];
    for (const level of this.levels) {
      // A level with a single entry adds nothing over the manifest's min/max; skip it.
      if (level.level > 0 && level.entries <= 1 && !level.isOpen) continue;
      const written = await level.close();
      if (written === null) continue;
      files.push(written);
      levels.push({
        level: level.level,
        file: level.file,
        block: PYRAMID_FACTOR ** level.level,
        entries: level.entries,
      });
    }

    const blobPaths = [...input.blobs.keys()].sort();
    const blobsOut = this.open(REPLAY_INDEX_FILES.blobs, "text/tab-separated-values");
    for (const path of blobPaths) blobsOut.writeString(`${path}\t${input.blobs.get(path)}\n`);
    files.push({
      path: REPLAY_INDEX_FILES.blobs,
      size_bytes: await blobsOut.close(),
      content_type: "text/tab-separated-values",
    });

    const fields: ReplayField[] = (this.fields ?? []).map((field, f) => {
      const hasValue = this.finite[f]! > 0;
      return {
        index: f,
        path: field.path,
        group: field.group,
        base: hasValue ? this.base[f]! : 0,
        min: hasValue ? this.min[f]! : null,
        max: hasValue ? this.max[f]! : null,
        count: this.finite[f]!,
      };
    });
    const manifest: ReplayManifest = {
      format: "continuon.replay-index",
      version: 1,
      step_count: this.steps,
      steps_file: input.stepsFile,
      steps_bytes: input.stepsBytes,
      offsets_file: REPLAY_INDEX_FILES.offsets,
      timestamps_file: REPLAY_INDEX_FILES.timestamps,
      blobs_file: REPLAY_INDEX_FILES.blobs,
      blob_count: blobPaths.length,
      row_group: ROW_GROUP,
      pyramid_factor: PYRAMID_FACTOR,
      levels,
      fields,
      fields_not_indexed: Math.max(0, input.allFields.length - fields.length),
      clock:
        input.clock === null
          ? null
          : { source: input.clock.source, first_us: input.firstTimestampUs, last_us: input.lastTimestampUs },
      frames: input.frames,
    };
    const manifestOut = this.open(REPLAY_INDEX_FILES.manifest, "application/json");
    manifestOut.writeString(JSON.stringify(manifest));
    files.push({
      path: REPLAY_INDEX_FILES.manifest,
      size_bytes: await manifestOut.close(),
      content_type: "application/json",
    });
    return { manifest, files };
  }
}
