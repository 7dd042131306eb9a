import type { IssueCode } from "@/lib/rlds/issue-codes";
import type { EpisodeLimits } from "@/lib/rlds/limits";
import type { EpisodeStats, Issue, Quality, Variant } from "@/lib/rlds/schemas";
import { computeQuality, QUALITY_RULES } from "@/lib/rlds/validate/compute-quality";
import { IssueCollector } from "@/lib/rlds/validate/issue-collector";
import { findTooDeep } from "@/lib/rlds/validate/nesting-depth";
import { NumericFieldSchema, type NumericField } from "@/lib/rlds/validate/numeric-fields";

/** Where a step came from, for messages. */
export interface StepLocation {
  file: string;
  /** 1-based line of the step in `file` (for single-JSON documents, the line where the step starts). */
  line: number;
}

/** A numeric field of a step row: observation/action leaves, then `reward`, then `discount` when present. */
export interface RowField extends Omit<NumericField, "group"> {
  group: NumericField["group"] | "step";
}

export interface AcceptedStep {
  /** 0-based step index. */
  index: number;
  /** Values of `fields` for this step (NaN when absent); valid until the next `acceptStep`. */
  row: Float64Array;
  /** The step clock in microseconds, NaN when unknown. */
  timestampUs: number;
}

/** Where the step clock is read from; the first candidate present on the first step wins. */
export interface ClockSource {
  source: string;
  unit: "s" | "ms" | "us" | "ns";
}

/** Microseconds from a clock value; nanoseconds divide (more exact than multiplying by 1e-3). */
function toMicros(value: number, unit: ClockSource["unit"]): number {
  switch (unit) {
    case "ns":
      return value / 1000;
    case "us":
      return value;
    case "ms":
      return value * 1000;
    case "s":
      return value * 1e6;
  }
}

/** A stream of camera frames referenced by id (`observation.video_frame_id`, …). */
export interface FrameStreamReport {
  field: string;
  kind: "video" | "depth";
  /** Steps that carry a frame id. */
  steps: number;
  /** Distinct ids found in the archive's blobs / not found. */
  resolved: number;
  unresolved: number;
  /** Whether the frames were uploaded with the episode (some id resolved); if not, ids point elsewhere. */
  included: boolean;
  /** `blobs/…{id}…` when every resolved id follows one pattern, else null (resolve with `resolveFrameBlob`). */
  pattern: string | null;
  /**
   * `index/frames-<kind>.tsv` (`id\tpath` lines) when some ids name no file but their step's frame
   * (the robot runtime's `step_NNNN_rgb` files, see {@link stepFrameOf}); null otherwise.
   */
  ids_file: string | null;
}

export interface ValidationReport {
  errors: Issue[];
  warnings: Issue[];
  issueCounts: Record<string, number>;
  issuesTruncated: boolean;
  stats: EpisodeStats;
  quality: Quality;
  clock: ClockSource | null;
  firstTimestampUs: number | null;
  lastTimestampUs: number | null;
  frames: FrameStreamReport[];
  /** Per frame stream field with an `ids_file`: frame id → blob path, to write to that file. */
  frameIds: Map<string, Map<string, string>>;
  fields: RowField[];
}

const CLOCK_CANDIDATES: {
  source: string;
  unit: ClockSource["unit"];
  read: (step: Record<string, unknown>) => unknown;
}[] = [
  { source: "timestamp_us", unit: "us", read: (s) => s.timestamp_us },
  { source: "timestamp_ns", unit: "ns", read: (s) => s.timestamp_ns },
  { source: "observation.robot_state.timestamp_nanos", unit: "ns", read: (s) => robotState(s)?.timestamp_nanos },
  { source: "observation.timestamp_ns", unit: "ns", read: (s) => obj(s.observation)?.timestamp_ns },
  { source: "observation.timestamp_us", unit: "us", read: (s) => obj(s.observation)?.timestamp_us },
  { source: "observation.robot_state.wall_time_millis", unit: "ms", read: (s) => robotState(s)?.wall_time_millis },
  // Legacy writers: microseconds under another name.
  { source: "timestamp_micros", unit: "us", read: (s) => s.timestamp_micros },
  { source: "observation.timestamp_micros", unit: "us", read: (s) => obj(s.observation)?.timestamp_micros },
  {
    source: "observation.robot_state.timestamp_micros",
    unit: "us",
    read: (s) => robotState(s)?.timestamp_micros,
  },
  { source: "step_metadata.timestamp", unit: "s", read: (s) => obj(s.step_metadata)?.timestamp },
];

/** Step-level numeric members that must be on every step or on none. */
const ALL_OR_NONE = ["timestamp_us", "step_idx", "discount"] as const;

const FRAME_FIELDS = [
  { key: "video_frame_id", kind: "video" },
  { key: "depth_frame_id", kind: "depth" },
] as const;

type At = Omit<Issue, "code" | "message">;

