import { describe, expect, it } from "vitest";
import { step } from "@/lib/rlds/__fixtures__/archives";
import { DEFAULT_LIMITS, type EpisodeLimits } from "@/lib/rlds/limits";
import { computeQuality, isTrainingEligible } from "@/lib/rlds/validate/compute-quality";
import { EpisodeValidator, resolveFrameBlob } from "@/lib/rlds/validate/episode-validator";

function validate(steps: unknown[], limits: Partial<EpisodeLimits> = {}) {
  const validator = new EpisodeValidator({ limits: { ...DEFAULT_LIMITS, ...limits } });
  const rows: number[][] = [];
  steps.forEach((s, i) => {
    const accepted = validator.acceptStep(
      s,
      { file: "steps.jsonl", line: i + 1 },
      JSON.stringify(s).includes('"blobs/'),
    );
    if (accepted) rows.push(Array.from(accepted.row.subarray(0, validator.fields.length)));
  });
  const report = validator.finish();
  return { report, rows, fields: validator.fields.map((f) => f.path) };
}

const codes = (issues: { code: string }[]) => issues.map((i) => i.code);

describe("EpisodeValidator", () => {
  it("learns the row layout: reward first, then numeric leaves by path", () => {
    const { fields, rows } = validate([
      { observation: { a: 1, b: [true, null], s: "text", deep: { x: 2 } }, action: { command: [0.5] }, reward: 3 },
    ]);
    expect(fields).toEqual([
      "reward",
      "observation.a",
      "observation.b[0]",
      "observation.b[1]",
      "observation.deep.x",
      "action.command[0]",
    ]);
    expect(rows[0]).toEqual([3, 1, 1, NaN, 2, 0.5]);
  });

  it("lets channels come and go (sensors at lower rates) but keeps each channel's shape", () => {
    const s = (i: number, extra: Record<string, unknown>) => ({
      observation: { robot_state: { q: [i, i] }, ...extra },
      action: { command: [i] },
    });
    const ok = validate([
      s(0, {}),
      s(1, { media: { rgb: { w: 64 } } }),
      s(2, {}),
      s(3, { media: { depth: { w: 32 } } }),
    ]);
    expect(ok.report.errors).toEqual([]);
    expect(ok.fields).toEqual([
      "reward",
      "observation.robot_state.q[0]",
      "observation.robot_state.q[1]",
      "action.command[0]",
      "observation.media.rgb.w",
      "observation.media.depth.w",
    ]);
    const bad = validate([
      s(0, { glove: { flex: [1, 2] } }),
      s(1, { glove: { flex: [1, 2, 3] } }),
      s(2, { glove: { flex: "off" } }),
    ]);
    expect(bad.report.errors.map((e) => [e.code, e.step, e.field])).toEqual([
      ["inconsistent_fields", 1, "observation.glove.flex"],
      ["inconsistent_fields", 2, "observation.glove.flex"],
    ]);
    const added = validate([s(0, { glove: { flex: [1] } }), s(1, { glove: { flex: [1], fsr: [2] } })]);
    expect(added.report.errors.map((e) => [e.code, e.field])).toEqual([
      ["inconsistent_fields", "observation.glove.fsr"],
    ]);
    const text = validate([s(0, { note: { text: "a" } }), s(1, { note: { text: "b", score: 1 } })]);
    expect(text.report.errors).toEqual([]);
  });

  it("leaves values first seen as null or [] free-form (their type is unknown)", () => {
    const { report, fields } = validate([
      { observation: { q: [1], later: null, efforts: [] }, action: { c: 1 } },
      { observation: { q: [2], later: "move", efforts: [0.1, 0.2] }, action: { c: 2 } },
    ]);
    expect(report.errors).toEqual([]);
    expect(fields).toEqual(["reward", "observation.q[0]", "action.c"]);
  });

  it("requires step-level numeric members on all steps or none", () => {
    const { report } = validate([step(0, { timestamp_us: 1 }), step(1)]);
    expect(report.errors.map((e) => [e.code, e.step, e.field])).toEqual([["inconsistent_fields", 1, "timestamp_us"]]);
  });

  it("reports is_first on a later step, explicit is_last mid-episode, and step_idx going back", () => {
    expect(codes(validate([step(0), step(1, { is_first: true })]).report.errors)).toEqual(["misplaced_is_first"]);
    const last = validate([step(0), step(1, { is_last: true }), step(2), step(3)]);
    expect(codes(last.report.errors)).toEqual(["step_after_terminal"]);
    expect(last.report.issueCounts.step_after_terminal).toBe(2);
    const idx = validate([step(0, { step_idx: 0 }), step(1, { step_idx: 4 }), step(2, { step_idx: 3 })]);
    expect(idx.report.warnings.map((w) => [w.code, w.step])).toContainEqual(["step_index_gap", 1]);
    expect(idx.report.errors.map((e) => [e.code, e.step, e.field])).toEqual([
      ["non_monotonic_timestamp", 2, "step_idx"],
    ]);
  });

  it("refuses steps that are not objects and stops at maxSteps", () => {
    expect(codes(validate([step(0), [1, 2], "x"]).report.errors)).toEqual(["invalid_step", "invalid_step"]);
    const capped = validate([step(0), step(1), step(2), step(3)], { maxSteps: 2 });
    expect(codes(capped.report.errors)).toEqual(["too_many_steps"]);
    expect(capped.report.stats.step_count).toBe(2);
  });

  it("warns when there is no clock and when step_metadata holds non-strings", () => {
    const noClock = validate([
      { observation: { a: 1 }, action: { b: 1 }, step_metadata: { n: 1 } },
      { observation: { a: 2 }, action: { b: 1 }, step_metadata: { n: 2 } },
    ]);
    expect(noClock.report.errors).toEqual([]);
    expect(codes(noClock.report.warnings)).toEqual(["step_metadata_not_strings", "short_episode", "no_timestamps"]);
    expect(noClock.report.issueCounts.step_metadata_not_strings).toBe(2);
    expect(noClock.report.clock).toBeNull();
  });

  it("picks the step clock by precedence and converts it to microseconds", () => {
    const sources = [
      [{ timestamp_us: 5, observation: { robot_state: { timestamp_nanos: 1 } } }, "timestamp_us", 5],
      [
        { observation: { robot_state: { timestamp_nanos: 7000, wall_time_millis: 1 } } },
        "observation.robot_state.timestamp_nanos",
        7,
      ],
      [{ observation: { robot_state: { wall_time_millis: 3 } } }, "observation.robot_state.wall_time_millis", 3000],
      [
        { observation: {}, step_metadata: { timestamp: "1765843752.8017461" } },
        "step_metadata.timestamp",
        1765843752801746.1,
      ],
    ] as const;
    for (const [partial, source, micros] of sources) {
      const { report } = validate([{ action: {}, ...partial, observation: { ...partial.observation } }]);
      expect(report.clock?.source).toBe(source);
      expect(report.firstTimestampUs).toBeCloseTo(micros, 0);
    }
  });

  it("resolves frame ids by file name, depth frames from depth paths", () => {
    const blobs = ["blobs/rgb/f1.png", "blobs/depth/f1.png", "blobs/rgb/f2.jpg"];
    expect(resolveFrameBlob("f1", "video", blobs)).toBe("blobs/rgb/f1.png");
    expect(resolveFrameBlob("f1", "depth", blobs)).toBe("blobs/depth/f1.png");
    expect(resolveFrameBlob("f2.jpg", "video", blobs)).toBe("blobs/rgb/f2.jpg");
    expect(resolveFrameBlob("f2", "depth", blobs)).toBeNull();
  });
});

