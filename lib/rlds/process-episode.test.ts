import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { Writable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import {
  buildTar,
  buildZip,
  jsonl,
  METADATA,
  npyFile,
  step,
  streamOf,
  upstreamDirectory,
  upstreamFile,
  type TarSpec,
} from "@/lib/rlds/__fixtures__/archives";
import { generateEpisodeJson, generateEpisodeMetadata, generateEpisodeSteps } from "@/lib/rlds/generate-episode";
import type { EpisodeLimits } from "@/lib/rlds/limits";
import { processEpisode } from "@/lib/rlds/process-episode";
import {
  readReplayManifest,
  readStepWindow,
  readTimestamps,
  type EpisodeFileReader,
} from "@/lib/rlds/replay-index/read-replay-index";
import type { DeclaredMetadata, EpisodeFormat, EpisodeVerdict } from "@/lib/rlds/schemas";
import { createMemorySink } from "@/lib/rlds/sink/episode-sink";
import { PNG } from "pngjs";

// Tests reach into arbitrary episode JSON; a loose type keeps them readable.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), "rlds-process-"));
afterAll(() => fs.rmSync(tempDir, { recursive: true, force: true }));

interface RunOptions {
  format?: EpisodeFormat;
  declared?: DeclaredMetadata;
  limits?: Partial<EpisodeLimits>;
  expectedChecksum?: string;
  chunk?: number;
}

async function run(bytes: Buffer | string, options: RunOptions = {}) {
  const sink = createMemorySink();
  const verdict = await processEpisode({
    source: streamOf(bytes, options.chunk ?? 7_919),
    format: options.format ?? "auto",
    declared: options.declared,
    limits: options.limits,
    expectedChecksum: options.expectedChecksum,
    output: sink,
    tempDir,
  });
  const reader: EpisodeFileReader = {
    async read(file, start, end) {
      return sink.files.get(file)!.subarray(start, end);
    },
    async readAll(file) {
      return sink.files.get(file)!;
    },
  };
  const lines = () => sink.text("steps.jsonl").trimEnd().split("\n");
  const steps = () => lines().map((line) => JSON.parse(line) as Loose);
  return { verdict, sink, reader, lines, steps };
}

const codes = (verdict: EpisodeVerdict, kind: "errors" | "warnings" = "errors") => verdict[kind].map((i) => i.code);

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

function episodeTar(steps: string, options: { metadata?: unknown; extra?: TarSpec[]; root?: string } = {}) {
  const prefix = options.root ? `${options.root}/` : "";
  const entries: TarSpec[] = [];
  if (options.metadata !== null) {
    entries.push({ name: `${prefix}metadata.json`, body: JSON.stringify(options.metadata ?? METADATA) });
  }
  entries.push({ name: `${prefix}steps/000000.jsonl`, body: steps });
  entries.push(...(options.extra ?? []));
  return buildTar(entries);
}

const goodSteps = (n: number, extra: (i: number) => Record<string, unknown> = () => ({})) =>
  jsonl(Array.from({ length: n }, (_, i) => step(i, { ...(i === n - 1 ? { is_terminal: true } : {}), ...extra(i) })));

describe("field samples (tests/fixtures/upstream/episodes)", () => {
  it("studio_mock_editor.json: single-JSON episode, validated, numbers kept exactly", async () => {
    const bytes = fs.readFileSync(upstreamFile("episodes/studio_mock_editor.json"));
    const { verdict, sink, lines, steps, reader } = await run(bytes);
    expect(verdict).toMatchObject({
      status: "validated",
      variant: "single_json",
      format: "json",
      schema_version: "1.0",
      checksum: `sha256:${sha256(bytes)}`,
      size_bytes: bytes.length,
      errors: [],
      training_eligible: false,
      stats: { step_count: 3, duration_ms: 100, action_dim: 6, reward_sum: 0 },
    });
    expect(verdict.stats.observation_keys).toEqual([
      "audio",
      "depth_frame_id",
      "diagnostics",
      "gaze",
      "glove",
      "headset_pose",
      "left_hand_pose",
      "right_hand_pose",
      "robot_state",
      "ui_context",
      "video_frame_id",
    ]);
    expect(codes(verdict, "warnings")).toEqual(["missing_metadata", "missing_metadata", "short_episode"]);
    expect(verdict.warnings.map((w) => w.field)).toEqual([
      "metadata.robot_model",
      "metadata.start_time_unix_ms",
      undefined,
    ]);
    expect(verdict.quality.flags).toEqual(["short", "incomplete_metadata"]);

    const source = JSON.parse(bytes.toString("utf8"));
    expect(JSON.parse(sink.text("metadata.json"))).toEqual(source.metadata);
    const canonical = steps();
    expect(canonical.map((s) => [s.is_first, s.is_last, s.is_terminal, s.reward])).toEqual([
      [true, false, false, 0],
      [false, false, false, 0],
      [false, true, true, 0],
    ]);
    for (let i = 0; i < 3; i++) {
      expect(canonical[i]!.observation).toEqual(source.steps[i].observation);
      expect(canonical[i]!.action).toEqual(source.steps[i].action);
      expect(canonical[i]!.step_metadata).toEqual(source.steps[i].step_metadata);
    }
    // The canonical line is the source text: a 19-digit nanosecond clock and 0.0 survive as written.
    expect(lines()[0]).toContain('"timestamp_nanos":1764952865006200430');
    expect(lines()[0]).toContain('"position":[0.0,0.0,0.0]');
    expect(lines()[2]).toContain('"command":[0.0,0.30000000000000004,0.0,0.0,-0.30000000000000004,0.0]');

    const manifest = await readReplayManifest(reader);
    expect(manifest.step_count).toBe(3);
    expect(manifest.clock).toMatchObject({ source: "observation.robot_state.timestamp_nanos" });
    const clock = Array.from(await readTimestamps(reader, manifest, 0, 3));
    [1764952865006200.43, 1764952865056200.43, 1764952865106200.43].forEach((us, i) =>
      expect(Math.abs(clock[i]! - us)).toBeLessThan(1),
    );
    expect((await readStepWindow(reader, manifest, 1, 3)).map((s) => s.json)).toEqual(lines().slice(1));
    expect(manifest.fields.map((f) => f.path)).toContain("observation.robot_state.joint_positions[5]");
    expect(manifest.frames).toEqual([
      expect.objectContaining({ field: "observation.video_frame_id", steps: 3, included: false }),
      expect.objectContaining({ field: "observation.depth_frame_id", steps: 3, included: false }),
    ]);
  });

  it("pi5_follow_synthetic.json: validated; missing is_terminal/reward defaulted", async () => {
    const bytes = fs.readFileSync(upstreamFile("episodes/pi5_follow_synthetic.json"));
    const { verdict, steps } = await run(bytes, { format: "json" });
    expect(verdict).toMatchObject({
      status: "validated",
      variant: "single_json",
      stats: { step_count: 5, duration_ms: 400, action_dim: 2 },
    });
    expect(codes(verdict, "warnings")).toEqual(["missing_metadata", "missing_metadata", "short_episode"]);
    const canonical = steps();
    expect(canonical.map((s) => [s.is_first, s.is_last, s.is_terminal, s.reward])).toEqual([
      [true, false, false, 0],
      [false, false, false, 0],
      [false, false, false, 0],
      [false, false, false, 0],
      [false, true, false, 0],
    ]);
    expect(canonical[4]!.action).toEqual({ command: [0.03, 0.18], source: "human_teleop_xr" });
    expect(canonical[0]!.step_metadata).toEqual({ human_visible: "true", human_distance_m: "3.5" });
  });

  const autonomous = [
    "autonomous_learning_1765843752_25216cc2",
    "autonomous_learning_1765854529_a94a458e",
    "autonomous_learning_1765939335_7cada579",
  ];

  it.each(autonomous)("%s: directory in one top-level folder (tar.gz), validated", async (name) => {
    const files = upstreamDirectory(`episodes/${name}`);
    const bytes = await buildTar(files.map((f) => ({ name: `${name}/${f.name}`, body: f.body })));
    const { verdict, sink, steps } = await run(bytes);
    expect(verdict).toMatchObject({
      status: "validated",
      variant: "rlds_v1",
      format: "tar.gz",
      schema_version: "1.0",
      stats: { step_count: 1, duration_ms: 0, action_dim: 0, observation_keys: ["learning"], reward_sum: 0 },
      training_eligible: false,
    });
    expect(codes(verdict, "warnings")).toEqual(["missing_metadata", "short_episode"]);
    expect(verdict.warnings[0]!.field).toBe("metadata.robot_model");
    const source = JSON.parse(files.find((f) => f.name === "steps/000000.jsonl")!.body.toString("utf8"));
    const [canonical] = steps();
    expect(canonical).toEqual({ is_first: true, ...source, is_last: true });
    expect(JSON.parse(sink.text("metadata.json"))).toEqual(
      JSON.parse(files.find((f) => f.name === "metadata.json")!.body.toString("utf8")),
    );
  });

  it("an autonomous episode uploaded as a zip of its directory ingests the same", async () => {
    const files = upstreamDirectory(`episodes/${autonomous[0]}`);
    const zip = await buildZip(files.map((f) => ({ name: f.name, body: f.body })));
    const fromZip = await run(zip);
    const fromTar = await run(await buildTar(files.map((f) => ({ name: f.name, body: f.body }))));
    expect(fromZip.verdict).toMatchObject({ status: "validated", variant: "rlds_v1", format: "zip" });
    expect(fromZip.sink.text("steps.jsonl")).toBe(fromTar.sink.text("steps.jsonl"));
    expect(fromZip.verdict.stats).toEqual(fromTar.verdict.stats);
  });
});

describe("variants", () => {
  it("v2.0 unified schema: step_idx and timestamp_us kept, clock from timestamp_us, num_steps checked", async () => {
    const options = { steps: 120, variant: "rlds_v2" as const, hz: 20 };
    const chunks: Buffer[] = [];
    for await (const chunk of generateEpisodeSteps(options)) chunks.push(chunk);
    const bytes = await episodeTar(Buffer.concat(chunks).toString("utf8"), {
      metadata: generateEpisodeMetadata(options),
      root: "synthetic_1",
    });
    const { verdict, steps, reader } = await run(bytes);
    expect(verdict).toMatchObject({
      status: "validated",
      variant: "rlds_v2",
      schema_version: "2.0",
      stats: { step_count: 120, duration_ms: 5950, action_dim: 7 },
      training_eligible: true,
    });
    expect(verdict.warnings).toEqual([]);
    const canonical = steps();
    expect(canonical[0]).toMatchObject({
      is_first: true,
      step_idx: 0,
      is_truncated: false,
      info: { phase: "approach" },
    });
    expect(canonical[119]).toMatchObject({ is_last: true, is_terminal: true, step_idx: 119 });
    expect((await readReplayManifest(reader)).clock?.source).toBe("timestamp_us");
  });

  it("XR app (zip, camelCase keys): keys mapped to snake_case, metadata to v1.1 names", async () => {
    const xrStep = (i: number) => ({
      observation: {
        headsetPose: { position: [0, 1.6, 0], orientationQuat: [0, 0, 0, 1], valid: true },
        robotState: { timestampNanos: 1_000_000_000 + i * 33_000_000, jointPositions: [i * 0.01, 0.5] },
        videoFrameId: `frame_${i}`,
      },
      action: { command: [0.1 * i, 0.2], source: "human_teleop_xr" },
      isTerminal: i === 11,
      stepMetadata: { languageInstruction: "wave" },
    });
    const metadata = {
      "continuon.xr_mode": "trainer",
      controlRole: "human_teleop",
      environmentId: "living-room",
      tags: ["xr"],
      software: { xrAppVersion: "1.4.0", brainVersion: "0.9.1", gloveFirmwareVersion: "2.0" },
    };
    const zip = await buildZip([
      { name: "metadata.json", body: JSON.stringify(metadata) },
      { name: "steps/000000.jsonl", body: jsonl(Array.from({ length: 12 }, (_, i) => xrStep(i))) },
    ]);
    const { verdict, steps, sink } = await run(zip);
    expect(verdict).toMatchObject({ status: "validated", variant: "xr_app", format: "zip", stats: { step_count: 12 } });
    const canonical = steps();
    expect(canonical[3]).toEqual({
      is_first: false,
      reward: 0,
      observation: {
        headset_pose: { position: [0, 1.6, 0], orientation_quat: [0, 0, 0, 1], valid: true },
        robot_state: { timestamp_nanos: 1_099_000_000, joint_positions: [0.03, 0.5] },
        video_frame_id: "frame_3",
      },
      action: { command: [0.30000000000000004, 0.2], source: "human_teleop_xr" },
      is_terminal: false,
      step_metadata: { language_instruction: "wave" },
      is_last: false,
    });
    expect(canonical[11]).toMatchObject({ is_terminal: true, is_last: true });
    expect(JSON.parse(sink.text("metadata.json"))).toEqual({
      xr_mode: "trainer",
      control_role: "human_teleop",
      environment_id: "living-room",
      tags: ["xr"],
      software: { xr_app: "1.4.0", continuonbrain_os: "0.9.1", glove_firmware: "2.0" },
    });
  });

  const packageEpisode = {
    metadata: { ...METADATA, episode_id: "ep_42" },
    steps: Array.from({ length: 12 }, (_, i) => step(i, { is_terminal: i === 11 })),
  };
  const packageFiles = (episodeJson: string, npy: Buffer) => ({
    "ep_42/episode.json": Buffer.from(episodeJson),
    "ep_42/step_0000_rgb.npy": npy,
  });
  const manifestFor = (files: Record<string, Buffer>, override: Record<string, string> = {}) => ({
    episode_id: "ep_42",
    total_steps: 12,
    robot_type: "companion-v1",
    xr_mode: "trainer",
    action_source: "human_teleop_xr",
    created_timestamp_ns: 1765000000123456789,
    file_checksums: {
      ...Object.fromEntries(Object.entries(files).map(([name, body]) => [name.split("/")[1]!, sha256(body)])),
      ...override,
    },
    metadata_checksum: "00",
    total_size_bytes: 1,
    version: "1.0.0",
  });

  it("robot package: <id>/episode.json + upload_manifest.json, checksums verified, frames copied to blobs/", async () => {
    const files = packageFiles(JSON.stringify(packageEpisode, null, 2), Buffer.from("NUMPY-bytes"));
    const manifest = JSON.stringify(manifestFor(files)).replace("1765000000123456800", "1765000000123456789");
    const bytes = await buildTar([
      ...Object.entries(files).map(([name, body]) => ({ name, body })),
      { name: "upload_manifest.json", body: manifest },
    ]);
    const { verdict, sink, steps } = await run(bytes);
    expect(verdict).toMatchObject({ status: "validated", variant: "robot_package", stats: { step_count: 12 } });
    expect(verdict.blobs).toEqual({ count: 1, bytes: 11 });
    expect(sink.text("blobs/step_0000_rgb.npy")).toBe("NUMPY-bytes");
    expect(steps()).toHaveLength(12);
    // The manifest is kept with the metadata, its 19-digit timestamp intact.
    expect(sink.text("metadata.json")).toContain('"created_timestamp_ns":1765000000123456789');
    expect(JSON.parse(sink.text("metadata.json"))).toMatchObject({ episode_id: "ep_42", xr_mode: "trainer" });
  });

  it("the field recorder's package: npy frames rendered as PNG, frame ids matched by step, every object listed", async () => {
    const bytes = fs.readFileSync(path.join(process.cwd(), "tests/fixtures/upstream/robot-package/arm_episode.tar.gz"));
    const { verdict, sink, reader, steps } = await run(bytes);
    expect(verdict).toMatchObject({ status: "validated", variant: "robot_package", stats: { step_count: 12 } });
    expect(codes(verdict, "warnings")).not.toContain("frame_not_rendered");
    const manifest = await readReplayManifest(reader);
    expect(manifest.frames).toEqual(
      (["video", "depth"] as const).map((kind) => ({
        field: `observation.${kind}_frame_id`,
        kind,
        steps: 12,
        resolved: 12,
        unresolved: 0,
        included: true,
        pattern: null,
        ids_file: `index/frames-${kind}.tsv`,
      })),
    );
    const first = steps()[0].observation.video_frame_id as string;
    expect(first).toMatch(/^frame_\d+$/);
    const videoIds = sink.text("index/frames-video.tsv").trimEnd().split("\n");
    expect(videoIds).toHaveLength(12);
    expect(videoIds).toContain(`${first}\tblobs/step_0000_rgb.png`);
    expect(sink.text("index/frames-depth.tsv")).toContain(`${first}\tblobs/step_0000_depth.png`);
    const rgb = PNG.sync.read(sink.files.get("blobs/step_0000_rgb.png")!);
    expect([rgb.width, rgb.height]).toEqual([128, 96]);
    // The raw frames stay byte for byte; each one and its image is in the file list.
    expect(sink.files.get("blobs/step_0000_rgb.npy")!.length).toBe(36_992);
    const listed = verdict.files.map((file) => file.path);
    for (let i = 0; i < 12; i++) {
      const n = String(i).padStart(4, "0");
      for (const name of [`step_${n}_rgb.npy`, `step_${n}_rgb.png`, `step_${n}_depth.npy`, `step_${n}_depth.png`]) {
        expect(listed).toContain(`blobs/${name}`);
      }
    }
    expect(listed).toEqual(expect.arrayContaining(["steps.jsonl", "metadata.json", "index/manifest.json"]));
    expect(verdict.files.find((file) => file.path === "blobs/step_0000_rgb.png")?.content_type).toBe("image/png");
    expect(verdict.blobs.count).toBe(48);
  });

  it("frames that arrive before the steps are matched by step too", async () => {
    const ids = Array.from({ length: 3 }, (_, i) => `frame_${1000 + i}`);
    const episode = {
      metadata: { ...METADATA, episode_id: "ep_42" },
      steps: ids.map((id, i) => ({ ...step(i, { is_terminal: i === 2 }), observation: { video_frame_id: id } })),
    };
    const rgb = npyFile("|u1", [2, 2, 3]);
    const bytes = await buildTar([
      ...ids.map((_, i) => ({ name: `ep_42/step_000${i}_rgb.npy`, body: rgb })),
      { name: "ep_42/episode.json", body: JSON.stringify(episode) },
    ]);
    const { verdict, sink } = await run(bytes);
    expect(verdict.status).toBe("validated");
    expect(sink.text("index/frames-video.tsv")).toBe(
      ids.map((id, i) => `${id}\tblobs/step_000${i}_rgb.png\n`).join(""),
    );
  });

  it("a package frame that cannot be shown is kept with a warning (not missing)", async () => {
    const episode = {
      metadata: { ...METADATA, episode_id: "ep_42" },
      steps: [0, 1, 2].map((i) => ({
        ...step(i, { is_terminal: i === 2 }),
        observation: { video_frame_id: `frame_${i}`, robot_state: { timestamp_nanos: 1e9 + i * 1e8 } },
      })),
    };
    const bytes = await buildTar([
      { name: "ep_42/episode.json", body: JSON.stringify(episode) },
      { name: "ep_42/step_0000_rgb.npy", body: npyFile("<f4", [2, 2, 3]) },
      { name: "ep_42/step_0001_rgb.npy", body: npyFile("|u1", [2, 2, 3]) },
      { name: "ep_42/step_0002_rgb.npy", body: npyFile("|u1", [2, 2, 3]) },
    ]);
    const { verdict, sink } = await run(bytes);
    expect(verdict.status).toBe("validated");
    expect(verdict.warnings.find((issue) => issue.code === "frame_not_rendered")).toEqual({
      code: "frame_not_rendered",
      message:
        '"blobs/step_0000_rgb.npy" is kept but has no image in the replay: a <f4 array with 3 channels is not an image.',
      file: "blobs/step_0000_rgb.npy",
    });
    expect(sink.files.has("blobs/step_0000_rgb.png")).toBe(false);
    expect(sink.text("index/frames-video.tsv")).toBe(
      "frame_1\tblobs/step_0001_rgb.png\nframe_2\tblobs/step_0002_rgb.png\n",
    );
    expect(sink.files.get("blobs/step_0000_rgb.npy")!.length).toBe(128 + 48);
  });

  describe("TFRecord episodes", () => {
    const upstream = (...parts: string[]) =>
      fs.readFileSync(path.join(process.cwd(), "tests/fixtures/upstream", ...parts));

    it.each([
      ["plain", (bytes: Buffer) => bytes, "tfrecord"],
      ["gzip-compressed", (bytes: Buffer) => zlib.gzipSync(bytes), "tfrecord.gz"],
    ] as const)(
      "the runtime converter's file, %s, is a tfrecord episode with its steps kept exactly",
      async (_name, wrap, format) => {
        const { verdict, steps, sink } = await run(wrap(upstream("tfrecord", "studio_mock_editor.tfrecord")));
        expect(verdict).toMatchObject({ status: "validated", variant: "tfrecord", format, stats: { step_count: 3 } });
        const canonical = steps();
        expect(canonical.map((s: Loose) => [s.step_index, s.is_first, s.is_last])).toEqual([
          [0, true, false],
          [1, false, false],
          [2, false, true],
        ]);
        expect(canonical[0].step_metadata.language_instruction).toBe("Mock Studio episode");
        expect(canonical[0].observation_command).toBeUndefined();
        expect(JSON.parse(sink.text("metadata.json"))).toEqual({ episode_id: "studio_mock_editor" });
      },
    );

    it("a training dataset's gzip record with plain-text step_metadata keeps the text", async () => {
      const { verdict, steps } = await run(upstream("tfrecord-gzip", "wiki_data_0.tfrecord"));
      expect(verdict).toMatchObject({ status: "validated", variant: "tfrecord", format: "tfrecord.gz" });
      expect(steps()[0].step_metadata).toEqual({ text: "April" });
      expect(codes(verdict, "warnings")).not.toContain("step_metadata_not_strings");
    });

    it.each([
      [
        "a file of several episodes",
        () => upstream("tfrecord-gzip", "wiki_data.tfrecord"),
        "ambiguous_layout",
        'the TFRecord file holds steps of more than one episode ("0", then "1" at record 1); upload one episode per file.',
      ],
      [
        "a flipped byte",
        () => {
          const bytes = Buffer.from(upstream("tfrecord", "studio_mock_editor.tfrecord"));
          bytes[40] = bytes[40]! ^ 0xff;
          return bytes;
        },
        "corrupt_archive",
        "Archive refused: The TFRecord file is damaged: record 0 has a bad data checksum.",
      ],
      [
        "a truncated gzip",
        () => {
          const bytes = zlib.gzipSync(upstream("tfrecord", "studio_mock_editor.tfrecord"));
          return bytes.subarray(0, bytes.length - 40);
        },
        "truncated_archive",
        null,
      ],
    ])("refuses %s", async (_name, build, code, message) => {
      const { verdict } = await run(build());
      expect(verdict.status).toBe("rejected");
      expect(codes(verdict)).toEqual([code]);
      if (message !== null) expect(verdict.errors[0]!.message).toBe(message);
    });
  });

  it("legacy timestamp_micros is the step clock (no no_timestamps warning)", async () => {
    const steps = Array.from({ length: 12 }, (_, i) => ({
      observation: { joints: [i, i / 2] },
      action: { command: [i / 3] },
      timestamp_micros: 1_765_000_000_000_000 + i * 50_000,
    }));
    const { verdict, reader } = await run(await episodeTar(jsonl(steps)));
    expect(verdict.status).toBe("validated");
    expect(codes(verdict, "warnings")).not.toContain("no_timestamps");
    expect(verdict.quality.flags).not.toContain("no_timestamps");
    expect(verdict.stats.duration_ms).toBe(550);
    expect((await readReplayManifest(reader)).clock).toEqual({
      source: "timestamp_micros",
      first_us: 1_765_000_000_000_000,
      last_us: 1_765_000_000_550_000,
    });
  });

  it("robot_type is the robot_model when the metadata has none", async () => {
    const bytes = fs.readFileSync(path.join(process.cwd(), "tests/fixtures/upstream/robot-package/arm_episode.tar.gz"));
    const { verdict, sink } = await run(bytes);
    expect(verdict.metadata).toMatchObject({ robot_type: "SO-ARM101", robot_model: "SO-ARM101" });
    expect(JSON.parse(sink.text("metadata.json")).robot_model).toBe("SO-ARM101");
    expect(verdict.warnings.map((issue) => issue.field)).not.toContain("metadata.robot_model");
    // A robot_model of its own wins.
    const own = { metadata: { ...METADATA, robot_type: "other" }, steps: [0, 1, 2].map((i) => step(i)) };
    expect((await run(JSON.stringify(own))).verdict.metadata.robot_model).toBe("companion-v1");
  });

  it("X-Continuon-Tag-* headers fill the metadata checks they carry", async () => {
    const { xr_mode: _x, control_role: _c, environment_id: _e, tags: _t, ...rest } = METADATA;
    const bytes = await episodeTar(jsonl([0, 1, 2].map((i) => step(i))), { metadata: rest });
    const without = await run(bytes);
    expect(without.verdict.warnings.map((issue) => issue.field)).toEqual(
      expect.arrayContaining(["metadata.xr_mode", "metadata.control_role", "metadata.environment_id", "metadata.tags"]),
    );
    const sink = createMemorySink();
    const verdict = await processEpisode({
      source: streamOf(bytes),
      format: "auto",
      output: sink,
      tempDir,
      headerTags: { xr_mode: "trainer", control_role: "human_teleop", environment_id: "lab", list: "pick, place" },
    });
    expect(verdict.warnings.filter((issue) => issue.code === "missing_metadata")).toEqual([]);
    expect(verdict.quality.flags).not.toContain("incomplete_metadata");
    expect(JSON.parse(sink.text("metadata.json"))).toMatchObject({
      xr_mode: "trainer",
      control_role: "human_teleop",
      environment_id: "lab",
      tags: ["pick", "place"],
    });
  });

  it.each([
    ["a file that differs from its checksum", { "step_0000_rgb.npy": "0".repeat(64) }, "checksum_mismatch"],
    ["a listed file that is absent", { "step_0001_rgb.npy": "0".repeat(64) }, "manifest_file_missing"],
  ])("robot package with %s is rejected", async (_name, override, code) => {
    const files = packageFiles(JSON.stringify(packageEpisode), Buffer.from("NUMPY"));
    const bytes = await buildTar([
      ...Object.entries(files).map(([name, body]) => ({ name, body })),
      { name: "upload_manifest.json", body: JSON.stringify(manifestFor(files, override)) },
    ]);
    const { verdict } = await run(bytes);
    expect(verdict.status).toBe("rejected");
    expect(codes(verdict)).toEqual([code]);
    expect(verdict.errors[0]!.field).toBe(`upload_manifest.file_checksums.${Object.keys(override)[0]}`);
  });

  it("Flutter record: {metadata, steps, assets[]} is a flutter_record, its extras kept in metadata", async () => {
    const record = {
      metadata: METADATA,
      task_classification: { task: "pick" },
      source_context: { app: "flutter", version: "2.1.0" },
      assets: [
        {
          local_uri: "file:///x/0.jpg",
          sensor: "camera",
          frame_id: "frame_0",
          captured_at_ms: 1765000000000,
          remote_uri: "gs://b/0.jpg",
          mime_type: "image/jpeg",
          status: "uploaded",
        },
      ],
      steps: Array.from({ length: 10 }, (_, i) => step(i)),
    };
    const { verdict, sink } = await run(JSON.stringify(record, null, 2));
    expect(verdict).toMatchObject({ status: "validated", variant: "flutter_record", stats: { step_count: 10 } });
    expect(JSON.parse(sink.text("metadata.json"))).toEqual({
      ...METADATA,
      task_classification: record.task_classification,
      source_context: record.source_context,
      assets: record.assets,
    });
  });

  it("several step files, arriving out of order, are concatenated in order", async () => {
    const all = Array.from({ length: 30 }, (_, i) => step(i, { is_terminal: i === 29 }));
    const bytes = await buildTar([
      { name: "ep/steps/000002.jsonl", body: jsonl(all.slice(20)) },
      { name: "ep/metadata.json", body: JSON.stringify(METADATA) },
      { name: "ep/steps/000000.jsonl", body: jsonl(all.slice(0, 10)) },
      { name: "ep/steps/000001.jsonl", body: jsonl(all.slice(10, 20)) },
    ]);
    const { verdict, steps, reader } = await run(bytes);
    expect(verdict).toMatchObject({ status: "validated", stats: { step_count: 30 } });
    const canonical = steps();
    expect(canonical.map((s) => s.observation.robot_state.timestamp_nanos)).toEqual(
      all.map((s) => (s.observation as Loose).robot_state.timestamp_nanos),
    );
    expect(canonical.filter((s) => s.is_first).length).toBe(1);
    expect(canonical[29]!.is_last).toBe(true);
    const manifest = await readReplayManifest(reader);
    const window = await readStepWindow(reader, manifest, 9, 12);
    expect(window.map((s) => JSON.parse(s.json).observation.robot_state.timestamp_nanos)).toEqual([
      1_900_000_000, 2_000_000_000, 2_100_000_000,
    ]);
  });

  it("a generated episode with camera frames: blobs copied, frame ids resolved, declared counts match", async () => {
    const options = {
      steps: 300,
      frames: { every: 10, render: (f: { frameId: string }) => Buffer.from(`PNG:${f.frameId}`) },
    };
    const chunks: Buffer[] = [];
    for await (const chunk of generateEpisodeSteps(options)) chunks.push(chunk);
    const frames = Array.from({ length: 30 }, (_, k) => ({
      name: `blobs/rgb/frame_${String(k * 10).padStart(6, "0")}.png`,
      body: `PNG:frame_${String(k * 10).padStart(6, "0")}`,
    }));
    // Frames after the steps, as a tar tool may order them: references are resolved at the end.
    const bytes = await episodeTar(Buffer.concat(chunks).toString("utf8"), {
      metadata: generateEpisodeMetadata(options),
      extra: frames,
    });
    const { verdict, reader, sink } = await run(bytes, { declared: { step_count: 300, duration_ms: 9967 } });
    expect(verdict).toMatchObject({ status: "validated", blobs: { count: 30 }, training_eligible: true });
    expect(verdict.warnings).toEqual([]);
    expect(sink.text("blobs/rgb/frame_000290.png")).toBe("PNG:frame_000290");
    const manifest = await readReplayManifest(reader);
    expect(manifest.frames).toEqual([
      {
        field: "observation.video_frame_id",
        kind: "video",
        steps: 30,
        resolved: 30,
        unresolved: 0,
        included: true,
        pattern: "blobs/rgb/{id}.png",
        ids_file: null,
      },
    ]);
    expect(sink.text("index/blobs.tsv").split("\n")[0]).toBe("blobs/rgb/frame_000000.png\t16");
  });

  it("a streamed single-JSON episode of 2 000 steps, fed in 1-byte-odd chunks", async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of generateEpisodeJson({ steps: 2000 })) chunks.push(chunk);
    const { verdict, lines } = await run(Buffer.concat(chunks), { chunk: 4093 });
    expect(verdict).toMatchObject({ status: "validated", variant: "single_json", stats: { step_count: 2000 } });
    expect(lines()).toHaveLength(2000);
  });
});

