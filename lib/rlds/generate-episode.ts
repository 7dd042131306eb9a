import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import zlib from "node:zlib";
import tar from "tar-stream";

/** A camera frame the caller renders (PNG or JPEG bytes) for a step that has one. */
export interface FrameRequest {
  step: number;
  frameId: string;
  width: number;
  height: number;
  /** Joint positions at this step, so a renderer can draw the arm. */
  jointPositions: readonly number[];
}

export interface GenerateEpisodeOptions {
  /** Number of steps. */
  steps: number;
  episodeId?: string;
  robotId?: string;
  robotModel?: string;
  /** Step rate (default 30 Hz). */
  hz?: number;
  /** Arm joints (default 7). */
  joints?: number;
  /** PRNG seed: the same options always give the same bytes (default 1). */
  seed?: number;
  /** Wall-clock start (default 2025-12-06T00:00:00Z; never the current time, so output is reproducible). */
  startTimeMs?: number;
  /** `rlds_v1` robotics envelope (default) or the `rlds_v2` unified schema. */
  variant?: "rlds_v1" | "rlds_v2";
  /**
   * Camera frames: every `every` steps (default 1) the step gets a `video_frame_id` and, when
   * `render` is given, a `media.rgb` block pointing at `blobs/rgb/<frame id>.<extension>`.
   */
  frames?: {
    every?: number;
    width?: number;
    height?: number;
    extension?: string;
    render?: (frame: FrameRequest) => Uint8Array | Promise<Uint8Array>;
  };
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;
const TS_PLACEHOLDER = '"__timestamp_nanos__"';

interface Resolved {
  steps: number;
  episodeId: string;
  robotId: string;
  robotModel: string;
  hz: number;
  joints: number;
  seed: number;
  startTimeMs: number;
  variant: "rlds_v1" | "rlds_v2";
  frameEvery: number;
  frameWidth: number;
  frameHeight: number;
  frameExtension: string;
  renderFrames: boolean;
  hasFrames: boolean;
}

function resolve(options: GenerateEpisodeOptions): Resolved {
  const seed = options.seed ?? 1;
  return {
    steps: options.steps,
    episodeId: options.episodeId ?? `synthetic_${seed}`,
    robotId: options.robotId ?? "14d4b680",
    robotModel: options.robotModel ?? "companion-v1",
    hz: options.hz ?? 30,
    joints: options.joints ?? 7,
    seed,
    startTimeMs: options.startTimeMs ?? Date.UTC(2025, 11, 6),
    variant: options.variant ?? "rlds_v1",
    frameEvery: Math.max(1, options.frames?.every ?? 1),
    frameWidth: options.frames?.width ?? 64,
    frameHeight: options.frames?.height ?? 48,
    frameExtension: options.frames?.extension ?? "png",
    renderFrames: options.frames?.render !== undefined,
    hasFrames: options.frames !== undefined,
  };
}

export function frameIdOf(step: number): string {
  return `frame_${String(step).padStart(6, "0")}`;
}

/** The episode's `metadata.json` (v1.1, or v2.0 for `variant: "rlds_v2"`). */
export function generateEpisodeMetadata(options: GenerateEpisodeOptions): Record<string, unknown> {
  const o = resolve(options);
  const durationMs = Math.round(((o.steps - 1) * 1000) / o.hz);
  if (o.variant === "rlds_v2") {
    return {
      schema_version: "2.0",
      episode_id: o.episodeId,
      source: "synthetic",
      domain: "manipulation",
      session_id: `session_${o.seed}`,
      robot_id: o.robotId,
      robot_model: o.robotModel,
      capabilities: ["arm", "camera"],
      num_steps: o.steps,
      start_time: new Date(o.startTimeMs).toISOString(),
      end_time: new Date(o.startTimeMs + durationMs).toISOString(),
      duration_s: durationMs / 1000,
      tags: ["synthetic", "reach"],
      extra: {},
    };
  }
  return {
    schema_version: "1.1",
    episode_id: o.episodeId,
    robot_id: o.robotId,
    robot_model: o.robotModel,
    xr_mode: "trainer",
    control_role: "human_teleop",
    environment_id: "sim-lab",
    tags: ["synthetic", "reach"],
    software: { xr_app: "generator", continuonbrain_os: "generator", glove_firmware: "absent" },
    start_time_unix_ms: o.startTimeMs,
    duration_ms: durationMs,
    capabilities: ["arm", "camera"],
  };
}

/** Joint trajectory: a sum of slow sines per joint, so positions, velocities and actions are smooth. */
function trajectory(o: Resolved) {
  const random = mulberry32(o.seed);
  const params = Array.from({ length: o.joints }, () => ({
    amplitude: 0.3 + random() * 0.9,
    frequency: 0.05 + random() * 0.25,
    phase: random() * Math.PI * 2,
    offset: (random() - 0.5) * 0.6,
  }));
  return (t: number) => {
    const positions: number[] = [];
    const velocities: number[] = [];
    for (const p of params) {
      const w = 2 * Math.PI * p.frequency;
      positions.push(round(p.offset + p.amplitude * Math.sin(w * t + p.phase)));
      velocities.push(round(p.amplitude * w * Math.cos(w * t + p.phase)));
    }
    return { positions, velocities };
  };
}

function stepLine(o: Resolved, i: number, at: ReturnType<typeof trajectory>): string {
  const dt = 1 / o.hz;
  const t = i * dt;
  const now = at(t);
  const next = at(t + dt);
  const reward = round(-Math.sqrt(now.positions.reduce((s, x) => s + x * x, 0)) / o.joints);
  const isLast = i === o.steps - 1;
  const hasFrame = o.hasFrames && i % o.frameEvery === 0;
  const frameId = frameIdOf(i);
  const tNanos = BigInt(o.startTimeMs) * 1_000_000n + BigInt(Math.round((i * 1e9) / o.hz));
  if (o.variant === "rlds_v2") {
    return JSON.stringify({
      step_idx: i,
      timestamp_us: Math.round(o.startTimeMs * 1000 + (i * 1e6) / o.hz),
      observation: {
        context: { task: "reach", frame: hasFrame ? frameId : null },
        robot_state: {
          joint_positions: now.positions,
          joint_velocities: now.velocities,
          gripper_position: round(0.5 + 0.5 * Math.sin(t)),
        },
      },
      action: {
        action_type: "joint_target",
        name: "move_joints",
        parameters: { command: next.positions },
        intent: "reach",
        raw_input: "",
        success: true,
        error_message: "",
      },
      reward,
      is_terminal: isLast,
      is_truncated: false,
      info: { phase: i < o.steps / 2 ? "approach" : "hold" },
    });
  }
  const observation: Record<string, unknown> = {
    headset_pose: { position: [0, 1.6, 0], orientation_quat: [0, 0, 0, 1], valid: true },
    right_hand_pose: {
      position: [round(0.3 + 0.1 * Math.sin(t)), round(1.2 + 0.05 * Math.cos(t)), 0.4],
      orientation_quat: [0, 0, 0, 1],
      valid: true,
    },
    gaze: { origin: [0, 1.6, 0], direction: [0, 0, 1], confidence: 0.9 },
    robot_state: {
      timestamp_nanos: "__timestamp_nanos__",
      joint_positions: now.positions,
      joint_velocities: now.velocities,
      joint_efforts: now.velocities.map((v) => round(v * 0.1)),
      end_effector_pose: {
        position: [round(0.4 + 0.1 * Math.sin(t)), round(0.1 * Math.cos(t)), 0.3],
        orientation_quat: [0, 0, 0, 1],
        valid: true,
      },
      gripper_open: Math.sin(t) > 0,
      frame_id: "base_link",
      wall_time_millis: Math.round(o.startTimeMs + (i * 1000) / o.hz),
    },
    diagnostics: {
      latency_ms: round(8 + 2 * Math.sin(t * 3)),
      glove_drops: 0,
      ble_rssi: -55,
      glove_sample_rate_hz: 90,
    },
  };
  if (hasFrame) {
    observation.video_frame_id = frameId;
    if (o.renderFrames) {
      observation.media = {
        rgb: {
          uri: `blobs/rgb/${frameId}.${o.frameExtension}`,
          frame_id: frameId,
          timestamp_ns: "__timestamp_nanos__",
          width: o.frameWidth,
          height: o.frameHeight,
          format: o.frameExtension,
        },
      };
    }
  }
  const line = JSON.stringify({
    observation,
    action: { command: next.positions, source: "human_teleop_xr" },
    reward,
    is_terminal: isLast,
    step_metadata: { phase: i < o.steps / 2 ? "approach" : "hold", language_instruction: "reach the cup" },
  });
  // Nanosecond epoch timestamps exceed 2^53: written as exact integers, as robots do.
  return line.replaceAll(TS_PLACEHOLDER, tNanos.toString());
}

/**
 * The episode's steps as JSON Lines, produced lazily in ~256 KiB chunks (memory stays flat for
 * any `steps`). Deterministic for given options.
 */
export async function* generateEpisodeSteps(options: GenerateEpisodeOptions): AsyncGenerator<Buffer> {
  const o = resolve(options);
  const at = trajectory(o);
  let batch: string[] = [];
  let size = 0;
  for (let i = 0; i < o.steps; i++) {
    const line = stepLine(o, i, at);
    batch.push(line);
    size += line.length + 1;
    if (size >= 256 * 1024) {
      yield Buffer.from(`${batch.join("\n")}\n`);
      batch = [];
      size = 0;
    }
  }
  if (batch.length > 0) yield Buffer.from(`${batch.join("\n")}\n`);
}

/** The rendered frames (`blobs/rgb/<frame id>.<ext>`) when `frames.render` is set. */
export async function* generateEpisodeFrames(
  options: GenerateEpisodeOptions,
): AsyncGenerator<{ path: string; data: Uint8Array }> {
  const o = resolve(options);
  const render = options.frames?.render;
  if (render === undefined) return;
  const at = trajectory(o);
  for (let i = 0; i < o.steps; i += o.frameEvery) {
    const frameId = frameIdOf(i);
    const data = await render({
      step: i,
      frameId,
      width: o.frameWidth,
      height: o.frameHeight,
      jointPositions: at(i / o.hz).positions,
    });
    yield { path: `blobs/rgb/${frameId}.${o.frameExtension}`, data };
  }
}

/**
 * Write the episode as a canonical directory (`metadata.json`, `steps/000000.jsonl`, `blobs/rgb/…`),
 * streaming the steps to disk. Returns the bytes of the steps file.
 */
export async function writeEpisodeDirectory(dir: string, options: GenerateEpisodeOptions): Promise<number> {
  await fs.promises.mkdir(path.join(dir, "steps"), { recursive: true });
  await fs.promises.writeFile(
    path.join(dir, "metadata.json"),
    JSON.stringify(generateEpisodeMetadata(options), null, 2),
  );
  const stepsPath = path.join(dir, "steps", "000000.jsonl");
  await pipeline(Readable.from(generateEpisodeSteps(options)), fs.createWriteStream(stepsPath));
  for await (const frame of generateEpisodeFrames(options)) {
    const target = path.join(dir, frame.path);
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    await fs.promises.writeFile(target, frame.data);
  }
  return (await fs.promises.stat(stepsPath)).size;
}

/**
 * Pack a directory into a tar (gzip by default) stream, files in sorted order, optionally under
 * one top-level folder. Sizes come from the file system, so file bodies stream from disk.
 */
export function packDirectory(dir: string, options: { gzip?: boolean; root?: string } = {}): Readable {
  const pack = tar.pack();
  const files: string[] = [];
  const walk = (relative: string) => {
    for (const name of fs.readdirSync(path.join(dir, relative)).sort()) {
      const child = relative === "" ? name : `${relative}/${name}`;
      if (fs.statSync(path.join(dir, child)).isDirectory()) walk(child);
      else files.push(child);
    }
  };
  walk("");
  void (async () => {
    try {
      for (const file of files) {
        const full = path.join(dir, file);
        const { size } = await fs.promises.stat(full);
        const name = options.root ? `${options.root}/${file}` : file;
        const entry = pack.entry({ name, size, mtime: new Date(0) });
        await pipeline(fs.createReadStream(full), entry);
      }
      pack.finalize();
    } catch (error) {
      pack.destroy(error as Error);
    }
  })();
  const stream = Readable.from(pack as unknown as AsyncIterable<Buffer>);
  return options.gzip === false ? stream : stream.pipe(zlib.createGzip({ level: 6 }));
}

/**
 * The episode as one single-JSON document `{"metadata": …, "steps": [ … ]}` (the Flutter app's
 * upload shape), streamed.
 */
export function generateEpisodeJson(options: GenerateEpisodeOptions): Readable {
  async function* document(): AsyncGenerator<Buffer> {
    yield Buffer.from(`{"metadata": ${JSON.stringify(generateEpisodeMetadata(options))}, "steps": [\n`);
    let first = true;
    for await (const chunk of generateEpisodeSteps(options)) {
      const lines = chunk.toString("utf8").trimEnd().split("\n");
      const body = lines.join(",\n");
      yield Buffer.from(first ? body : `,\n${body}`);
      first = false;
    }
    yield Buffer.from("\n]}\n");
  }
  return Readable.from(document());
}
