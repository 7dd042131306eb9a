import { z } from "zod";

/**
 * The replay API's inputs (zod, validated in the verbs) and answers (plain types the client
 * imports). Steps are 0-based indexes into the canonical `steps.jsonl`; ranges are `[from, to)`.
 */

/** Most steps one window answer carries, and most bytes of step JSON (the window is cut short past it). */
export const MAX_WINDOW_STEPS = 1000;
export const MAX_WINDOW_BYTES = 2 * 1024 * 1024;
/** Most fields and buckets one series request may ask for. */
export const MAX_SERIES_FIELDS = 16;
export const MAX_SERIES_BUCKETS = 4000;
/** Time samples in a summary (for time ↔ step before windows arrive, and to align episodes by time). */
export const TIME_SAMPLES = 256;
/** How far back a frame lookup by step looks for the latest frame at or before the step. */
export const FRAME_LOOKBACK_STEPS = 256;

const stepIndex = z.coerce.number().int().min(0);

export const ZReplayStepsQuery = z
  .object({ from: stepIndex, to: stepIndex })
  .refine((q) => q.to >= q.from, { message: "to must not be less than from", path: ["to"] });
export type ReplayStepsQuery = z.infer<typeof ZReplayStepsQuery>;

/** `field` repeats (or is comma-separated) in the query string; paths never contain commas. */
export const ZReplaySeriesQuery = z
  .object({
    field: z
      .union([z.string(), z.array(z.string())])
      .transform((value) => (Array.isArray(value) ? value : [value]).flatMap((item) => item.split(",")))
      .pipe(z.array(z.string().min(1).max(300)).min(1).max(MAX_SERIES_FIELDS)),
    from: stepIndex.optional(),
    to: stepIndex.optional(),
    buckets: z.coerce.number().int().min(1).max(MAX_SERIES_BUCKETS).default(600),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.to >= q.from, {
    message: "to must not be less than from",
    path: ["to"],
  });
export type ReplaySeriesQuery = z.input<typeof ZReplaySeriesQuery>;

/** Frame ids become part of a blob key: plain file-name characters only, never `..`. */
export const ZFrameId = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9_.:-]+$/, "use letters, digits, '_', '.', ':' or '-'")
  .refine((id) => !id.includes(".."), { message: "must not contain '..'" });

export const ZReplayFrameQuery = z
  .object({
    /** The frame stream: its field (`observation.video_frame_id`) or, when one stream has it, its kind (`video`, `depth`); default: the first stream with frames. */
    stream: z.string().min(1).max(200).optional(),
    id: ZFrameId.optional(),
    step: stepIndex.optional(),
  })
  .refine((q) => (q.id === undefined) !== (q.step === undefined), {
    message: "give exactly one of id or step",
    path: ["id"],
  });
export type ReplayFrameQuery = z.infer<typeof ZReplayFrameQuery>;

/** Most frames and bytes one frame pack carries (the pack is cut short past them). */
export const MAX_PACK_STEPS = 256;
export const MAX_PACK_BYTES = 4 * 1024 * 1024;

export const ZReplayFramePackQuery = z
  .object({
    stream: z.string().min(1).max(200).optional(),
    from: stepIndex,
    to: stepIndex,
  })
  .refine((q) => q.to >= q.from, { message: "to must not be less than from", path: ["to"] });

/** The header of a frame pack: where each frame's bytes are in the body that follows it. */
export interface ReplayFramePackHeader {
  episode_id: string;
  stream: string;
  from: number;
  /** May be less than asked when the pack hit its byte cap: ask again from here. */
  to: number;
  /** One entry per distinct frame, with the steps of the range that show it. */
  frames: { id: string; steps: number[]; offset: number; length: number; content_type: string }[];
}

/** How the console groups numeric fields into chart panels. */
export const FIELD_GROUPS = ["action", "joint_position", "joint_velocity", "reward", "other"] as const;
export type FieldGroup = (typeof FIELD_GROUPS)[number];

export interface ReplayFieldInfo {
  /** `action.command[0]`, `observation.robot_state.joint_positions[3]`, `reward`. */
  path: string;
  /** Where it lives in the step (`observation`, `action`, or the step itself). */
  source: "observation" | "action" | "step";
  group: FieldGroup;
  min: number | null;
  max: number | null;
  /** Steps with a finite value. */
  count: number;
}

export interface ReplayFrameStreamInfo {
  /** The step field holding the frame id (`observation.video_frame_id`). */
  field: string;
  kind: "video" | "depth";
  /** Steps that carry a frame id. */
  steps: number;
  /** Whether the frames were uploaded with the episode (only those can be shown). */
  included: boolean;
}

export interface ReplayMarker {
  step: number;
  severity: "error" | "warning";
  code: string;
  message: string;
  field: string | null;
}

export interface ReplaySummary {
  episode_id: string;
  robot_id: string;
  robot_model: string | null;
  status: string;
  uploaded_at: string | null;
  schema_variant: string | null;
  tags: string[];
  quality: { score: number; flags: string[] } | null;
  step_count: number;
  /** Where the step clock comes from (`timestamp_us`, `observation.robot_state.timestamp_nanos`…); null: no clock. */
  clock_source: string | null;
  first_us: number | null;
  last_us: number | null;
  /** last − first, or the declared duration when the steps have no clock. */
  duration_us: number;
  /** Typical step period, for playback where timestamps are missing. */
  period_us: number;
  /** Evenly spaced (step, time) pairs: time ↔ step before a window arrives, alignment by time. */
  time_samples: { step: number[]; t_us: (number | null)[] };
  fields: ReplayFieldInfo[];
  /** Numeric fields seen at ingest but not charted (past the index's field cap). */
  fields_not_indexed: number;
  frame_streams: ReplayFrameStreamInfo[];
  /** Validation issues that name a step, for the timeline (at most 500). */
  markers: ReplayMarker[];
  markers_truncated: boolean;
}

export interface ReplayStep {
  index: number;
  /** Step clock in µs, null when the step has none. */
  t_us: number | null;
  /** The step exactly as stored (one canonical JSON line; numbers keep their digits). */
  json: string;
  /** Frame id per frame stream of the summary (same order), null when the step has none. */
  frames: (string | null)[];
}

export interface ReplayStepWindow {
  episode_id: string;
  from: number;
  /** May be less than asked when the window hit the byte cap: ask again from here. */
  to: number;
  step_count: number;
  steps: ReplayStep[];
}

export interface ReplaySeries {
  field: string;
  /** Pyramid level read (0: raw values); `block` steps per stored entry. */
  level: number;
  block: number;
  /** Buckets as parallel arrays: steps `[start[i], end[i])` with their min and max (null: no value). */
  start: number[];
  end: number[];
  min: (number | null)[];
  max: (number | null)[];
}

export interface ReplaySeriesAnswer {
  episode_id: string;
  from: number;
  to: number;
  /** True when every bucket is one step (nothing was summarized). */
  full_resolution: boolean;
  series: ReplaySeries[];
}