describe("bad input: each case names the input and the exact issue", () => {
  const badStepCases: {
    name: string;
    steps: () => string;
    code: string;
    step?: number;
    line?: number;
    field?: string;
    declared?: DeclaredMetadata;
    limits?: Partial<EpisodeLimits>;
  }[] = [
    {
      name: "an invalid JSON line",
      steps: () => goodSteps(3).replace(/\n/, '\n{"observation": {oops}\n'),
      code: "invalid_json",
      line: 2,
    },
    {
      name: "a step without observation",
      steps: () => jsonl([step(0), { action: { command: [0, 0] } }, step(2)]),
      code: "missing_observation",
      step: 1,
      field: "observation",
    },
    {
      name: "a step without action",
      steps: () => jsonl([step(0), step(1), { observation: { robot_state: {} } }]),
      code: "missing_action",
      step: 2,
      field: "action",
    },
    {
      name: "two is_first steps",
      steps: () => jsonl([step(0, { is_first: true }), step(1, { is_first: true }), step(2)]),
      code: "multiple_is_first",
      step: 1,
      field: "is_first",
    },
    {
      name: "steps after a terminal step",
      steps: () => jsonl([step(0), step(1, { is_terminal: true }), step(2), step(3)]),
      code: "step_after_terminal",
      step: 2,
    },
    {
      name: "non-monotonic timestamps",
      steps: () => {
        const s = [step(0), step(1), step(2)];
        (s[2]!.observation as Loose).robot_state.timestamp_nanos = 1_050_000_000;
        return jsonl(s);
      },
      code: "non_monotonic_timestamp",
      step: 2,
      field: "observation.robot_state.timestamp_nanos",
    },
    {
      name: "an array changing length (inconsistent fields)",
      steps: () => {
        const s = [step(0), step(1), step(2)];
        (s[1]!.observation as Loose).robot_state.joint_positions = [1, 2, 3];
        return jsonl(s);
      },
      code: "inconsistent_fields",
      step: 1,
      field: "observation.robot_state.joint_positions",
    },
    {
      name: "a numeric field vanishing from a channel",
      steps: () => {
        const s = [step(0), step(1), step(2)];
        delete (s[2]!.observation as Loose).robot_state.joint_positions;
        return jsonl(s);
      },
      code: "inconsistent_fields",
      step: 2,
      field: "observation.robot_state.joint_positions",
    },
    {
      name: "a reward that is not a number",
      steps: () => jsonl([step(0), step(1, { reward: "high" })]),
      code: "invalid_field_type",
      step: 1,
      field: "reward",
    },
    {
      name: "an oversize line",
      steps: () => jsonl([step(0), step(1, { step_metadata: { note: "x".repeat(5000) } }), step(2)]),
      code: "line_too_long",
      line: 2,
      limits: { maxLineBytes: 4096 },
    },
    { name: "no steps at all", steps: () => "\n\n", code: "no_steps" },
    {
      name: "a step count far from the declared one",
      steps: () => goodSteps(20),
      code: "step_count_mismatch",
      declared: { step_count: 200 },
      field: "declared.step_count",
    },
    {
      name: "a duration far from the declared one",
      steps: () => goodSteps(20),
      code: "duration_mismatch",
      declared: { duration_ms: 60_000 },
      field: "declared.duration_ms",
    },
  ];

  it.each(badStepCases)("$name → $code", async ({ steps, code, step: at, line, field, declared, limits }) => {
    const { verdict } = await run(await episodeTar(steps()), { declared, limits });
    expect(verdict.status).toBe("rejected");
    expect(verdict.training_eligible).toBe(false);
    expect(codes(verdict)).toContain(code);
    const issue = verdict.errors.find((e) => e.code === code)!;
    if (at !== undefined) {
      expect(issue.step).toBe(at);
      expect(issue.message).toContain(`step ${at}`);
    }
    if (line !== undefined) {
      expect(issue.line).toBe(line);
      expect(issue.message).toContain(`steps/000000.jsonl line ${line}`);
    }
    if (field !== undefined) expect(issue.field).toBe(field);
  });

  it("a referenced blob that is missing → blob_missing naming step and field", async () => {
    const s = goodSteps(3, (i) => ({
      observation: { ...(step(i).observation as object), media: { rgb: { uri: `blobs/rgb/${i}.png` } } },
    }));
    const { verdict } = await run(
      await episodeTar(s, {
        extra: [
          { name: "blobs/rgb/0.png", body: "png" },
          { name: "blobs/rgb/2.png", body: "png" },
        ],
      }),
    );
    expect(codes(verdict)).toEqual(["blob_missing"]);
    expect(verdict.errors[0]).toMatchObject({ step: 1, field: "observation.media.rgb.uri" });
    expect(verdict.errors[0]!.message).toContain("blobs/rgb/1.png");
  });

  it("a referenced blob that is empty → blob_empty", async () => {
    const s = goodSteps(2, (i) => ({
      observation: { ...(step(i).observation as object), media: { rgb: { uri: `blobs/rgb/${i}.png` } } },
    }));
    const { verdict } = await run(
      await episodeTar(s, {
        extra: [
          { name: "blobs/rgb/0.png", body: "" },
          { name: "blobs/rgb/1.png", body: "png" },
        ],
      }),
    );
    expect(codes(verdict)).toEqual(["blob_empty"]);
    expect(verdict.errors[0]).toMatchObject({ step: 0, field: "observation.media.rgb.uri" });
  });

  it("a frame id whose file is missing while the other frames are there → blob_missing", async () => {
    const s = goodSteps(3, (i) => ({
      observation: { ...(step(i).observation as object), video_frame_id: `cam_${i}` },
    }));
    const { verdict } = await run(
      await episodeTar(s, {
        extra: [
          { name: "blobs/cam_0.jpg", body: "jpg" },
          { name: "blobs/cam_2.jpg", body: "jpg" },
        ],
      }),
    );
    expect(codes(verdict)).toEqual(["blob_missing"]);
    expect(verdict.errors[0]).toMatchObject({ step: 1, field: "observation.video_frame_id" });
  });

  const archiveCases: { name: string; build: () => Promise<Buffer>; code: string; limits?: Partial<EpisodeLimits> }[] =
    [
      {
        name: "a zip slip entry",
        build: () =>
          buildZip(
            [
              { name: "metadata.json", body: "{}" },
              { name: "xx/evil", body: "x" },
            ],
            { "xx/evil": "../evil" },
          ),
        code: "path_traversal",
      },
      {
        name: "a tar ../ entry",
        build: () => buildTar([{ name: "../../etc/cron.d/evil", body: "x" }]),
        code: "path_traversal",
      },
      { name: "an absolute path", build: () => buildTar([{ name: "/tmp/evil", body: "x" }]), code: "absolute_path" },
      {
        name: "a symlink entry",
        build: () => buildTar([{ name: "steps.jsonl", type: "symlink", linkname: "/etc/passwd" }]),
        code: "symlink_entry",
      },
      {
        name: "a hardlink entry",
        build: () =>
          buildTar([
            { name: "a", body: "x" },
            { name: "steps.jsonl", type: "link", linkname: "a" },
          ]),
        code: "hardlink_entry",
      },
      {
        name: "a decompression bomb",
        build: () => buildTar([{ name: "blobs/bomb.bin", zeros: 48 * 1024 * 1024 }]),
        code: "compression_ratio_exceeded",
        limits: { ratioGraceBytes: 4 * 1024 * 1024 },
      },
      {
        name: "a truncated gzip",
        build: async () => {
          const bytes = await episodeTar(goodSteps(50));
          return bytes.subarray(0, Math.floor(bytes.length * 0.6));
        },
        code: "truncated_archive",
      },
      {
        name: "an oversize upload",
        build: () => episodeTar(goodSteps(50)),
        code: "object_too_large",
        limits: { maxObjectBytes: 512 },
      },
      {
        name: "bytes of no known format",
        build: async () => Buffer.from("GIF89a not an episode"),
        code: "unsupported_format",
      },
      {
        name: "two step layouts",
        build: () =>
          buildTar([
            { name: "steps.jsonl", body: goodSteps(2) },
            { name: "steps/000000.jsonl", body: goodSteps(2) },
          ]),
        code: "ambiguous_layout",
      },
      {
        name: "two episode folders",
        build: () =>
          buildTar([
            { name: "a/steps.jsonl", body: goodSteps(2) },
            { name: "b/metadata.json", body: "{}" },
          ]),
        code: "ambiguous_layout",
      },
    ];

  it.each(archiveCases)("$name → $code", async ({ build, code, limits }) => {
    const bytes = await build();
    const { verdict } = await run(bytes, { limits });
    expect(verdict.status).toBe("rejected");
    expect(codes(verdict)).toEqual([code]);
    if (code === "object_too_large") expect(verdict.checksum).toBeNull();
    else expect(verdict.checksum).toBe(`sha256:${sha256(bytes)}`);
  });

  it("a wrong checksum → checksum_mismatch (bare hex and sha256: prefix both accepted)", async () => {
    const bytes = await episodeTar(goodSteps(12));
    const right = await run(bytes, { expectedChecksum: `sha256:${sha256(bytes)}` });
    expect(right.verdict.status).toBe("validated");
    expect((await run(bytes, { expectedChecksum: sha256(bytes).toUpperCase() })).verdict.status).toBe("validated");
    const wrong = await run(bytes, { expectedChecksum: "ab".repeat(32) });
    expect(codes(wrong.verdict)).toEqual(["checksum_mismatch"]);
    expect(wrong.verdict.errors[0]!.field).toBe("checksum");
  });

  it("a JSON document without a steps array → one no_steps", async () => {
    const { verdict } = await run(JSON.stringify({ metadata: METADATA, frames: [] }));
    expect(codes(verdict)).toEqual(["no_steps"]);
    expect(verdict.errors[0]!.field).toBe("steps");
  });

  it("a failing sink is not the episode's fault: processEpisode throws so the caller can retry", async () => {
    const failing = {
      open() {
        return new Writable({
          write(_chunk, _encoding, callback) {
            callback(new Error("disk full"));
          },
        });
      },
    };
    const bytes = await episodeTar(goodSteps(20_000));
    await expect(
      processEpisode({ source: streamOf(bytes), format: "tar.gz", output: failing, tempDir }),
    ).rejects.toThrow("disk full");
  });

  it("caps recorded issues but keeps counting", async () => {
    const s = jsonl(Array.from({ length: 50 }, (_, i) => (i === 0 ? step(0) : { action: {} })));
    const { verdict } = await run(await episodeTar(s), { limits: { maxIssues: 5 } });
    expect(verdict.errors).toHaveLength(5);
    expect(verdict.issue_counts.missing_observation).toBe(49);
    expect(verdict.issues_truncated).toBe(true);
  });
});

