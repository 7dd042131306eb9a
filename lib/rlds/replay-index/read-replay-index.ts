import fs from "node:fs";
import path from "node:path";
import type { BlobStore } from "@/lib/blobs/port";
import { DomainError } from "@/lib/errors";
import {
  REPLAY_INDEX_FILES,
  seriesRunRange,
  ZReplayManifest,
  type ReplayLevel,
  type ReplayManifest,
} from "@/lib/rlds/replay-index/format";

/**
 * Byte-range access to one episode's files (canonical layout + index), relative paths.
 * Backed by local files or by the BlobStore port (`get` with a range), so the same readers serve
 * the embedded server and the cloud.
 */
export interface EpisodeFileReader {
  /** Bytes `[start, end)` of a file. */
  read(relativePath: string, start: number, end: number): Promise<Uint8Array>;
  /** A whole (small) file. */
  readAll(relativePath: string): Promise<Uint8Array>;
}

export function createDirectoryReader(root: string): EpisodeFileReader {
  const resolvedRoot = path.resolve(root);
  const resolve = (relativePath: string) => {
    const target = path.resolve(resolvedRoot, relativePath);
    if (!target.startsWith(resolvedRoot + path.sep)) throw new Error(`Refusing to read outside ${root}`);
    return target;
  };
  return {
    async read(relativePath, start, end) {
      if (end <= start) return new Uint8Array(0);
      const handle = await fs.promises.open(resolve(relativePath), "r");
      try {
        const buffer = Buffer.alloc(end - start);
        const { bytesRead } = await handle.read(buffer, 0, end - start, start);
        return buffer.subarray(0, bytesRead);
      } finally {
        await handle.close();
      }
    },
    async readAll(relativePath) {
      return fs.promises.readFile(resolve(relativePath));
    },
  };
}

export function createBlobStoreReader(blobs: BlobStore, prefix: string): EpisodeFileReader {
  const base = prefix.endsWith("/") ? prefix : `${prefix}/`;
  const collect = async (stream: AsyncIterable<Uint8Array>) => {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks);
  };
  return {
    async read(relativePath, start, end) {
      if (end <= start) return new Uint8Array(0);
      const { stream } = await blobs.get(`${base}${relativePath}`, { range: { start, end: end - 1 } });
      return collect(stream);
    },
    async readAll(relativePath) {
      const { stream } = await blobs.get(`${base}${relativePath}`);
      return collect(stream);
    },
  };
}

export async function readReplayManifest(reader: EpisodeFileReader): Promise<ReplayManifest> {
  const bytes = await reader.readAll(REPLAY_INDEX_FILES.manifest);
  return ZReplayManifest.parse(JSON.parse(Buffer.from(bytes).toString("utf8")));
}

function checkRange(manifest: ReplayManifest, from: number, to: number): void {
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to < from || to > manifest.step_count) {
    throw new DomainError(
      "invalid",
      `Step range [${from}, ${to}) is outside the episode's ${manifest.step_count} steps.`,
      { reason: "step_range_invalid" },
    );
  }
}

/** Byte offsets of steps `from..to` in `steps.jsonl` (`to - from + 1` numbers; the last ends the window). */
export async function readStepOffsets(
  reader: EpisodeFileReader,
  manifest: ReplayManifest,
  from: number,
  to: number,
): Promise<number[]> {
  checkRange(manifest, from, to);
  const bytes = Buffer.from(await reader.read(manifest.offsets_file, from * 8, (to + 1) * 8));
  const offsets: number[] = [];
  for (let i = 0; i + 8 <= bytes.length; i += 8) {
    offsets.push(bytes.readUInt32LE(i) + bytes.readUInt32LE(i + 4) * 0x1_0000_0000);
  }
  return offsets;
}

/** Steps `[from, to)` as their canonical JSON lines (exact text: numbers keep their lexemes). */
export async function readStepWindow(
  reader: EpisodeFileReader,
  manifest: ReplayManifest,
  from: number,
  to: number,
): Promise<{ index: number; json: string }[]> {
  if (to === from) {
    checkRange(manifest, from, to);
    return [];
  }
  const offsets = await readStepOffsets(reader, manifest, from, to);
  const start = offsets[0]!;
  const bytes = Buffer.from(await reader.read(manifest.steps_file, start, offsets[offsets.length - 1]!));
  const steps: { index: number; json: string }[] = [];
  for (let i = 0; i < offsets.length - 1; i++) {
    let end = offsets[i + 1]! - start;
    if (bytes[end - 1] === 0x0a) end -= 1;
    steps.push({ index: from + i, json: bytes.toString("utf8", offsets[i]! - start, end) });
  }
  return steps;
}

/** Step clock (µs, NaN when unknown) of steps `[from, to)`. */
export async function readTimestamps(
  reader: EpisodeFileReader,
  manifest: ReplayManifest,
  from: number,
  to: number,
): Promise<Float64Array> {
  checkRange(manifest, from, to);
  const bytes = Buffer.from(await reader.read(manifest.timestamps_file, from * 8, to * 8));
  const out = new Float64Array(to - from);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readDoubleLE(i * 8);
  return out;
}

function fieldIndex(manifest: ReplayManifest, field: number | string): number {
  const index = typeof field === "number" ? field : manifest.fields.findIndex((f) => f.path === field);
  if (index < 0 || index >= manifest.fields.length) {
    throw new DomainError("not_found", `Field "${field}" is not in the replay index.`, { reason: "field_not_found" });
  }
  return index;
}

