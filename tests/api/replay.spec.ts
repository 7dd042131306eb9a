import { randomBytes } from "node:crypto";
import { expect, request as playwrightRequest, test, type APIRequestContext } from "@playwright/test";
import { runTag, seedReplayEpisodes, uploadSimulatorEpisode } from "../browser/replay-support";
import { adminApi, signUpAndSignIn, type SignedInUser } from "../support/users";

const tag = runTag();
const SIM = `replay_api_sim_${tag}`;
const OWNED = `replay_api_owned_${tag}`;
const base = (id: string) => `/api/console/episodes/${id}/replay`;

let admin: APIRequestContext;
let owner: SignedInUser;
let other: SignedInUser;

test.describe.configure({ mode: "serial" });

test.beforeAll(async ({ baseURL }) => {
  test.setTimeout(120_000);
  admin = await adminApi(baseURL!);
  await uploadSimulatorEpisode(baseURL!, admin, SIM, 100);
  owner = await signUpAndSignIn(baseURL!, "replay-owner");
  other = await signUpAndSignIn(baseURL!, "replay-other");
  await seedReplayEpisodes([`${OWNED}:200`], { robotId: randomBytes(4).toString("hex"), ownerUid: owner.uid });
});

test.afterAll(async () => {
  await admin.dispose();
  await owner.api.dispose();
  await other.api.dispose();
});

async function errorOf(response: Awaited<ReturnType<APIRequestContext["get"]>>) {
  return ((await response.json()) as { error: { code: string; reason?: string; message: string } }).error;
}

test("summary of an uploaded simulator episode: steps, clock, chartable fields, frame streams", async () => {
  const response = await admin.get(base(SIM));
  expect(response.status()).toBe(200);
  expect(response.headers()["cache-control"]).toContain("private");
  const summary = await response.json();
  expect(summary).toMatchObject({
    episode_id: SIM,
    step_count: 100,
    clock_source: "observation.robot_state.timestamp_nanos",
    frame_streams: [{ field: "observation.video_frame_id", kind: "video", steps: 100, included: true }],
  });
  expect(summary.period_us).toBeCloseTo(100_000, 0);
  const groups = Object.fromEntries(summary.fields.map((f: { path: string; group: string }) => [f.path, f.group]));
  expect(groups["action.command[0]"]).toBe("action");
  expect(groups["observation.robot_state.joint_velocities[5]"]).toBe("joint_velocity");
  expect(summary.time_samples.step).toHaveLength(100);
});