describe("quality", () => {
  it("scores and flags as documented", () => {
    const base = {
      stepCount: 100,
      gapCount: 0,
      frozenSignals: false,
      actionJerk: false,
      clockSkewCount: 0,
      missingMetadataCount: 0,
      hasClock: true,
    };
    expect(computeQuality(base)).toEqual({ score: 1, flags: [] });
    expect(computeQuality({ ...base, stepCount: 5 })).toEqual({ score: 0.5, flags: ["short"] });
    expect(computeQuality({ ...base, stepCount: 20, gapCount: 10 })).toEqual({ score: 0.5, flags: ["short", "gaps"] });
    expect(computeQuality({ ...base, frozenSignals: true, actionJerk: true, clockSkewCount: 3 })).toEqual({
      score: 0.4,
      flags: ["frozen_signals", "action_jerk", "clock_skew"],
    });
    expect(computeQuality({ ...base, missingMetadataCount: 9, hasClock: false })).toEqual({
      score: 0.8,
      flags: ["incomplete_metadata", "no_timestamps"],
    });
  });

  it("makes an episode training-eligible only when validated, long enough, good enough and not frozen", () => {
    const good = { score: 0.9, flags: [] };
    expect(isTrainingEligible(true, 10, good)).toBe(true);
    expect(isTrainingEligible(false, 10, good)).toBe(false);
    expect(isTrainingEligible(true, 9, good)).toBe(false);
    expect(isTrainingEligible(true, 100, { score: 0.49, flags: [] })).toBe(false);
    expect(isTrainingEligible(true, 100, { score: 0.7, flags: ["frozen_signals"] })).toBe(false);
  });
});

