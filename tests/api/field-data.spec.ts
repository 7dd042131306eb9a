/**
 * Field data as the field writes it, through the signed robot API: the robot runtime's package
 * (`<id>.tar.gz` with `.npy` frames) is ingested and its frames replayed; a mock camera's all-zero
 * frames are not taken for a decompression bomb, while a real bomb still is.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { PNG } from "pngjs";
import { buildTar, npyFile } from "../../lib/rlds/__fixtures__/archives";
import { renderNpyFrame } from "../../lib/rlds/frames/npy-frame";
import { adminApi } from "../support/users";
import { episodeDetail, episodeRobot, uploadAndIngest } from "./episodes-support";

const FIXTURE = path.join(process.cwd(), "tests/fixtures/upstream/robot-package");
const PACKAGE = fs.readFileSync(path.join(FIXTURE, "arm_episode.tar.gz"));

let admin: APIRequestContext;
let base: string;
test.beforeAll(async ({ baseURL }) => {
  base = baseURL as string;
  admin = await adminApi(base);
});
test.afterAll(async () => {
  await admin.dispose();
});

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const frames = (id: string, query: string) => admin.get(`/api/console/episodes/${id}/replay/frames?${query}`);
/** The frame route's own answer, not followed (in cloud mode a 302 to Cloud Storage, which names no frame). */
const frameHeaders = async (id: string, query: string) =>
  (await admin.get(`/api/console/episodes/${id}/replay/frames?${query}`, { maxRedirects: 0 })).headers();

/** The field recorder's package layout with all-zero 640×480 frames, as a mock camera writes it. */
async function mockHardwarePackage(episodeId: string, extra: { name: string; body: Buffer }[] = []) {
  const steps = Array.from({ length: 12 }, (_, i) => ({
    step_index: i,
    timestamp_ns: 1_796_664_655_874_390_308 + i * 50_000_000,
    observation: {
      video_frame_id: `frame_${1_796_664_655_874_636_902 + i * 50_000_000}`,
      depth_frame_id: `frame_${1_796_664_655_874_636_902 + i * 50_000_000}`,
      rgb_shape: [480, 640, 3],
      depth_shape: [480, 640],
      robot_state: { joint_positions: [0, 0, 0, 0, 0, i / 10] },
    },
    action: { command: [0, 0, 0, 0, 0, i / 10], source: "human_teleop_xr" },
    is_terminal: i === 11,
    reward: 0,
    step_metadata: {},
  }));
  const episode = {
    metadata: {
      episode_id: episodeId,
      robot_type: "mock-arm",
      xr_mode: "trainer",
      control_role: "human_teleop",
      environment_id: "bench",
      tags: ["mock"],
      software: {},
      total_steps: 12,
    },
    steps,
  };
  const files: Record<string, Buffer> = { "episode.json": Buffer.from(JSON.stringify(episode, null, 2)) };
  const rgb = npyFile("|u1", [480, 640, 3]);
  const depth = npyFile("<u2", [480, 640]);
  for (let i = 0; i < 12; i++) {
    const n = String(i).padStart(4, "0");
    files[`step_${n}_rgb.npy`] = rgb;
    files[`step_${n}_depth.npy`] = depth;
  }
  for (const file of extra) files[file.name] = file.body;
  const manifest = {
    episode_id: episodeId,
    total_steps: 12,
    robot_type: "mock-arm",
    xr_mode: "trainer",
    action_source: "human_teleop_xr",
    created_timestamp_ns: 1_796_664_655_874_286_778,
    file_checksums: Object.fromEntries(Object.entries(files).map(([name, body]) => [name, sha256(body)])),
    metadata_checksum: sha256(files["episode.json"]!),
    total_size_bytes: Object.values(files).reduce((sum, body) => sum + body.length, 0),
    version: "1.0.0",
  };
  return buildTar([
    ...Object.entries(files).map(([name, body]) => ({ name: `${episodeId}/${name}`, body })),
    { name: `${episodeId}/upload_manifest.json`, body: JSON.stringify(manifest, null, 2) },
  ]);
}

