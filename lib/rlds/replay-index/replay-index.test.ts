import { describe, expect, it } from "vitest";
import { DomainError } from "@/lib/errors";
import { REPLAY_INDEX_FILES, seriesRunRange, type ReplayManifest } from "@/lib/rlds/replay-index/format";
import {
  downsampleSeries,
  readSeries,
  readStepOffsets,
  readStepWindow,
  readTimestamps,
  type EpisodeFileReader,
} from "@/lib/rlds/replay-index/read-replay-index";
import { ReplayIndexWriter } from "@/lib/rlds/replay-index/replay-index-writer";
import { BufferedOutput } from "@/lib/rlds/sink/buffered-output";
import { createMemorySink } from "@/lib/rlds/sink/episode-sink";
import type { RowField } from "@/lib/rlds/validate/episode-validator";

const N = 40_000;
const fields: RowField[] = [
  { index: 0, path: "reward", group: "step", isClockLike: false },
  { index: 1, path: "observation.wave", group: "observation", isClockLike: false },
  { index: 2, path: "observation.robot_state.timestamp_nanos", group: "observation", isClockLike: true },
  { index: 3, path: "action.sparse", group: "action", isClockLike: false },
];

/** Deterministic values: a wave with single-step spikes, an epoch clock, a field with gaps. */
function value(field: number, i: number): number {
  switch (field) {
    case 0:
      return i === 12_345 ? 50 : Math.sin(i / 100) * 0.1;
    case 1:
      return i === 777 ? -99 : i === 31_000 ? 99 : Math.sin(i / 1000);
    case 2:
      return 1.765e18 + i * 33_333_333;
    default:
      return i % 7 === 0 ? NaN : i % 5;
  }
}

async function buildIndex(count = N, maxSeriesFields = 512) {
  const sink = createMemorySink();
  const outputs: BufferedOutput[] = [];
  const open = (path: string, type: string) => {
    const out = new BufferedOutput(path, type, sink.open(path, type), 4096);
    outputs.push(out);
    return out;
  };
  const steps = new BufferedOutput("steps.jsonl", "application/x-ndjson", sink.open("steps.jsonl", ""), 4096);
  const writer = new ReplayIndexWriter(open, maxSeriesFields);
  writer.begin(fields);
  const row = new Float64Array(fields.length);
  for (let i = 0; i < count; i++) {
    for (let f = 0; f < fields.length; f++) row[f] = value(f, i);
    writer.addStep(row, 1_765_000_000_000_000 + i * 33_333, steps.size);
    steps.writeString(`{"i":${i},"pad":"${"x".repeat(i % 13)}"}\n`);
    if (i % 1000 === 0) await writer.drain();
  }
  const stepsBytes = await steps.close();
  const { manifest, files } = await writer.finish({
    stepsFile: "steps.jsonl",
    stepsBytes,
    clock: { source: "timestamp_us", unit: "us" },
    firstTimestampUs: 1_765_000_000_000_000,
    lastTimestampUs: 1_765_000_000_000_000 + (count - 1) * 33_333,
    frames: [],
    blobs: new Map([
      ["blobs/b.png", 3],
      ["blobs/a.png", 2],
    ]),
    allFields: fields,
  });
  const reader: EpisodeFileReader = {
    reads: 0,
    async read(file, start, end) {
      (this as { reads: number }).reads += 1;
      return sink.files.get(file)!.subarray(start, end);
    },
    async readAll(file) {
      return sink.files.get(file)!;
    },
  } as EpisodeFileReader & { reads: number };
  return { manifest, files, sink, reader: reader as EpisodeFileReader & { reads: number } };
}

const built = buildIndex();

/** The relative f32 value stored for a field, as the format defines it. */
function stored(manifest: ReplayManifest, field: number, i: number): number {
  const v = value(field, i);
  return Number.isNaN(v) ? NaN : Math.fround(v - manifest.fields[field]!.base);
}