/** Entries `[e0, e1)` of one field at one level, as f32 runs (1 value per entry at level 0, 2 above). */
async function readLevelEntries(
  reader: EpisodeFileReader,
  manifest: ReplayManifest,
  level: ReplayLevel,
  field: number,
  e0: number,
  e1: number,
): Promise<Float32Array> {
  const width = level.level === 0 ? 1 : 2;
  const out = new Float32Array((e1 - e0) * width);
  if (e1 <= e0) return out;
  const R = manifest.row_group;
  const reads: Promise<void>[] = [];
  for (let g = Math.floor(e0 / R); g * R < e1; g++) {
    const run = seriesRunRange(manifest, level, g, field);
    const first = Math.max(e0, g * R);
    const last = Math.min(e1, g * R + run.entries);
    const start = run.start + (first - g * R) * width * 4;
    const end = start + (last - first) * width * 4;
    reads.push(
      reader.read(level.file, start, end).then((bytes) => {
        const view = Buffer.from(bytes);
        for (let i = 0; i < (last - first) * width; i++) out[(first - e0) * width + i] = view.readFloatLE(i * 4);
      }),
    );
  }
  await Promise.all(reads);
  return out;
}

/** Full-resolution values of one field over steps `[from, to)` (absolute: base added back). */
export async function readSeries(
  reader: EpisodeFileReader,
  manifest: ReplayManifest,
  field: number | string,
  from: number,
  to: number,
): Promise<Float64Array> {
  checkRange(manifest, from, to);
  const f = fieldIndex(manifest, field);
  const level0 = manifest.levels.find((l) => l.level === 0);
  const out = new Float64Array(to - from).fill(NaN);
  if (level0 === undefined) return out;
  const values = await readLevelEntries(reader, manifest, level0, f, from, to);
  const base = manifest.fields[f]!.base;
  for (let i = 0; i < values.length; i++) out[i] = values[i]! + base;
  return out;
}

export interface SeriesBucket {
  /** Steps `[start, end)` summarized. */
  start: number;
  end: number;
  /** null when no step of the bucket has a value. */
  min: number | null;
  max: number | null;
}

export interface SeriesWindow {
  field: string;
  /** Pyramid level read (0 = raw values); `block` steps per entry. */
  level: number;
  block: number;
  buckets: SeriesBucket[];
}

/**
 * A chart-ready view of one field over steps `[from, to)` in at most `buckets` buckets, each with
 * the min and max of its steps, so a one-step spike still shows at any zoom. When the range has
 * no more steps than buckets, every step is its own bucket (full resolution). Otherwise the
 * coarsest pyramid level whose block fits in a bucket is read (≈ `buckets` to `16 × buckets`
 * entries, a handful of range reads); bucket edges then snap to that level's blocks.
 */
export async function downsampleSeries(
  reader: EpisodeFileReader,
  manifest: ReplayManifest,
  field: number | string,
  from: number,
  to: number,
  buckets: number,
): Promise<SeriesWindow> {
  checkRange(manifest, from, to);
  if (!Number.isInteger(buckets) || buckets < 1) {
    throw new DomainError("invalid", `buckets must be a positive integer, got ${buckets}.`, {
      reason: "buckets_invalid",
    });
  }
  const f = fieldIndex(manifest, field);
  const path = manifest.fields[f]!.path;
  const base = manifest.fields[f]!.base;
  const span = to - from;
  const toValue = (x: number) => (x === x ? x + base : null);
  if (span <= buckets) {
    const values = await readSeries(reader, manifest, f, from, to);
    return {
      field: path,
      level: 0,
      block: 1,
      buckets: Array.from(values, (v, i) => {
        const value = Number.isNaN(v) ? null : v;
        return { start: from + i, end: from + i + 1, min: value, max: value };
      }),
    };
  }
  const stepsPerBucket = span / buckets;
  let level = manifest.levels.find((l) => l.level === 0);
  for (const candidate of manifest.levels) {
    if (candidate.block <= stepsPerBucket && candidate.block > (level?.block ?? 0)) level = candidate;
  }
  if (level === undefined) return { field: path, level: 0, block: 1, buckets: [] };
  const block = level.block;
  const e0 = Math.floor(from / block);
  const e1 = Math.min(level.entries, Math.ceil(to / block));
  const entries = await readLevelEntries(reader, manifest, level, f, e0, e1);
  const width = level.level === 0 ? 1 : 2;
  const min = new Float64Array(buckets).fill(Infinity);
  const max = new Float64Array(buckets).fill(-Infinity);
  for (let e = e0; e < e1; e++) {
    const lo = entries[(e - e0) * width]!;
    const hi = entries[(e - e0) * width + width - 1]!;
    if (lo !== lo) continue;
    const start = Math.max(e * block, from);
    const b = Math.min(buckets - 1, Math.floor(((start - from) * buckets) / span));
    if (lo < min[b]!) min[b] = lo;
    if (hi > max[b]!) max[b] = hi;
  }
  const out: SeriesBucket[] = [];
  for (let b = 0; b < buckets; b++) {
    const has = min[b]! <= max[b]!;
    out.push({
      start: from + Math.floor((b * span) / buckets),
      end: from + Math.floor(((b + 1) * span) / buckets),
      min: has ? toValue(min[b]!) : null,
      max: has ? toValue(max[b]!) : null,
    });
  }
  return { field: path, level: level.level, block, buckets: out };
}