test("the field recorder's package: ingested, every object listed, its .npy frames replayed as PNG by step and by id", async () => {
  const robot = await episodeRobot(admin, base);
  const episodeId = `arm_random_frames_${robot.deviceId}`;
  const answer = await uploadAndIngest(robot, episodeId, PACKAGE, "tar.gz");
  expect(answer).toMatchObject({ status: "validated", variant: "robot_package", format: "tar.gz" });
  expect(answer.stats?.step_count).toBe(12);
  expect(answer.warnings.map((issue) => issue.code)).not.toContain("no_timestamps");

  const detail = await episodeDetail(admin, episodeId);
  expect(detail.episode.metadata.robot_model).toBe("SO-ARM101");
  const listed = detail.files.map((file) => file.path);
  for (let i = 0; i < 12; i++) {
    const n = String(i).padStart(4, "0");
    for (const kind of ["rgb", "depth"]) {
      expect(listed).toContain(`blobs/step_${n}_${kind}.npy`);
      expect(listed).toContain(`blobs/step_${n}_${kind}.png`);
    }
  }
  // The raw frame downloads byte for byte.
  const raw = detail.files.find((file) => file.path === "blobs/step_0003_rgb.npy")!;
  const rawBytes = Buffer.from(await (await fetch(raw.download_url!)).arrayBuffer());
  expect(rawBytes.equals(fs.readFileSync(path.join(FIXTURE, "step_0003_rgb.npy")))).toBe(true);

  const summary = await (await admin.get(`/api/console/episodes/${episodeId}/replay`)).json();
  expect(summary.frame_streams).toEqual([
    { field: "observation.video_frame_id", kind: "video", steps: 12, included: true },
    { field: "observation.depth_frame_id", kind: "depth", steps: 12, included: true },
  ]);

  for (const [stream, file] of [
    ["video", "step_0003_rgb.npy"],
    ["observation.video_frame_id", "step_0003_rgb.npy"],
    ["depth", "step_0003_depth.npy"],
  ] as const) {
    const response = await frames(episodeId, `stream=${stream}&step=3`);
    expect(response.status(), await response.text()).toBe(200);
    expect(response.headers()["content-type"]).toBe("image/png");
    expect((await frameHeaders(episodeId, `stream=${stream}&step=3`))["x-frame-step"]).toBe("3");
    const expected = await renderNpyFrame(fs.readFileSync(path.join(FIXTURE, file)));
    if (!expected.ok) throw new Error(expected.why);
    const body = await response.body();
    expect(body.equals(expected.png)).toBe(true);
    const image = PNG.sync.read(body);
    expect([image.width, image.height]).toEqual([128, 96]);
  }
  const frameId = (await frameHeaders(episodeId, "stream=video&step=3"))["x-frame-id"]!;
  expect(frameId).toMatch(/^frame_\d+$/);
  const byId = await frames(episodeId, `stream=video&id=${frameId}`);
  expect(byId.status()).toBe(200);
  expect((await byId.body()).equals(await (await frames(episodeId, "stream=video&step=3")).body())).toBe(true);

  const pack = await admin.get(`/api/console/episodes/${episodeId}/replay/frames/pack?stream=depth&from=0&to=12`);
  expect(pack.status()).toBe(200);
  const packBytes = await pack.body();
  const header = JSON.parse(packBytes.toString("utf8", 4, 4 + packBytes.readUInt32LE(0)));
  expect(header.stream).toBe("observation.depth_frame_id");
  expect(header.frames).toHaveLength(12);
  expect(header.frames.every((frame: { content_type: string }) => frame.content_type === "image/png")).toBe(true);

  const noAudio = await frames(episodeId, "stream=audio&step=0");
  expect(noAudio.status()).toBe(404);
  expect((await noAudio.json()).error).toMatchObject({
    code: "not_found",
    reason: "frame_stream_not_found",
    message: `Episode ${episodeId} has no frames in "audio" (streams: observation.video_frame_id (video), observation.depth_frame_id (depth)).`,
  });
});