/** "step 12 (steps/000000.jsonl line 13)" */
function here(at: At): string {
  return at.file !== undefined ? `step ${at.step} (${at.file} line ${at.line})` : `step ${at.step}`;
}

function obj(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function robotState(step: Record<string, unknown>): Record<string, unknown> | undefined {
  return obj(obj(step.observation)?.robot_state);
}

function toNumber(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.trim() !== "") return Number(value);
  return NaN;
}

/**
 * `action_dim`: the length of `action.command` (or v2.0 `action.parameters.command`) when it is a
 * numeric array, else the number of numeric (not boolean) values in the action.
 */
function actionDimension(action: Record<string, unknown>): number {
  for (const command of [action.command, obj(action.parameters)?.command]) {
    if (Array.isArray(command) && command.length > 0 && command.every((x) => typeof x === "number"))
      return command.length;
  }
  let count = 0;
  const walk = (value: unknown, depth: number) => {
    if (typeof value === "number") count += 1;
    else if (depth < 32 && typeof value === "object" && value !== null) {
      for (const child of Object.values(value)) walk(child, depth + 1);
    }
  };
  walk(action, 0);
  return count;
}

/** The number a step's frame files carry: its `step_index` (or v2.0 `step_idx`), else its position. */
function stepNumberOf(step: Record<string, unknown>, index: number): number {
  for (const value of [step.step_index, step.step_idx]) {
    if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return value;
  }
  return index;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function blobKeys(path: string): string[] {
  const base = path.slice(path.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  return dot > 0 ? [base, base.slice(0, dot)] : [base];
}

/**
 * The blob a frame id names, by the same rule ingest uses: a blob whose file name, with or without
 * its extension, equals the id; depth frames come from paths containing "depth", video frames from
 * the others. Exported so the replay API resolves ids exactly like the validator did.
 */
export function resolveFrameBlob(id: string, kind: "video" | "depth", candidates: readonly string[]): string | null {
  let best: string | null = null;
  for (const path of candidates) {
    if (!blobKeys(path).includes(id)) continue;
    if (path.toLowerCase().includes("depth") !== (kind === "depth")) continue;
    if (best === null || path < best) best = path;
  }
  return best;
}

/** Images the replay can show, by extension. */
const IMAGE_EXTENSION = /\.(png|jpe?g|webp|gif)$/i;

/**
 * The step and kind of a frame file named after its step, as the robot runtime's recorder writes
 * them (`blobs/step_0007_rgb.png`, `…_depth.png`): its steps carry ids (`frame_<ns>`) that name
 * no file, so such frames are matched by step. Only images count (an `.npy` is shown through the
 * PNG rendered from it at ingest).
 */
export function stepFrameOf(path: string): { step: number; kind: "video" | "depth" } | null {
  const match = /^blobs\/step_(\d{1,9})_([A-Za-z0-9]+)\.[A-Za-z]+$/.exec(path);
  if (match === null || !IMAGE_EXTENSION.test(path)) return null;
  return { step: Number(match[1]), kind: match[2]!.toLowerCase().includes("depth") ? "depth" : "video" };
}

class FrameStream {
  steps = 0;
  resolved = 0;
  readonly pending = new Map<string, number>();
  /** Pending ids by the step number that may name their file (`step_NNNN_…`). */
  readonly pendingByStep = new Map<number, string>();
  /** Ids resolved by their step rather than by name. */
  readonly aliases = new Map<string, string>();
  readonly resolvedIds = new Set<string>();
  overflow = false;
  pattern: string | null | undefined = undefined;

  constructor(
    readonly field: string,
    readonly kind: "video" | "depth",
  ) {}

  matches(path: string): boolean {
    return path.toLowerCase().includes("depth") === (this.kind === "depth");
  }

  notePattern(id: string, path: string): void {
    const cut = path.lastIndexOf(id);
    const candidate = cut === -1 ? null : `${path.slice(0, cut)}{id}${path.slice(cut + id.length)}`;
    if (this.pattern === undefined) this.pattern = candidate;
    else if (this.pattern !== null && this.pattern !== candidate) this.pattern = null;
  }
}

export interface ValidatorOptions {
  limits: EpisodeLimits;
}

/**
 * Validates an episode one step at a time (PRODUCT.md §7) in memory that does not grow with the
 * episode: per-field accumulators, a 64-interval sample to learn the step period, and maps bounded
 * by the archive's entry cap for blob references that may be resolved by entries arriving later.
 * Issue codes: see `ISSUE_CODES`.
 */
export class EpisodeValidator {
  readonly issues: IssueCollector;
  private readonly limits: EpisodeLimits;
  private schema: NumericFieldSchema | null = null;
  private fieldList: RowField[] = [];
  private rows: [Float64Array, Float64Array, Float64Array] = [
    new Float64Array(0),
    new Float64Array(0),
    new Float64Array(0),
  ];
  private hasDiscountField = false;
  private stepCount = 0;
  private stoppedAtCap = false;
  private rewardSum = 0;
  private observationKeys: string[] = [];
  private actionDim = 0;
  private allOrNone: boolean[] | null = null;

  // sequencing
  private firstCount = 0;
  private terminatedAt: number | null = null;
  private reportedAfterTerminal = false;
  private previousStepIdx: number | null = null;

  // clock
  private clock: ClockSource | null = null;
  private clockRead: ((step: Record<string, unknown>) => unknown) | null = null;
  private previousT = NaN;
  private firstT = NaN;
  private lastT = NaN;
  private periodUs: number | null = null;
  private readonly periodSample: { step: number; delta: number }[] = [];
  private gapCount = 0;
  private clockSkewCount = 0;

  // quality accumulators
  private observationIndexes: number[] = [];
  private actionIndexes: number[] = [];
  private actionChangeSteps = 0;
  private frozenSteps = 0;
  private jerkSum = new Float64Array(0);
  private jerkCount = new Float64Array(0);
  private actionMin = new Float64Array(0);
  private actionMax = new Float64Array(0);

  // blobs
  private readonly blobs = new Map<string, number>();
  private readonly blobsByName = new Map<string, string[]>();
  private readonly pendingRefs = new Map<string, { step: number; field: string }>();
  private pendingOverflow = false;
  private readonly frameStreams = FRAME_FIELDS.map((f) => new FrameStream(`observation.${f.key}`, f.kind));
  /** `video:7` → `blobs/step_0007_rgb.png` (frames named after their step). */
  private readonly stepFrames = new Map<string, string>();
  /** `video:7` for a raw `.npy` frame of a step (present even when it has no image). */
  private readonly stepRawFrames = new Set<string>();
  private missingMetadataCount = 0;
  private readonly declarations: { source: string; kind: "step_count" | "duration_ms"; value: number }[] = [];

  constructor(options: ValidatorOptions) {
    this.limits = options.limits;
    this.issues = new IssueCollector(options.limits.maxIssues);
  }

  /** Steps accepted so far. */
  get count(): number {
    return this.stepCount;
  }

  /** The row layout, known after the first valid step. */
  get fields(): readonly RowField[] {
    return this.fieldList;
  }

  get hasErrors(): boolean {
    return this.issues.hasErrors;
  }

  add(code: IssueCode, message: string, extra: Omit<Issue, "code" | "message"> = {}): void {
    this.issues.add({ code, message, ...extra });
  }

  /** A line that could not become a step (`invalid_json`, `line_too_long`). */
  rejectLine(code: "invalid_json" | "line_too_long", why: string, location: StepLocation): void {
    const message =
      code === "line_too_long"
        ? `${location.file} line ${location.line}: the line is longer than ${this.limits.maxLineBytes} bytes.`
        : `${location.file} line ${location.line}: not valid JSON (${why}).`;
    this.add(code, message, { line: location.line, file: location.file, step: this.stepCount });
  }

  /**
   * Check one parsed step. Returns its index, numeric row and clock, or null when it cannot be a
   * step at all (not an object, past `maxSteps`, or nested deeper than `maxStepDepth`).
   * `mayReferenceBlobs`: the step's text contains `"blobs/` (a cheap pre-filter for the walk).
   */
  acceptStep(value: unknown, location: StepLocation, mayReferenceBlobs: boolean): AcceptedStep | null {
    const index = this.stepCount;
    const at = { step: index, line: location.line, file: location.file };
    // Messages are built only when an issue is found (`here(where)`), never per step.
    const where = at;
    const step = obj(value);
    if (step === undefined) {
      this.add("invalid_step", `${here(where)}: a step must be a JSON object.`, at);
      return null;
    }
    if (index >= this.limits.maxSteps) {
      if (!this.stoppedAtCap)
        this.add("too_many_steps", `${here(where)}: more than ${this.limits.maxSteps} steps.`, at);
      this.stoppedAtCap = true;
      return null;
    }
    this.stepCount += 1;
    // First, so no later walk of the step (blob references, numeric fields) meets a deep value.
    const tooDeep = findTooDeep(step, this.limits.maxStepDepth);
    if (tooDeep !== null) {
      this.add(
        "too_deeply_nested",
        `${here(where)}: "${tooDeep.field}" is nested ${tooDeep.level} levels deep; a step may nest objects and arrays at most ${this.limits.maxStepDepth} levels (the step itself is level 1).`,
        { ...at, field: tooDeep.field },
      );
      return null;
    }

    const observation = this.checkObjectMember(step, "observation", "missing_observation", where, at);
    const action = this.checkObjectMember(step, "action", "missing_action", where, at);
    const reward = step.reward;
    if (reward !== undefined && (typeof reward !== "number" || !Number.isFinite(reward))) {
      this.add("invalid_field_type", `${here(where)}: "reward" must be a number.`, { ...at, field: "reward" });
    } else if (typeof reward === "number") {
      this.rewardSum += reward;
    }
    // Unrolled: constant property names keep these loads monomorphic on the hot path.
    if (step.discount !== undefined) this.checkNumber(step.discount, "discount", where);
    if (step.timestamp_us !== undefined) this.checkNumber(step.timestamp_us, "timestamp_us", where);
    if (step.step_idx !== undefined) this.checkNumber(step.step_idx, "step_idx", where);
    if (step.is_terminal !== undefined) this.checkBoolean(step.is_terminal, "is_terminal", where);
    if (step.is_first !== undefined) this.checkBoolean(step.is_first, "is_first", where);
    if (step.is_last !== undefined) this.checkBoolean(step.is_last, "is_last", where);
    if (step.is_truncated !== undefined) this.checkBoolean(step.is_truncated, "is_truncated", where);
    this.checkStepMetadata(step.step_metadata, where, at);
    this.checkSequence(step, index, where, at);

    // Numeric fields: the first step with an observation and an action object sets the shape.
    if (this.schema === null && observation !== undefined && action !== undefined) {
      this.initSchema(step, observation, action);
    }
    const [row, previous, beforePrevious] = this.rotateRows();
    if (this.schema !== null) {
      const mismatch = this.schema.extract(observation, action, row);
      if (mismatch !== null) {
        this.add("inconsistent_fields", `${here(where)}: "${mismatch.field}" ${mismatch.why}.`, {
          ...at,
          field: mismatch.field,
        });
      }
      this.syncFields();
      row[0] = typeof reward === "number" ? reward : 0;
      if (this.hasDiscountField) row[1] = typeof step.discount === "number" ? step.discount : NaN;
      this.checkAllOrNone(step, where, at);
      if (index > 0) this.trackQuality(row, previous, beforePrevious, index);
    }

    const timestampUs = this.checkClock(step, index, where, at);
    if (observation !== undefined) {
      this.checkFrames(observation, stepNumberOf(step, index), index, where, at);
      this.checkClockSkew(observation, where, at);
    }
    if (mayReferenceBlobs) {
      if (observation !== undefined) this.collectBlobRefs(observation, "observation", index);
      if (action !== undefined) this.collectBlobRefs(action, "action", index);
    }
    return { index, row, timestampUs };
  }

  private checkNumber(value: unknown, key: string, where: At): void {
    if (typeof value !== "number" || !Number.isFinite(value)) {
      this.add("invalid_field_type", `${here(where)}: "${key}" must be a number.`, { ...where, field: key });
    }
  }

  private checkBoolean(value: unknown, key: string, where: At): void {
    if (typeof value !== "boolean") {
      this.add("invalid_field_type", `${here(where)}: "${key}" must be true or false.`, { ...where, field: key });
    }
  }

  private checkObjectMember(
    step: Record<string, unknown>,
    key: "observation" | "action",
    missing: "missing_observation" | "missing_action",
    where: At,
    at: At,
  ): Record<string, unknown> | undefined {
    const member = step[key];
    if (member === undefined || member === null) {
      this.add(missing, `${here(where)}: the step has no "${key}".`, { ...at, field: key });
      return undefined;
    }
    const value = obj(member);
    if (value === undefined) {
      this.add("invalid_field_type", `${here(where)}: "${key}" must be a JSON object.`, { ...at, field: key });
    }
    return value;
  }

  private checkStepMetadata(value: unknown, where: At, at: At): void {
    if (value === undefined) return;
    const map = obj(value);
    if (map === undefined) {
      this.add("invalid_field_type", `${here(where)}: "step_metadata" must be an object of strings.`, {
        ...at,
        field: "step_metadata",
      });
      return;
    }
    for (const key in map) {
      if (typeof map[key] !== "string") {
        if (this.issues.count("step_metadata_not_strings") === 0) {
          this.add(
            "step_metadata_not_strings",
            `${here(where)}: "step_metadata.${key}" is not a string (kept as sent; step metadata should map strings to strings).`,
            { ...at, field: `step_metadata.${key}` },
          );
        } else {
          this.issues.counts.step_metadata_not_strings = (this.issues.counts.step_metadata_not_strings ?? 0) + 1;
        }
        return;
      }
    }
  }

  private checkSequence(step: Record<string, unknown>, index: number, where: At, at: At): void {
    if (this.terminatedAt !== null) {
      if (!this.reportedAfterTerminal) {
        this.add(
          "step_after_terminal",
          `${here(where)}: the episode continues after step ${this.terminatedAt}, which is marked terminal/last.`,
          { ...at, field: "is_terminal" },
        );
        this.reportedAfterTerminal = true;
      } else {
        this.issues.counts.step_after_terminal = (this.issues.counts.step_after_terminal ?? 0) + 1;
      }
    }
    if (step.is_terminal === true || step.is_last === true) this.terminatedAt ??= index;
    if (step.is_first === true) {
      this.firstCount += 1;
      if (this.firstCount > 1) {
        this.add("multiple_is_first", `${here(where)}: a second step has "is_first": true.`, {
          ...at,
          field: "is_first",
        });
      } else if (index !== 0) {
        this.add("misplaced_is_first", `${here(where)}: "is_first" is true on step ${index}, not on step 0.`, {
          ...at,
          field: "is_first",
        });
      }
    }
    const stepIdx = step.step_idx;
    if (typeof stepIdx === "number") {
      const previous = this.previousStepIdx;
      if (previous !== null) {
        if (stepIdx <= previous) {
          this.add(
            "non_monotonic_timestamp",
            `${here(where)}: "step_idx" is ${stepIdx}, not after the previous step's ${previous}.`,
            { ...at, field: "step_idx" },
          );
        } else if (stepIdx > previous + 1) {
          this.add(
            "step_index_gap",
            `${here(where)}: "step_idx" jumps from ${previous} to ${stepIdx} (${stepIdx - previous - 1} steps missing).`,
            { ...at, field: "step_idx" },
          );
        }
      }
      this.previousStepIdx = stepIdx;
    }
  }

  private initSchema(
    step: Record<string, unknown>,
    observation: Record<string, unknown>,
    action: Record<string, unknown>,
  ): void {
    // Row layout: reward, discount (when the episode has it), then observation/action fields.
    this.hasDiscountField = typeof step.discount === "number";
    const firstIndex = this.hasDiscountField ? 2 : 1;
    const maxTracked = this.limits.maxSeriesFields * 4;
    this.schema = new NumericFieldSchema(firstIndex, this.limits.maxSeriesArrayLength, maxTracked);
    const width = firstIndex + maxTracked;
    this.rows = [new Float64Array(width), new Float64Array(width), new Float64Array(width)];
    for (const row of this.rows) row.fill(NaN);
    this.jerkSum = new Float64Array(width);
    this.jerkCount = new Float64Array(width);
    this.actionMin = new Float64Array(width).fill(Infinity);
    this.actionMax = new Float64Array(width).fill(-Infinity);
    this.observationKeys = Object.keys(observation).sort();
    this.allOrNone = ALL_OR_NONE.map((key) => step[key] !== undefined);
    this.firstAction = action;
  }

  private firstAction: Record<string, unknown> | null = null;
  private knownFields = -1;

  /** Refresh the field list and quality indexes when new channels brought new fields. */
  private syncFields(): void {
    const schema = this.schema;
    if (schema === null || schema.fields.length === this.knownFields) return;
    this.knownFields = schema.fields.length;
    const stepFields: RowField[] = [{ index: 0, path: "reward", group: "step", isClockLike: false }];
    if (this.hasDiscountField) stepFields.push({ index: 1, path: "discount", group: "step", isClockLike: false });
    this.fieldList = [...stepFields, ...schema.fields];
    this.observationIndexes = schema.fields
      .filter((f) => f.group === "observation" && !f.isClockLike)
      .map((f) => f.index);
    this.actionIndexes = schema.fields.filter((f) => f.group === "action").map((f) => f.index);
    if (this.actionDim === 0 && this.firstAction !== null) this.actionDim = actionDimension(this.firstAction);
  }

  private rotateRows(): [Float64Array, Float64Array, Float64Array] {
    const [a, b, c] = this.rows;
    this.rows = [c, a, b];
    return this.rows;
  }

  private checkAllOrNone(step: Record<string, unknown>, where: At, at: At): void {
    const expected = this.allOrNone;
    if (expected === null) return;
    const present = [step.timestamp_us !== undefined, step.step_idx !== undefined, step.discount !== undefined];
    for (let i = 0; i < ALL_OR_NONE.length; i++) {
      if (present[i] !== expected[i]) {
        const key = ALL_OR_NONE[i]!;
        const why = expected[i] ? "is missing (the first step has it)" : "appears (the first step has none)";
        this.add("inconsistent_fields", `${here(where)}: "${key}" ${why}.`, { ...at, field: key });
        return;
      }
    }
  }

  private trackQuality(row: Float64Array, previous: Float64Array, beforePrevious: Float64Array, index: number): void {
    let observationChanged = false;
    for (const f of this.observationIndexes) {
      const a = row[f]!;
      const b = previous[f]!;
      if (a !== b && (a === a || b === b)) {
        observationChanged = true;
        break;
      }
    }
    let actionChanged = false;
    for (const f of this.actionIndexes) {
      const a = row[f]!;
      const b = previous[f]!;
      if (a !== b && (a === a || b === b)) actionChanged = true;
      if (a < this.actionMin[f]!) this.actionMin[f] = a;
      if (a > this.actionMax[f]!) this.actionMax[f] = a;
      if (index >= 2) {
        const second = a - 2 * b + beforePrevious[f]!;
        if (Number.isFinite(second)) {
          this.jerkSum[f] = this.jerkSum[f]! + Math.abs(second);
          this.jerkCount[f] = this.jerkCount[f]! + 1;
        }
      }
    }
    if (actionChanged) {
      this.actionChangeSteps += 1;
      if (!observationChanged && this.observationIndexes.length > 0) this.frozenSteps += 1;
    }
  }

  private checkClock(step: Record<string, unknown>, index: number, where: At, at: At): number {
    if (this.clock === null && index === 0) {
      for (const candidate of CLOCK_CANDIDATES) {
        if (Number.isFinite(toNumber(candidate.read(step)))) {
          this.clock = { source: candidate.source, unit: candidate.unit };
          this.clockRead = candidate.read;
          break;
        }
      }
    }
    if (this.clock === null || this.clockRead === null) return NaN;
    const t = toMicros(toNumber(this.clockRead(step)), this.clock.unit);
    if (!Number.isFinite(t)) return NaN;
    const previous = this.previousT;
    if (Number.isFinite(previous)) {
      if (t < previous) {
        this.add(
          "non_monotonic_timestamp",
          `${here(where)}: "${this.clock.source}" goes back in time by ${((previous - t) / 1000).toFixed(3)} ms.`,
          { ...at, field: this.clock.source },
        );
      } else {
        this.notePeriod(index, t - previous);
      }
    }
    if (!Number.isFinite(this.firstT)) this.firstT = t;
    this.lastT = t;
    this.previousT = t;
    return t;
  }

  private notePeriod(step: number, delta: number): void {
    if (this.periodUs !== null) {
      this.checkGap(step, delta);
      return;
    }
    this.periodSample.push({ step, delta });
    if (this.periodSample.length >= QUALITY_RULES.periodSampleSteps) this.settlePeriod();
  }

  private settlePeriod(): void {
    this.periodUs = median(this.periodSample.map((s) => s.delta));
    for (const sample of this.periodSample) this.checkGap(sample.step, sample.delta);
    this.periodSample.length = 0;
  }

  private checkGap(step: number, delta: number): void {
    const period = this.periodUs;
    if (period === null || period <= 0) return;
    if (delta > QUALITY_RULES.gapFactor * period && delta - period > QUALITY_RULES.gapMinExtraMs * 1000) {
      this.gapCount += 1;
      this.add(
        "timestamp_gap",
        `step ${step}: ${(delta / 1000).toFixed(1)} ms since step ${step - 1}, the usual step period is ${(period / 1000).toFixed(1)} ms.`,
        { step, field: this.clock?.source },
      );
    }
  }

  private checkClockSkew(observation: Record<string, unknown>, where: At, at: At) {
    const media = obj(observation.media);
    if (media === undefined) return;
    const stateNs = toNumber(obj(observation.robot_state)?.timestamp_nanos);
    if (!Number.isFinite(stateNs)) return;
    for (const kind in media) {
      const frameNs = toNumber(obj(media[kind])?.timestamp_ns);
      if (!Number.isFinite(frameNs)) continue;
      const skewMs = Math.abs(frameNs - stateNs) / 1e6;
      if (skewMs > QUALITY_RULES.clockSkewMs) {
        this.clockSkewCount += 1;
        this.add(
          "clock_skew",
          `${here(where)}: the ${kind} frame is ${skewMs.toFixed(1)} ms away from the robot state (more than ${QUALITY_RULES.clockSkewMs} ms).`,
          { ...at, field: `observation.media.${kind}.timestamp_ns` },
        );
      }
    }
  }

  private checkFrames(
    observation: Record<string, unknown>,
    stepNumber: number,
    index: number,
    where: At,
    at: At,
  ): void {
    const video = observation.video_frame_id;
    const depth = observation.depth_frame_id;
    if (typeof video === "string" && video !== "") {
      this.noteFrame(this.frameStreams[0]!, video, stepNumber, index, where, at);
    }
    if (typeof depth === "string" && depth !== "") {
      this.noteFrame(this.frameStreams[1]!, depth, stepNumber, index, where, at);
    }
  }

  private noteFrame(stream: FrameStream, id: string, stepNumber: number, index: number, where: At, at: At): void {
    stream.steps += 1;
    if (stream.resolvedIds.has(id) || stream.pending.has(id)) return;
    const path = resolveFrameBlob(id, stream.kind, this.blobsByName.get(id) ?? []);
    const byStep = path === null ? this.stepFrames.get(`${stream.kind}:${stepNumber}`) : undefined;
    if (path !== null) {
      this.resolveFrame(stream, id, path, where, at);
    } else if (byStep !== undefined) {
      this.resolveFrame(stream, id, byStep, where, at, true);
    } else if (stream.pending.size < this.limits.maxEntries) {
      stream.pending.set(id, index);
      if (!stream.pendingByStep.has(stepNumber)) stream.pendingByStep.set(stepNumber, id);
    } else {
      stream.overflow = true;
    }
  }

  private resolveFrame(stream: FrameStream, id: string, path: string, where: At, at: At, byStep = false): void {
    stream.resolved += 1;
    stream.resolvedIds.add(id);
    if (byStep) stream.aliases.set(id, path);
    else stream.notePattern(id, path);
    if (this.blobs.get(path) === 0) {
      this.add("blob_empty", `${here(where)}: frame "${id}" of "${stream.field}" is "${path}", which is empty.`, {
        ...at,
        field: stream.field,
      });
    }
  }

  private collectBlobRefs(value: unknown, path: string, index: number): void {
    if (typeof value === "string") {
      if (!value.startsWith("blobs/")) return;
      const size = this.blobs.get(value);
      if (size === undefined) {
        if (this.pendingRefs.has(value)) return;
        if (this.pendingRefs.size < this.limits.maxEntries) this.pendingRefs.set(value, { step: index, field: path });
        else this.pendingOverflow = true;
      } else if (size === 0) {
        this.add("blob_empty", `step ${index}: "${path}" references "${value}", which is empty.`, {
          step: index,
          field: path,
        });
      }
      return;
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) this.collectBlobRefs(value[i], `${path}[${i}]`, index);
    } else if (typeof value === "object" && value !== null) {
      for (const key in value) this.collectBlobRefs((value as Record<string, unknown>)[key], `${path}.${key}`, index);
    }
  }

  /** An archive file that landed in the canonical `blobs/` folder (`path` starts with `blobs/`). */
  registerBlob(path: string, size: number): void {
    this.blobs.set(path, size);
    for (const key of blobKeys(path)) {
      const list = this.blobsByName.get(key);
      if (list === undefined) this.blobsByName.set(key, [path]);
      else list.push(path);
    }
    const ref = this.pendingRefs.get(path);
    if (ref !== undefined) {
      this.pendingRefs.delete(path);
      if (size === 0) {
        this.add("blob_empty", `step ${ref.step}: "${ref.field}" references "${path}", which is empty.`, ref);
      }
    }
    for (const stream of this.frameStreams) {
      if (!stream.matches(path)) continue;
      for (const key of blobKeys(path)) {
        const step = stream.pending.get(key);
        if (step === undefined) continue;
        stream.pending.delete(key);
        this.resolveFrame(stream, key, path, { step }, { step });
      }
    }
    const raw = /^blobs\/step_(\d{1,9})_([A-Za-z0-9]+)\.npy$/i.exec(path);
    if (raw !== null) {
      this.stepRawFrames.add(`${raw[2]!.toLowerCase().includes("depth") ? "depth" : "video"}:${Number(raw[1])}`);
    }
    const stepFrame = stepFrameOf(path);
    if (stepFrame !== null) {
      this.stepFrames.set(`${stepFrame.kind}:${stepFrame.step}`, path);
      const stream = this.frameStreams.find((candidate) => candidate.kind === stepFrame.kind)!;
      const id = stream.pendingByStep.get(stepFrame.step);
      const step = id === undefined ? undefined : stream.pending.get(id);
      if (id !== undefined && step !== undefined) {
        stream.pendingByStep.delete(stepFrame.step);
        stream.pending.delete(id);
        this.resolveFrame(stream, id, path, { step }, { step }, true);
      }
    }
  }

  /** A step count or duration the robot declared (upload request, metadata, package manifest). */
  declare(source: string, kind: "step_count" | "duration_ms", value: number): void {
    if (Number.isFinite(value) && value >= 0) this.declarations.push({ source, kind, value });
  }

  /** Warn about recommended metadata that is absent (`null` metadata: none at all). */
  checkMetadata(metadata: Record<string, unknown> | null, variant: Variant | null, label: string): void {
    if (metadata === null) {
      this.missingMetadataCount += 1;
      this.add("missing_metadata", `The episode has no metadata (${label}).`, { field: label });
      return;
    }
    const recommended =
      variant === "rlds_v2"
        ? ["episode_id", "robot_id", "robot_model", "start_time", "duration_s", "tags"]
        : ["xr_mode", "control_role", "environment_id", "tags", "software", "robot_model", "start_time_unix_ms"];
    for (const key of recommended) {
      const value = metadata[key];
      if (value === undefined || value === null || value === "") {
        this.missingMetadataCount += 1;
        this.add("missing_metadata", `metadata.${key} is missing (recommended).`, { field: `metadata.${key}` });
      }
    }
  }

  finish(): ValidationReport {
    if (this.stepCount === 0 && this.issues.count("no_steps") === 0) this.add("no_steps", "The episode has no steps.");
    if (this.periodUs === null && this.periodSample.length > 0) this.settlePeriod();

    for (const [path, ref] of this.pendingRefs) {
      this.add("blob_missing", `step ${ref.step}: "${ref.field}" references "${path}", which is not in the upload.`, {
        step: ref.step,
        field: ref.field,
      });
    }
    if (this.pendingOverflow) {
      this.add("blob_missing", `The steps reference more distinct blobs than the archive can hold.`);
    }
    const frames: FrameStreamReport[] = [];
    const frameIds = new Map<string, Map<string, string>>();
    for (const stream of this.frameStreams) {
      if (stream.steps === 0) continue;
      // A step whose raw frame is there without an image (`frame_not_rendered`) is not missing.
      for (const [step, id] of stream.pendingByStep) {
        if (this.stepRawFrames.has(`${stream.kind}:${step}`)) stream.pending.delete(id);
      }
      const included = stream.resolved > 0;
      if (included) {
        for (const [id, step] of stream.pending) {
          this.add(
            "blob_missing",
            `step ${step}: frame "${id}" of "${stream.field}" is not in blobs/ (other frames of this stream are).`,
            { step, field: stream.field },
          );
        }
        if (stream.overflow) {
          this.add("blob_missing", `"${stream.field}" names more distinct frames than the archive holds.`, {
            field: stream.field,
          });
        }
      }
      frames.push({
        field: stream.field,
        kind: stream.kind,
        steps: stream.steps,
        resolved: stream.resolved,
        unresolved: stream.pending.size,
        included,
        // Ids matched by step follow no file-name pattern: they resolve through `ids_file` only.
        pattern: included && stream.aliases.size === 0 ? (stream.pattern ?? null) : null,
        ids_file: included && stream.aliases.size > 0 ? `index/frames-${stream.kind}.tsv` : null,
      });
      if (included && stream.aliases.size > 0) frameIds.set(stream.field, stream.aliases);
    }

    const durationMs =
      Number.isFinite(this.firstT) && Number.isFinite(this.lastT) ? Math.max(0, (this.lastT - this.firstT) / 1000) : 0;
    this.checkDeclarations(durationMs);
    if (this.stepCount > 0 && this.stepCount < QUALITY_RULES.shortEpisodeSteps) {
      this.add(
        "short_episode",
        `The episode has ${this.stepCount} step${this.stepCount === 1 ? "" : "s"} (fewer than ${QUALITY_RULES.shortEpisodeSteps}).`,
      );
    }
    if (this.clock === null && this.stepCount > 1) {
      this.add(
        "no_timestamps",
        "No step clock found (timestamp_us, observation.robot_state.timestamp_nanos, …): duration, gaps and ordering are unchecked.",
      );
    }

    const frozenSignals =
      this.frozenSteps >= QUALITY_RULES.frozenMinSteps &&
      this.frozenSteps / Math.max(1, this.actionChangeSteps) >= QUALITY_RULES.frozenShare;
    let actionJerk = false;
    for (const f of this.actionIndexes) {
      const range = this.actionMax[f]! - this.actionMin[f]!;
      const n = this.jerkCount[f]!;
      if (range > 0 && n >= 2 && this.jerkSum[f]! / n / range > QUALITY_RULES.jerkRatio) actionJerk = true;
    }
    const quality = computeQuality({
      stepCount: this.stepCount,
      gapCount: this.gapCount,
      frozenSignals,
      actionJerk,
      clockSkewCount: this.clockSkewCount,
      missingMetadataCount: this.missingMetadataCount,
      hasClock: this.clock !== null,
    });
    return {
      errors: this.issues.errors,
      warnings: this.issues.warnings,
      issueCounts: { ...this.issues.counts },
      issuesTruncated: this.issues.isTruncated,
      stats: {
        step_count: this.stepCount,
        duration_ms: Math.round(durationMs * 1000) / 1000,
        action_dim: this.actionDim,
        observation_keys: this.observationKeys,
        reward_sum: this.rewardSum,
      },
      quality,
      clock: this.clock,
      firstTimestampUs: Number.isFinite(this.firstT) ? this.firstT : null,
      lastTimestampUs: Number.isFinite(this.lastT) ? this.lastT : null,
      frames,
      frameIds,
      fields: this.fieldList,
    };
  }

  /**
   * "Far from what the robot declared": step counts may differ by max(1, 2 %); durations by
   * max(1 s, 10 %, two step periods), because robots count the last step's period or not.
   */
  private checkDeclarations(durationMs: number): void {
    for (const declaration of this.declarations) {
      if (declaration.kind === "step_count") {
        const tolerance = Math.max(1, Math.ceil(declaration.value * 0.02));
        if (Math.abs(this.stepCount - declaration.value) > tolerance) {
          this.add(
            "step_count_mismatch",
            `${declaration.source} says ${declaration.value} steps, the episode has ${this.stepCount}.`,
            { field: declaration.source },
          );
        }
      } else if (this.clock !== null && this.stepCount > 1) {
        const periodMs = (this.periodUs ?? 0) / 1000;
        const tolerance = Math.max(1000, declaration.value * 0.1, 2 * periodMs);
        if (Math.abs(durationMs - declaration.value) > tolerance) {
          this.add(
            "duration_mismatch",
            `${declaration.source} says ${Math.round(declaration.value)} ms, the step timestamps span ${Math.round(durationMs)} ms.`,
            { field: declaration.source },
          );
        }
      }
    }
  }
}