describe("replay index", () => {
  it("describes itself in a small manifest", async () => {
    const { manifest, sink } = await built;
    expect(manifest).toMatchObject({ step_count: N, row_group: 1024, pyramid_factor: 16, fields_not_indexed: 0 });
    expect(manifest.levels.map((l) => [l.level, l.block, l.entries])).toEqual([
      [0, 1, 40_000],
      [1, 16, 2500],
      [2, 256, 157],
      [3, 4096, 10],
    ]);
    expect(manifest.fields[2]).toMatchObject({ base: 1.765e18, min: 1.765e18 });
    expect(manifest.fields[3]).toMatchObject({ base: 0, min: 0, max: 4, count: N - Math.ceil(N / 7) });
    expect(sink.files.get(REPLAY_INDEX_FILES.offsets)!.length).toBe((N + 1) * 8);
    expect(sink.files.get(REPLAY_INDEX_FILES.timestamps)!.length).toBe(N * 8);
    expect(sink.text(REPLAY_INDEX_FILES.blobs)).toBe("blobs/a.png\t2\nblobs/b.png\t3\n");
    expect(JSON.parse(sink.text(REPLAY_INDEX_FILES.manifest))).toEqual(manifest);
    expect(sink.files.get(REPLAY_INDEX_FILES.manifest)!.length).toBeLessThan(4096);
  });

  it("lays series out as documented: fixed-size runs, column-major within row groups", async () => {
    const { manifest, sink } = await built;
    const level0 = sink.files.get(manifest.levels[0]!.file)!;
    expect(level0.length).toBe(N * fields.length * 4);
    const lastGroup = Math.floor((N - 1) / 1024);
    for (const [group, field] of [
      [0, 1],
      [17, 2],
      [lastGroup, 3],
    ] as const) {
      const run = seriesRunRange(manifest, manifest.levels[0]!, group, field);
      const first = group * 1024;
      expect(run.entries).toBe(Math.min(1024, N - first));
      expect(level0.readFloatLE(run.start)).toEqual(stored(manifest, field, first));
      expect(level0.readFloatLE(run.end - 4)).toEqual(stored(manifest, field, first + run.entries - 1));
    }
  });

  it("reads windows of steps by byte offsets, exactly as written", async () => {
    const { manifest, reader } = await built;
    expect(await readStepOffsets(reader, manifest, 0, 2)).toEqual([0, 17, 35]);
    const window = await readStepWindow(reader, manifest, 39_998, 40_000);
    expect(window).toEqual([
      { index: 39_998, json: `{"i":39998,"pad":"${"x".repeat(39_998 % 13)}"}` },
      { index: 39_999, json: `{"i":39999,"pad":"${"x".repeat(39_999 % 13)}"}` },
    ]);
    const middle = await readStepWindow(reader, manifest, 20_000, 20_100);
    expect(middle.map((s) => JSON.parse(s.json).i)).toEqual(Array.from({ length: 100 }, (_, k) => 20_000 + k));
    expect(await readStepWindow(reader, manifest, 5, 5)).toEqual([]);
    const clock = await readTimestamps(reader, manifest, 10, 12);
    expect(Array.from(clock)).toEqual([1_765_000_000_000_000 + 333_330, 1_765_000_000_000_000 + 366_663]);
  });

  it("refuses ranges outside the episode", async () => {
    const { manifest, reader } = await built;
    for (const [from, to] of [
      [-1, 2],
      [5, 4],
      [0, N + 1],
    ] as const) {
      await expect(readStepWindow(reader, manifest, from, to)).rejects.toBeInstanceOf(DomainError);
    }
    await expect(downsampleSeries(reader, manifest, "nope", 0, 10, 5)).rejects.toMatchObject({
      reason: "field_not_found",
    });
  });

  it("returns full resolution when the range has no more steps than buckets", async () => {
    const { manifest, reader } = await built;
    const window = await downsampleSeries(reader, manifest, "action.sparse", 100, 110, 50);
    expect(window.level).toBe(0);
    expect(window.buckets).toEqual(
      Array.from({ length: 10 }, (_, k) => {
        const v = value(3, 100 + k);
        const x = Number.isNaN(v) ? null : v;
        return { start: 100 + k, end: 101 + k, min: x, max: x };
      }),
    );
    const raw = await readSeries(reader, manifest, 2, 1000, 1003);
    expect(Array.from(raw)).toEqual([1000, 1001, 1002].map((i) => stored(manifest, 2, i) + 1.765e18));
  });

  it("downsamples with min/max per bucket from the coarsest fitting level, so spikes survive", async () => {
    const { manifest, reader } = await built;
    for (const [field, from, to, buckets] of [
      [1, 0, N, 800],
      [1, 0, N, 7],
      [0, 123, 39_001, 300],
      [3, 5_000, 9_000, 100],
      [2, 0, N, 1000],
    ] as const) {
      const window = await downsampleSeries(reader, manifest, field, from, to, buckets);
      const level = manifest.levels.find((l) => l.level === window.level)!;
      // The coarsest level whose block fits in a bucket.
      expect(level.block).toBeLessThanOrEqual((to - from) / buckets);
      const finer = manifest.levels.find((l) => l.level === window.level + 1);
      if (finer) expect(finer.block).toBeGreaterThan((to - from) / buckets);
      // Brute force, same rule: each block lands in the bucket of its first step inside the range.
      const min = new Array<number>(buckets).fill(Infinity);
      const max = new Array<number>(buckets).fill(-Infinity);
      const block = level.block;
      for (let e = Math.floor(from / block); e * block < to; e++) {
        const start = Math.max(e * block, from);
        const b = Math.min(buckets - 1, Math.floor(((start - from) * buckets) / (to - from)));
        for (let i = e * block; i < Math.min((e + 1) * block, N); i++) {
          const v = stored(manifest, field, i);
          if (v < min[b]!) min[b] = v;
          if (v > max[b]!) max[b] = v;
        }
      }
      const base = manifest.fields[field]!.base;
      expect(window.buckets).toHaveLength(buckets);
      window.buckets.forEach((bucket, b) => {
        expect(bucket.min).toBe(min[b]! <= max[b]! ? min[b]! + base : null);
        expect(bucket.max).toBe(min[b]! <= max[b]! ? max[b]! + base : null);
      });
    }
    const overview = await downsampleSeries(reader, manifest, "observation.wave", 0, N, 50);
    expect(Math.min(...overview.buckets.map((b) => b.min!))).toBe(-99);
    expect(Math.max(...overview.buckets.map((b) => b.max!))).toBe(99);
    const rewards = await downsampleSeries(reader, manifest, "reward", 0, N, 20);
    expect(Math.max(...rewards.buckets.map((b) => b.max!))).toBe(50);
  });

  it("serves a chart of a long episode with a handful of range reads", async () => {
    const { manifest, reader } = await built;
    reader.reads = 0;
    const window = await downsampleSeries(reader, manifest, 1, 0, N, 1000);
    expect(window.level).toBe(1);
    expect(reader.reads).toBeLessThanOrEqual(3);
  });

  it("indexes only the first maxSeriesFields fields", async () => {
    const { manifest } = await buildIndex(100, 2);
    expect(manifest.fields.map((f) => f.path)).toEqual(["reward", "observation.wave"]);
    expect(manifest.fields_not_indexed).toBe(2);
    expect(manifest.levels.map((l) => l.level)).toEqual([0, 1]);
  });
});