describe("warnings and quality", () => {
  it("clock skew between frames and robot state, gaps, step_idx gaps, ignored entries", async () => {
    const s = Array.from({ length: 40 }, (_, i) => {
      const base = step(i, { is_terminal: i === 39 });
      const t = 1_000_000_000 + i * 100_000_000 + (i >= 30 ? 2_000_000_000 : 0);
      (base.observation as Loose).robot_state.timestamp_nanos = t;
      (base.observation as Loose).media = {
        rgb: { uri: "cam://x", timestamp_ns: i === 5 ? t + 9_000_000 : t + 1_000_000 },
      };
      return base;
    });
    const { verdict } = await run(await episodeTar(jsonl(s), { extra: [{ name: "notes.txt", body: "hello" }] }));
    expect(verdict.status).toBe("validated");
    expect(codes(verdict, "warnings")).toEqual(["clock_skew", "ignored_entry", "timestamp_gap"]);
    expect(verdict.warnings[0]).toMatchObject({ step: 5, field: "observation.media.rgb.timestamp_ns" });
    expect(verdict.warnings[1]).toMatchObject({ file: "notes.txt" });
    expect(verdict.warnings[2]).toMatchObject({ step: 30 });
    expect(verdict.quality.flags).toEqual(["short", "gaps", "clock_skew"]);
    expect(verdict.quality.score).toBe(0.65);
  });

  it("frozen observations while actions change, and jerky actions, are flagged and not eligible", async () => {
    const s = Array.from({ length: 60 }, (_, i) => {
      const base = step(i, { is_terminal: i === 59 });
      (base.observation as Loose).robot_state.joint_positions = [0.5, 0.5];
      (base.action as Loose).command = [i % 2 === 0 ? 1 : -1, (i * 7919) % 13];
      return base;
    });
    const { verdict } = await run(await episodeTar(jsonl(s)));
    expect(verdict.status).toBe("validated");
    expect(verdict.quality.flags).toEqual(["frozen_signals", "action_jerk"]);
    expect(verdict.training_eligible).toBe(false);
  });

  it("a smooth, complete episode scores 1 and is eligible", async () => {
    const { verdict } = await run(await episodeTar(goodSteps(60)));
    expect(verdict).toMatchObject({ status: "validated", quality: { score: 1, flags: [] }, training_eligible: true });
  });
});