test("a window of steps comes from the index: exact lines, clock and frame ids; bad ranges are refused", async () => {
  const response = await admin.get(`${base(SIM)}/steps?from=10&to=20`);
  expect(response.status()).toBe(200);
  const window = await response.json();
  expect(window).toMatchObject({ from: 10, to: 20, step_count: 100 });
  expect(window.steps.map((s: { index: number }) => s.index)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
  expect(window.steps[3].frames).toEqual(["frame_000013"]);
  expect(JSON.parse(window.steps[3].json).observation.video_frame_id).toBe("frame_000013");
  expect(window.steps[1].t_us - window.steps[0].t_us).toBeCloseTo(100_000, 0);
  expect((await (await admin.get(`${base(SIM)}/steps?from=95&to=500`)).json()).steps).toHaveLength(5);

  for (const [query, status, reason] of [
    ["from=20&to=10", 400, "invalid_input"],
    ["from=101&to=102", 400, "step_range_invalid"],
    ["from=abc&to=3", 400, "invalid_input"],
    ["to=3", 400, "invalid_input"],
  ] as const) {
    const refused = await admin.get(`${base(SIM)}/steps?${query}`);
    expect(refused.status(), query).toBe(status);
    expect((await errorOf(refused)).reason, query).toBe(reason);
  }
});

test("series come in min/max buckets, every step once zoomed in; unknown fields are named", async () => {
  const coarse = await (await admin.get(`${base(SIM)}/series?field=action.command[0]&field=reward&buckets=20`)).json();
  expect(coarse.full_resolution).toBe(false);
  expect(coarse.series.map((s: { field: string }) => s.field)).toEqual(["action.command[0]", "reward"]);
  expect(coarse.series[0].start).toHaveLength(20);
  for (let i = 0; i < 20; i++) expect(coarse.series[0].min[i]).toBeLessThanOrEqual(coarse.series[0].max[i]);
  const fine = await (await admin.get(`${base(SIM)}/series?field=action.command[0]&from=40&to=60&buckets=600`)).json();
  expect(fine.full_resolution).toBe(true);
  expect(fine.series[0].start).toEqual(Array.from({ length: 20 }, (_, i) => 40 + i));
  const step45 = JSON.parse((await (await admin.get(`${base(SIM)}/steps?from=45&to=46`)).json()).steps[0].json);
  expect(fine.series[0].min[5]).toBeCloseTo(step45.action.command[0], 5);

  const unknown = await admin.get(`${base(SIM)}/series?field=observation.nothing`);
  expect(unknown.status()).toBe(404);
  expect(await errorOf(unknown)).toMatchObject({
    reason: "field_not_found",
    message: expect.stringContaining("observation.nothing"),
  });
});

test("frames by id and by step, with caching headers and Range (a signed-URL redirect in the cloud)", async () => {
  const url = `${base(SIM)}/frames?stream=observation.video_frame_id&id=frame_000042`;
  const first = await admin.get(url, { maxRedirects: 0 });
  if (first.status() === 302) {
    // Cloud: the frame comes from the bucket through a signed URL.
    expect(first.headers()["x-frame-id"]).toBe("frame_000042");
    const signed = await fetch(first.headers().location!);
    expect(signed.status).toBe(200);
    expect(
      Buffer.from(await signed.arrayBuffer())
        .subarray(1, 4)
        .toString(),
    ).toBe("PNG");
    return;
  }
  expect(first.status()).toBe(200);
  const headers = first.headers();
  expect(headers["content-type"]).toBe("image/png");
  expect(headers["cache-control"]).toMatch(/private, max-age=\d+/);
  expect(headers["accept-ranges"]).toBe("bytes");
  const body = await first.body();
  expect(body.subarray(1, 4).toString()).toBe("PNG");

  const again = await admin.get(url, { headers: { "if-none-match": headers.etag! } });
  expect(again.status()).toBe(304);
  const ranged = await admin.get(url, { headers: { range: "bytes=0-7" } });
  expect(ranged.status()).toBe(206);
  expect(ranged.headers()["content-range"]).toBe(`bytes 0-7/${body.length}`);
  expect(Buffer.compare(await ranged.body(), body.subarray(0, 8))).toBe(0);
  const outside = await admin.get(url, { headers: { range: `bytes=${body.length + 10}-` } });
  expect(outside.status()).toBe(416);

  const byStep = await admin.get(`${base(SIM)}/frames?step=42`);
  expect(byStep.status()).toBe(200);
  expect(byStep.headers()["x-frame-id"]).toBe("frame_000042");
  expect(byStep.headers()["x-frame-step"]).toBe("42");
  expect(Buffer.compare(await byStep.body(), body)).toBe(0);

  for (const [query, status, reason] of [
    ["id=..%2F..%2Fmetadata.json", 400, "invalid_input"],
    ["id=frame_999999", 404, "frame_not_found"],
    ["id=frame_000001&step=1", 400, "invalid_input"],
    ["stream=observation.depth_frame_id&step=1", 404, "frame_stream_not_found"],
    ["step=100", 400, "step_range_invalid"],
  ] as const) {
    const refused = await admin.get(`${base(SIM)}/frames?${query}`);
    expect(refused.status(), query).toBe(status);
    expect((await errorOf(refused)).reason, query).toBe(reason);
  }
});

test("a frame pack carries a block of steps' frames in one answer", async () => {
  const response = await admin.get(`${base(SIM)}/frames/pack?stream=observation.video_frame_id&from=10&to=20`);
  expect(response.status()).toBe(200);
  expect(response.headers()["content-type"]).toBe("application/vnd.continuon.frame-pack");
  const bytes = await response.body();
  const headerLength = bytes.readUInt32LE(0);
  const header = JSON.parse(bytes.toString("utf8", 4, 4 + headerLength));
  expect(header).toMatchObject({ stream: "observation.video_frame_id", from: 10, to: 20 });
  expect(header.frames.map((f: { id: string }) => f.id)).toEqual(
    Array.from({ length: 10 }, (_, i) => `frame_${String(10 + i).padStart(6, "0")}`),
  );
  const body = bytes.subarray(4 + headerLength);
  const first = header.frames[0] as { offset: number; length: number; steps: number[] };
  expect(first.steps).toEqual([10]);
  expect(body.subarray(first.offset + 1, first.offset + 4).toString()).toBe("PNG");
  const single = await admin.get(`${base(SIM)}/frames?step=10`, { maxRedirects: 0 });
  if (single.status() === 200) {
    expect(Buffer.compare(body.subarray(first.offset, first.offset + first.length), await single.body())).toBe(0);
  }
  const refused = await admin.get(`${base(SIM)}/frames/pack?from=20&to=10`);
  expect(refused.status()).toBe(400);
});

test("who may replay: the robot's owner and operators; another owner sees nothing; anonymous is refused", async ({
  baseURL,
}) => {
  const paths = [
    base(OWNED),
    `${base(OWNED)}/steps?from=0&to=5`,
    `${base(OWNED)}/series?field=reward`,
    `${base(OWNED)}/frames?step=3`,
    `${base(OWNED)}/frames/pack?from=0&to=5`,
  ];
  const anonymous = await playwrightRequest.newContext({ baseURL });
  for (const path of paths) {
    expect((await owner.api.get(path, { maxRedirects: 0 })).status(), path).toBeLessThan(400);
    expect((await admin.get(path, { maxRedirects: 0 })).status(), path).toBeLessThan(400);
    const hidden = await other.api.get(path);
    expect(hidden.status(), path).toBe(404);
    expect((await errorOf(hidden)).reason).toBe("episode_not_found");
    const signedOut = await anonymous.get(path);
    expect(signedOut.status(), path).toBe(401);
  }
  expect((await other.api.get(base(SIM))).status()).toBe(404);
  const missing = await admin.get(base(`replay_missing_${tag}`));
  expect(missing.status()).toBe(404);
  await anonymous.dispose();
});