describe("nesting depth (maxStepDepth)", () => {
  /** `{"a":{"a":…{"x":1}}}`: `levels` objects, the outermost included. */
  const chain = (levels: number): Record<string, unknown> => {
    let value: Record<string, unknown> = { x: 1 };
    for (let i = 1; i < levels; i++) value = { a: value };
    return value;
  };
  /** Step 3 of an episode (the step is level 1, `observation` level 2), `observation` `levels` deep. */
  const episode = (levels: number, where: "observation" | "action" = "observation") => {
    const steps = [step(0), step(1), step(2)];
    steps.push(step(3, { [where]: { ...(step(3)[where] as object), deep: chain(levels - 2) } }));
    return steps;
  };
  const deepPath = (root: string, objects: number) => `${root}.deep${".a".repeat(objects)}`;

  it("accepts a step exactly at the default limit of 64 levels", () => {
    expect(DEFAULT_LIMITS.maxStepDepth).toBe(64);
    const { report, fields } = validate(episode(64));
    expect(report.errors).toEqual([]);
    expect(report.stats.step_count).toBe(4);
    // The deepest number is still read (level 64 holds it).
    expect(fields).toContain(`${deepPath("observation", 61)}.x`);
  });

  it("rejects a step one level past the limit, naming the step and the field path", () => {
    const { report } = validate(episode(65));
    const field = deepPath("observation", 62);
    expect(report.errors).toEqual([
      {
        code: "too_deeply_nested",
        message: `step 3 (steps.jsonl line 4): "${field}" is nested 65 levels deep; a step may nest objects and arrays at most 64 levels (the step itself is level 1).`,
        step: 3,
        line: 4,
        file: "steps.jsonl",
        field,
      },
    ]);
    expect(report.issueCounts).toMatchObject({ too_deeply_nested: 1 });
    expect(report.stats.step_count).toBe(4);
  });

  it("counts arrays as levels and names their indexes", () => {
    const atLimit = { observation: { q: [[1]] }, action: { command: [1] } };
    expect(validate([atLimit], { maxStepDepth: 4 }).report.errors).toEqual([]);
    const { report } = validate([{ observation: { q: [5, [[1]]] }, action: { command: [1] } }], { maxStepDepth: 4 });
    expect(report.errors.map(({ code, field }) => ({ code, field }))).toEqual([
      { code: "too_deeply_nested", field: "observation.q[1][0]" },
    ]);
  });

  it("shortens a path of long keys to 512 characters", () => {
    const key = "k".repeat(100);
    let value: unknown = 1;
    for (let i = 0; i < 70; i++) value = { [key]: value };
    const { report } = validate([{ observation: value, action: { command: [1] } }]);
    const field = `observation${`.${key}`.repeat(63)}`.slice(0, 511) + "…";
    expect(report.errors.map(({ code, field }) => ({ code, field }))).toEqual([{ code: "too_deeply_nested", field }]);
    expect(report.errors[0]!.message).toBe(
      `step 0 (steps.jsonl line 1): "${field}" is nested 65 levels deep; a step may nest objects and arrays at most 64 levels (the step itself is level 1).`,
    );
  });

  it("stops a 100 000-level action (holding a blob reference) without walking it", () => {
    const text = `{"observation":{"x":1},"action":${'{"a":'.repeat(100_000)}"blobs/x.png"${"}".repeat(100_000)}}`;
    // The episode test helper would stringify the step, which itself overflows at this depth.
    const validator = new EpisodeValidator({ limits: DEFAULT_LIMITS });
    expect(validator.acceptStep(JSON.parse(text), { file: "steps.jsonl", line: 1 }, true)).toBeNull();
    const report = validator.finish();
    expect(report.errors).toEqual([
      {
        code: "too_deeply_nested",
        message: `step 0 (steps.jsonl line 1): "action${".a".repeat(63)}" is nested 65 levels deep; a step may nest objects and arrays at most 64 levels (the step itself is level 1).`,
        step: 0,
        line: 1,
        file: "steps.jsonl",
        field: `action${".a".repeat(63)}`,
      },
    ]);
  });
});