test("a mock camera's all-zero 640×480 frames (500:1) ingest and replay; the same package with a bomb is refused", async () => {
  const robot = await episodeRobot(admin, base);
  const episodeId = `mock_${robot.deviceId}`;
  const bytes = await mockHardwarePackage(episodeId);
  const inflated = 12 * (921_728 + 614_528);
  expect(inflated / bytes.length).toBeGreaterThan(200);
  const answer = await uploadAndIngest(robot, episodeId, bytes, "tar.gz");
  expect(answer.errors).toEqual([]);
  expect(answer).toMatchObject({ status: "validated", variant: "robot_package" });
  const frame = await frames(episodeId, "stream=video&step=11");
  expect(frame.status()).toBe(200);
  const image = PNG.sync.read(await frame.body());
  expect([image.width, image.height]).toEqual([640, 480]);
  expect(image.data.every((value, i) => (i % 4 === 3 ? value === 255 : value === 0))).toBe(true);

  // An .npy whose header declares a 4×4 frame but holds 48 MiB of zeros is a bomb.
  const bombId = `mock_bomb_${robot.deviceId}`;
  const bomb = Buffer.concat([npyFile("|u1", [4, 4, 3]), Buffer.alloc(48 * 1024 * 1024)]);
  const bombBytes = await mockHardwarePackage(bombId, [{ name: "step_0012_rgb.npy", body: bomb }]);
  expect(bombBytes.length).toBeLessThan(200 * 1024);
  const refused = await uploadAndIngest(robot, bombId, bombBytes, "tar.gz");
  expect(refused.status).toBe("rejected");
  expect(refused.errors).toHaveLength(1);
  expect(refused.errors[0]).toMatchObject({ code: "compression_ratio_exceeded" });
  expect(refused.errors[0]!.message).toMatch(
    /^Archive refused: it inflates \d+:1, above the 200:1 limit \(decompression bomb\)\.$/,
  );
  const detail = await episodeDetail(admin, bombId);
  expect(detail.episode.status).toBe("rejected");
  expect(detail.storage.validated_objects).toBe(0);
  expect(detail.files).toEqual([]);
});

test("TFRecord episodes, plain and gzip-compressed, through the signed robot API: validated and replayed", async () => {
  const robot = await episodeRobot(admin, base);
  const upstream = (...parts: string[]) =>
    fs.readFileSync(path.join(process.cwd(), "tests/fixtures/upstream", ...parts));

  const plainId = `tfrecord_plain_${robot.deviceId}`;
  const plain = await uploadAndIngest(robot, plainId, upstream("tfrecord", "studio_mock_editor.tfrecord"), "tfrecord");
  expect(plain).toMatchObject({ status: "validated", variant: "tfrecord", format: "tfrecord" });
  expect(plain.stats?.step_count).toBe(3);
  const steps = await admin.get(`/api/console/episodes/${plainId}/replay/steps?from=0&to=3`);
  expect(steps.status()).toBe(200);
  const window = (await steps.json()) as { steps: { index: number; json: string }[] };
  expect(window.steps.map((step) => step.index)).toEqual([0, 1, 2]);
  const first = JSON.parse(window.steps[0]!.json);
  expect(first).toMatchObject({ step_index: 0, is_first: true, is_last: false });
  expect(first.step_metadata.language_instruction).toBe("Mock Studio episode");

  // The field's training datasets: gzip-framed, step_metadata as plain text.
  const gzipId = `tfrecord_gzip_${robot.deviceId}`;
  const gzipped = await uploadAndIngest(robot, gzipId, upstream("tfrecord-gzip", "wiki_data_0.tfrecord"), "tfrecord");
  expect(gzipped).toMatchObject({ status: "validated", variant: "tfrecord", format: "tfrecord" });
  const detail = await episodeDetail(admin, gzipId);
  expect(detail.episode.metadata.episode_id).toBe("0");
  const gzipSteps = (await (await admin.get(`/api/console/episodes/${gzipId}/replay/steps?from=0&to=1`)).json()) as {
    steps: { json: string }[];
  };
  expect(JSON.parse(gzipSteps.steps[0]!.json).step_metadata).toEqual({ text: "April" });

  // A whole dataset (50 one-step episodes) is not one episode: refused with the reason, nothing validated.
  const datasetId = `tfrecord_dataset_${robot.deviceId}`;
  const dataset = await uploadAndIngest(robot, datasetId, upstream("tfrecord-gzip", "wiki_data.tfrecord"), "tfrecord");
  expect(dataset.status).toBe("rejected");
  expect(dataset.errors.map((issue) => issue.code)).toEqual(["ambiguous_layout"]);
  expect((await episodeDetail(admin, datasetId)).storage.validated_objects).toBe(0);
});
