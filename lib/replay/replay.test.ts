import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor, Ctx } from "@/lib/context";
import { isDomainError } from "@/lib/errors";
import { Episodes } from "@/lib/episodes/schemas";
import { generateEpisodeSteps } from "@/lib/rlds/generate-episode";
import { writeEpisodeFixture } from "@/lib/training/testing/write-episode-fixture";
import { createTestContext, type TestContext } from "@/server/testing/create-test-context";
import {
  encodeFramePack,
  getReplayFramePack,
  getReplaySeries,
  getReplaySteps,
  getReplaySummary,
  MAX_WINDOW_STEPS,
  resolveReplayFrame,
} from "./index";
import { decodeFrameCode } from "./testing/render-frame";
import { writeReplayFixture } from "./testing/write-replay-fixture";

const OWNER: Actor = { kind: "user", uid: "u_owner", role: "owner", email: "owner@example.test" };
const STRANGER: Actor = { kind: "user", uid: "u_other", role: "owner", email: "other@example.test" };
const OPERATOR: Actor = { kind: "user", uid: "u_op", role: "operator", email: "op@example.test" };

let ctx: TestContext;
let owner: Ctx;

async function caught(
  promise: Promise<unknown>,
): Promise<{ code: string; reason: string | undefined; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (isDomainError(error)) return { code: error.code, reason: error.reason, message: error.message };
    throw error;
  }
  throw new Error("expected a DomainError");
}

async function text(stream: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}

beforeAll(async () => {
  ctx = createTestContext();
  owner = ctx.as(OWNER);
  await writeReplayFixture(ctx, {
    episodeId: "ep_sim",
    steps: 300,
    ownerUid: OWNER.uid,
    extraWarnings: [{ code: "gap", step: 120, message: "step 120: a 400 ms gap", field: "timestamp" }],
  });
  await writeReplayFixture(ctx, { episodeId: "ep_sparse", steps: 60, ownerUid: OWNER.uid, frames: { every: 5 } });
  await writeReplayFixture(ctx, {
    episodeId: "ep_pool",
    steps: 50,
    ownerUid: OWNER.uid,
    frames: { pool: 8, width: 80, height: 60 },
  });
});
afterAll(async () => {
  await ctx.cleanup();
});

describe("replay summary", () => {
  it("says how long the episode is, which fields it can chart and where its frames are", async () => {
    const summary = await getReplaySummary(owner, "ep_sim");
    expect(summary.step_count).toBe(300);
    expect(summary.clock_source).toBe("observation.robot_state.timestamp_nanos");
    expect(summary.duration_us).toBeCloseTo((299 / 30) * 1e6, -1);
    expect(summary.period_us).toBeCloseTo(1e6 / 30, 0);
    const groups = Object.fromEntries(summary.fields.map((field) => [field.path, field.group]));
    expect(groups["action.command[0]"]).toBe("action");
    expect(groups["observation.robot_state.joint_positions[6]"]).toBe("joint_position");
    expect(groups["observation.robot_state.joint_velocities[0]"]).toBe("joint_velocity");
    expect(groups.reward).toBe("reward");
    expect(groups["observation.diagnostics.latency_ms"]).toBe("other");
    expect(summary.frame_streams).toEqual([
      { field: "observation.video_frame_id", kind: "video", steps: 300, included: true },
    ]);
    expect(summary.time_samples.step).toHaveLength(256);
    expect(summary.time_samples.step[0]).toBe(0);
    expect(summary.time_samples.step[255]).toBe(299);
    const times = summary.time_samples.t_us as number[];
    for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThan(times[i - 1]!);
    expect(summary.markers).toEqual([
      { step: 120, severity: "warning", code: "gap", message: "step 120: a 400 ms gap", field: "timestamp" },
    ]);
  });

  it("discovers numeric fields of any observation/action shape", async () => {
    await writeReplayFixture(ctx, {
      episodeId: "ep_chat",
      steps: 40,
      ownerUid: OWNER.uid,
      stepOf: (i) => ({
        timestamp_us: 1_700_000_000_000_000 + i * 250_000,
        observation: { turn: { text: `hello ${i}`, tokens: 10 + i, sentiment: { score: Math.sin(i) } } },
        action: { reply: "ok", temperature: 0.7, tool_calls: [] },
        reward: i === 39 ? 1 : 0,
        is_terminal: i === 39,
      }),
    });
    const summary = await getReplaySummary(owner, "ep_chat");
    expect(summary.fields.map((field) => field.path).sort()).toEqual(
      ["action.temperature", "observation.turn.sentiment.score", "observation.turn.tokens", "reward"].sort(),
    );
    expect(summary.frame_streams).toEqual([]);
    expect(summary.clock_source).toBe("timestamp_us");
    expect(summary.period_us).toBe(250_000);
    const window = await getReplaySteps(owner, "ep_chat", { from: 3, to: 4 });
    expect(JSON.parse(window.steps[0]!.json).observation.turn.text).toBe("hello 3");
  });
});

