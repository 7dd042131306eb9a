import { z } from "zod";

/**
 * The replay index: files written next to the canonical episode at ingest so the replay API can
 * serve any window of steps and any chart with a few byte-range reads, whatever the episode's
 * length. All numbers are little endian; every file is made of fixed-size records, so the byte
 * range of any record is computed from the manifest alone (no scanning).
 *
 * | file | content |
 * | --- | --- |
 * | `index/manifest.json` | `ReplayManifest` (below): step count, fields, levels, clock, frame streams. Small. |
 * | `index/offsets.u64` | `step_count + 1` u64: byte offset of each step's line in `steps.jsonl`; the last is the file size. Steps `[a, b)` are bytes `[off[a], off[b])`. |
 * | `index/timestamps.f64` | `step_count` f64: the step clock in microseconds (NaN when a step has none). |
 * | `index/series-l0.f32` | Level 0: every field's value at every step, f32, as `value - base` (see fields). |
 * | `index/series-l{k}.f32` | Level k ≥ 1: per block of `16^k` steps, the (min, max) pair of each field, 2 × f32. |
 * | `index/blobs.tsv` | One line per blob: `path\tsize_bytes`, sorted by path (to resolve frame ids without a pattern). |
 * | `index/frames-<kind>.tsv` | Only for frames matched by step: one line per frame id, `id\tpath`. |
 *
 * Series files are split into row groups of `row_group` (1024) entries. Inside a group the data
 * is column-major, so one field's run of a group is contiguous:
 *
 * ```
 * entries(level)   = ceil(step_count / 16^level)
 * group g holds entries [g·R, min((g+1)·R, entries))   (R = row_group; the last group is short)
 * n_g              = entries in group g
 * offset(g, f)     = g·R·F·W + f·n_g·W               (F = series_field_count, W = 4 at level 0, 8 above)
 * length(g, f)     = n_g·W
 * ```
 *
 * Reading one field over a range touches one contiguous run per group; a chart of N pixels over a
 * long episode picks the coarsest level whose block is ≤ steps/pixel and reads about N entries.
 * Values are stored minus the field's `base` (the first finite value when its magnitude is at
 * least 1e6, else 0) so epoch timestamps keep useful precision in f32; NaN marks absent values
 * and (min, max) = (NaN, NaN) a block without any.
 */
export const REPLAY_INDEX_FILES = {
  manifest: "index/manifest.json",
  offsets: "index/offsets.u64",
  timestamps: "index/timestamps.f64",
  blobs: "index/blobs.tsv",
  series: (level: number) => `index/series-l${level}.f32`,
} as const;

export const ROW_GROUP = 1024;
export const PYRAMID_FACTOR = 16;
/** Levels 1..5: blocks of 16 to 1 048 576 steps. */
export const MAX_PYRAMID_LEVEL = 5;

export const ZReplayField = z.object({
  /** Column in the series files. */
  index: z.number().int().nonnegative(),
  /** `observation.robot_state.joint_positions[3]`, `action.command[0]`, `reward`, `discount`. */
  path: z.string(),
  group: z.enum(["observation", "action", "step"]),
  /** Added back to every stored value. */
  base: z.number(),
  /** Over the whole episode; null when the field never had a finite value. */
  min: z.number().nullable(),
  max: z.number().nullable(),
  /** Steps with a finite value. */
  count: z.number().int().nonnegative(),
});
export type ReplayField = z.infer<typeof ZReplayField>;

export const ZReplayLevel = z.object({
  level: z.number().int().nonnegative(),
  file: z.string(),
  /** Steps summarized by one entry (16^level). */
  block: z.number().int().positive(),
  entries: z.number().int().nonnegative(),
});
export type ReplayLevel = z.infer<typeof ZReplayLevel>;

export const ZReplayFrameStream = z.object({
  field: z.string(),
  kind: z.enum(["video", "depth"]),
  steps: z.number().int().nonnegative(),
  resolved: z.number().int().nonnegative(),
  unresolved: z.number().int().nonnegative(),
  included: z.boolean(),
  /** `blobs/rgb/{id}.png`: substitute the step's frame id; null → look the id up in `index/blobs.tsv`. */
  pattern: z.string().nullable(),
  /**
   * `index/frames-<kind>.tsv` (`id\tpath` lines): ids that name no file but their step's frame
   * (`step_NNNN_rgb.png` of the robot runtime's packages); looked up before `index/blobs.tsv`.
   * Absent in indexes built before it existed.
   */
  ids_file: z.string().nullable().optional(),
});

export const ZReplayManifest = z.object({
  format: z.literal("continuon.replay-index"),
  version: z.literal(1),
  step_count: z.number().int().nonnegative(),
  steps_file: z.string(),
  steps_bytes: z.number().int().nonnegative(),
  offsets_file: z.string(),
  timestamps_file: z.string(),
  blobs_file: z.string(),
  blob_count: z.number().int().nonnegative(),
  row_group: z.number().int().positive(),
  pyramid_factor: z.number().int().positive(),
  levels: z.array(ZReplayLevel),
  /** Fields stored in the series files, in column order. */
  fields: z.array(ZReplayField),
  /** Numeric fields checked at ingest but not in the series files: past `maxSeriesFields`, or in a channel that first appeared after the first step. */
  fields_not_indexed: z.number().int().nonnegative(),
  clock: z
    .object({
      /** Where the step clock was read (`timestamp_us`, `observation.robot_state.timestamp_nanos`, …). */
      source: z.string(),
      first_us: z.number().nullable(),
      last_us: z.number().nullable(),
    })
    .nullable(),
  frames: z.array(ZReplayFrameStream),
});
export type ReplayManifest = z.infer<typeof ZReplayManifest>;

/** Byte range `[start, end)` of field `f`'s run in row group `g` of a level. */
export function seriesRunRange(
  manifest: Pick<ReplayManifest, "row_group" | "fields">,
  level: Pick<ReplayLevel, "level" | "entries">,
  group: number,
  field: number,
): { start: number; end: number; entries: number } {
  const R = manifest.row_group;
  const F = manifest.fields.length;
  const W = level.level === 0 ? 4 : 8;
  const entries = Math.min(R, level.entries - group * R);
  const start = group * R * F * W + field * entries * W;
  return { start, end: start + entries * W, entries };
}