describe("replay step windows", () => {
  it("serves steps [from, to) exactly as stored, with their clock and frame ids", async () => {
    const window = await getReplaySteps(owner, "ep_sim", { from: "10", to: "20" });
    expect(window.from).toBe(10);
    expect(window.to).toBe(20);
    expect(window.step_count).toBe(300);
    const lines = (await text(generateEpisodeSteps({ steps: 300, episodeId: "ep_sim", frames: { every: 1 } })))
      .trimEnd()
      .split("\n");
    expect(window.steps.map((step) => step.index)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    // Canonical lines keep the step content (the exact nanosecond clock included).
    for (const step of window.steps) {
      const stored = JSON.parse(step.json);
      const generated = JSON.parse(lines[step.index]!);
      expect(stored.observation.robot_state.joint_positions).toEqual(generated.observation.robot_state.joint_positions);
      expect(stored.action).toEqual(generated.action);
      expect(step.json).toContain(
        `"timestamp_nanos":${1764979200000000000n + BigInt(Math.round((step.index * 1e9) / 30))}`,
      );
    }
    expect(window.steps[0]!.frames).toEqual(["frame_000010"]);
    expect(window.steps[1]!.t_us! - window.steps[0]!.t_us!).toBeCloseTo(1e6 / 30, 0);
  });

  it("clamps the end to the episode and caps the window size", async () => {
    expect((await getReplaySteps(owner, "ep_sim", { from: 290, to: 400 })).steps).toHaveLength(10);
    expect((await getReplaySteps(owner, "ep_sim", { from: 300, to: 300 })).steps).toHaveLength(0);
    await writeReplayFixture(ctx, {
      episodeId: "ep_wide",
      steps: 1500,
      ownerUid: OWNER.uid,
      stepOf: (i) => ({
        timestamp_us: i * 1000,
        observation: { note: "x".repeat(i % 2 ? 5000 : 10), v: i },
        action: { a: i },
      }),
    });
    const capped = await getReplaySteps(owner, "ep_wide", { from: 0, to: 1500 });
    expect(capped.to).toBeLessThan(MAX_WINDOW_STEPS);
    expect(capped.steps).toHaveLength(capped.to);
    expect(capped.steps.reduce((sum, step) => sum + step.json.length, 0)).toBeLessThanOrEqual(2 * 1024 * 1024);
    const next = await getReplaySteps(owner, "ep_wide", { from: capped.to, to: capped.to + 3 });
    expect(next.steps[0]!.index).toBe(capped.to);
  });

  it.each([
    ["from past the end", { from: 301, to: 302 }, "invalid", "step_range_invalid"],
    ["from at the end with steps asked", { from: 300, to: 301 }, "invalid", "step_range_invalid"],
    ["to before from", { from: 5, to: 4 }, "invalid", "invalid_input"],
    ["a negative step", { from: -1, to: 4 }, "invalid", "invalid_input"],
    ["not a number", { from: "ten", to: 4 }, "invalid", "invalid_input"],
  ])("refuses %s", async (_name, query, code, reason) => {
    expect(await caught(getReplaySteps(owner, "ep_sim", query))).toMatchObject({ code, reason });
  });
});

describe("replay series", () => {
  it("downsamples with min/max buckets and keeps a one-step spike", async () => {
    await writeReplayFixture(ctx, {
      episodeId: "ep_spike",
      steps: 5000,
      ownerUid: OWNER.uid,
      stepOf: (i) => ({
        timestamp_us: i * 10_000,
        observation: { force: i === 3217 ? 250 : Math.sin(i / 50) },
        action: { u: i % 7 },
      }),
    });
    const answer = await getReplaySeries(owner, "ep_spike", { field: "observation.force,action.u", buckets: "100" });
    expect(answer.full_resolution).toBe(false);
    const force = answer.series[0]!;
    expect(force.field).toBe("observation.force");
    expect(force.start).toHaveLength(100);
    expect(force.level).toBeGreaterThan(0);
    expect(Math.max(...(force.max as number[]))).toBe(250);
    const spikeBucket = force.max.findIndex((value) => value === 250);
    expect(force.start[spikeBucket]!).toBeLessThanOrEqual(3217);
    expect(force.end[spikeBucket]!).toBeGreaterThan(3217);
    expect(answer.series[1]).toMatchObject({ field: "action.u" });
    expect(Math.min(...(answer.series[1]!.min as number[]))).toBe(0);
    expect(Math.max(...(answer.series[1]!.max as number[]))).toBe(6);
  });

  it("answers every step when zoomed in to no more steps than buckets", async () => {
    const answer = await getReplaySeries(owner, "ep_spike", {
      field: "observation.force",
      from: 3200,
      to: 3240,
      buckets: 600,
    });
    expect(answer.full_resolution).toBe(true);
    const force = answer.series[0]!;
    expect(force.start).toEqual(Array.from({ length: 40 }, (_, i) => 3200 + i));
    expect(force.min[17]).toBe(250);
    expect(force.min[16]).toBeCloseTo(Math.sin(3216 / 50), 5);
  });

  it.each([
    ["an unknown field", { field: "observation.nope" }, "not_found", "field_not_found"],
    ["a range past the end", { field: "reward", from: 0, to: 301 }, "invalid", "step_range_invalid"],
    ["no field", { buckets: 10 }, "invalid", "invalid_input"],
    ["too many buckets", { field: "reward", buckets: 100_000 }, "invalid", "invalid_input"],
  ])("refuses %s", async (_name, query, code, reason) => {
    expect(await caught(getReplaySeries(owner, "ep_sim", query))).toMatchObject({ code, reason });
  });
});

describe("replay frames", () => {
  async function codeOf(key: string): Promise<number> {
    const { stream } = await ctx.blobs.get(key);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(Buffer.from(chunk));
    const png = PNG.sync.read(Buffer.concat(chunks));
    return decodeFrameCode(png.data, png.width);
  }

  it("finds a frame by id and by step, and the image is that step's", async () => {
    const byId = await resolveReplayFrame(owner, "ep_sim", { id: "frame_000042" });
    expect(byId.key).toBe("episodes/validated/14d4b680/ep_sim/blobs/rgb/frame_000042.png");
    expect(byId.info.contentType).toBe("image/png");
    expect(await codeOf(byId.key)).toBe(42);
    const byStep = await resolveReplayFrame(owner, "ep_sim", { step: "217", stream: "observation.video_frame_id" });
    expect(byStep).toMatchObject({ frameId: "frame_000217", step: 217 });
    expect(await codeOf(byStep.key)).toBe(217);
  });

  it("shows the latest earlier frame for a step without one", async () => {
    expect(await resolveReplayFrame(owner, "ep_sparse", { step: 7 })).toMatchObject({
      frameId: "frame_000005",
      step: 5,
    });
    expect(await resolveReplayFrame(owner, "ep_sparse", { step: 10 })).toMatchObject({
      frameId: "frame_000010",
      step: 10,
    });
  });

  it("takes a stream's kind in place of its field when one stream has that kind", async () => {
    const byKind = await resolveReplayFrame(owner, "ep_sim", { step: 7, stream: "video" });
    const byField = await resolveReplayFrame(owner, "ep_sim", { step: 7, stream: "observation.video_frame_id" });
    expect(byKind).toEqual(byField);
    expect(byKind.stream).toBe("observation.video_frame_id");
    const pack = await getReplayFramePack(owner, "ep_pool", { from: 0, to: 4, stream: "video" });
    expect(pack.header.stream).toBe("observation.video_frame_id");
    expect(await caught(resolveReplayFrame(owner, "ep_sim", { step: 7, stream: "depth" }))).toEqual({
      code: "not_found",
      reason: "frame_stream_not_found",
      message: 'Episode ep_sim has no frames in "depth" (streams: observation.video_frame_id (video)).',
    });
  });

  it("serves pooled frames (step i shows frame i mod pool)", async () => {
    const frame = await resolveReplayFrame(owner, "ep_pool", { step: 13 });
    expect(frame.frameId).toBe("frame_000005");
    expect(await codeOf(frame.key)).toBe(5);
  });

  it.each([
    ["a path in the id", { id: "../../other/blobs/x" }, "invalid", "invalid_input"],
    ["both id and step", { id: "frame_000001", step: 1 }, "invalid", "invalid_input"],
    ["neither id nor step", {}, "invalid", "invalid_input"],
    ["an unknown id", { id: "frame_999999" }, "not_found", "frame_not_found"],
    [
      "an unknown stream",
      { id: "frame_000001", stream: "observation.depth_frame_id" },
      "not_found",
      "frame_stream_not_found",
    ],
    ["a step past the end", { step: 300 }, "invalid", "step_range_invalid"],
  ])("refuses %s", async (_name, query, code, reason) => {
    expect(await caught(resolveReplayFrame(owner, "ep_sim", query))).toMatchObject({ code, reason });
  });
});

describe("who may replay", () => {
  it.each([
    ["the robot's owner", OWNER, null],
    ["an operator", OPERATOR, null],
    ["another owner", STRANGER, { code: "not_found", reason: "episode_not_found" }],
    ["an anonymous caller", { kind: "anonymous" } as Actor, { code: "unauthenticated", reason: "sign_in_required" }],
  ])("%s", async (_name, actor, refusal) => {
    const as = ctx.as(actor);
    const calls = [
      getReplaySummary(as, "ep_sim"),
      getReplaySteps(as, "ep_sim", { from: 0, to: 2 }),
      getReplaySeries(as, "ep_sim", { field: "reward" }),
      resolveReplayFrame(as, "ep_sim", { step: 0 }),
    ];
    for (const call of calls) {
      if (refusal === null) await expect(call).resolves.toBeDefined();
      else expect(await caught(call)).toMatchObject(refusal);
    }
  });

  it("explains why an episode has no replay", async () => {
    const operator = ctx.as(OPERATOR);
    expect(await caught(getReplaySummary(operator, "ep_missing"))).toMatchObject({
      code: "not_found",
      reason: "episode_not_found",
    });
    const sim = await ctx.db.require(Episodes, "ep_sim");
    await ctx.db.set(Episodes, "ep_rejected", { ...sim.data, status: "rejected", storage_ref: null });
    expect(await caught(getReplaySummary(operator, "ep_rejected"))).toMatchObject({
      code: "not_found",
      reason: "replay_unavailable",
      message: expect.stringContaining("rejected"),
    });
    await writeEpisodeFixture(ctx, { episodeId: "ep_old", robotId: "14d4b680", steps: 5, tfrecord: false });
    expect(await caught(getReplaySummary(operator, "ep_old"))).toMatchObject({
      code: "not_found",
      reason: "replay_index_missing",
    });
  });
});

describe("replay frame packs", () => {
  it("carries the frames of a block of steps, each once with the steps that show it", async () => {
    const pack = await getReplayFramePack(owner, "ep_pool", { from: 0, to: 20 });
    expect(pack.header).toMatchObject({ stream: "observation.video_frame_id", from: 0, to: 20 });
    expect(pack.header.frames.map((frame) => frame.id)).toEqual(
      Array.from({ length: 8 }, (_, n) => `frame_${String(n).padStart(6, "0")}`),
    );
    expect(pack.header.frames[3]!.steps).toEqual([3, 11, 19]);
    const bytes = encodeFramePack(pack);
    const headerLength = bytes.readUInt32LE(0);
    const header = JSON.parse(bytes.toString("utf8", 4, 4 + headerLength));
    const body = bytes.subarray(4 + headerLength);
    for (const frame of header.frames as { id: string; offset: number; length: number; content_type: string }[]) {
      const png = PNG.sync.read(body.subarray(frame.offset, frame.offset + frame.length));
      expect(decodeFrameCode(png.data, png.width)).toBe(Number(frame.id.slice(6)));
      expect(frame.content_type).toBe("image/png");
    }
  });

  it("lists only the steps that name a frame, and refuses what is not there", async () => {
    const sparse = await getReplayFramePack(owner, "ep_sparse", { from: 3, to: 12 });
    expect(sparse.header.frames.map((frame) => [frame.id, frame.steps])).toEqual([
      ["frame_000005", [5]],
      ["frame_000010", [10]],
    ]);
    expect(await caught(getReplayFramePack(owner, "ep_sim", { from: 300, to: 301 }))).toMatchObject({
      code: "invalid",
      reason: "step_range_invalid",
    });
    expect(await caught(getReplayFramePack(owner, "ep_chat", { from: 0, to: 5 }))).toMatchObject({
      code: "not_found",
      reason: "frame_stream_not_found",
    });
    expect(await caught(getReplayFramePack(ctx.as(STRANGER), "ep_sim", { from: 0, to: 5 }))).toMatchObject({
      code: "not_found",
      reason: "episode_not_found",
    });
  });
});
