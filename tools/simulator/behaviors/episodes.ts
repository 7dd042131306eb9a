/**
 * The recording side of a robot: every few minutes it records an episode — joint positions and
 * velocities along smooth trajectories, actions that lead them, rewards, camera frames rendered
 * as real PNG files in-process with `video_frame_id` links from the steps — and uploads it through
 * one of the formats robots and apps in the field use, in turn:
 *
 * | format | how |
 * | --- | --- |
 * | `tar.gz` | `POST /api/rlds/signed-url` → PUT the archive to `upload_url` → `POST /api/rlds/ingest` with a device-signed manifest |
 * | `zip` | the same with a ZIP |
 * | `json` | the same with one `{metadata, steps}` document (no frames: a JSON document carries no files) |
 * | `files` | one upload URL per file (`uploads[]`), then ingest with the files-manifest checksum |
 * | `xr` | the XR app: `POST /api/rlds/upload` with a ZIP (camelCase keys) and `X-Continuon-Tag-*` headers |
 * | `flutter` | the Flutter app: `{metadata}` → robot-signed PUTs of the JSON document, three times as media is added; the server ingests once the PUTs stop |
 *
 * Options: `--episodes-every <s>` (default 90; env `CONTINUON_SIM_EPISODES_EVERY`), `--episodes-steps
 * <n>` (default 60), `--episodes-formats tar.gz,zip,…` (default all, rotating).
 */
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import zlib from "node:zlib";
import { PNG } from "pngjs";
import tar from "tar-stream";
import yazl from "yazl";
import { signEpisodeManifest } from "@/lib/episodes/manifest-signature";
import {
  frameIdOf,
  generateEpisodeFrames,
  generateEpisodeMetadata,
  generateEpisodeSteps,
  type FrameRequest,
} from "@/lib/rlds/generate-episode";
import { filesManifestChecksum } from "@/lib/rlds/process-episode-files";
import type { RobotClient } from "@/tools/robot-client";
import type { SimulatedRobot } from "../simulated-robot";
import type { BehaviorOptions, RobotBehavior } from "./types";

export const UPLOAD_FORMATS = ["tar.gz", "zip", "json", "files", "xr", "flutter"] as const;
export type SimulatedUploadFormat = (typeof UPLOAD_FORMATS)[number];

/** One recorded episode as the files of its directory (`metadata.json`, `steps/000000.jsonl`, `blobs/rgb/…`). */
export interface RecordedEpisode {
  episodeId: string;
  files: Map<string, Buffer>;
  stepCount: number;
  durationMs: number;
}

/**
 * A camera frame: the arm seen from the side, one segment per joint, over a floor and a sky that
 * shift with time — a real PNG, small, different on every step.
 */
export function renderFrame(frame: FrameRequest): Uint8Array {
  const png = new PNG({ width: frame.width, height: frame.height });
  const { width, height } = frame;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (width * y + x) << 2;
      const floor = y > height * 0.7;
      png.data[i] = floor ? 90 : 150 + ((x + frame.step) % 40);
      png.data[i + 1] = floor ? 80 : 190;
      png.data[i + 2] = floor ? 70 : 230;
      png.data[i + 3] = 255;
    }
  }
  let px = width / 2;
  let py = height * 0.7;
  let angle = -Math.PI / 2;
  const segment = (height * 0.55) / Math.max(1, frame.jointPositions.length);
  for (const joint of frame.jointPositions) {
    angle += joint * 0.6;
    const nx = px + Math.cos(angle) * segment;
    const ny = py + Math.sin(angle) * segment;
    for (let t = 0; t <= 1; t += 0.05) {
      const x = Math.round(px + (nx - px) * t);
      const y = Math.round(py + (ny - py) * t);
      if (x < 0 || y < 0 || x >= width || y >= height) continue;
      const i = (width * y + x) << 2;
      png.data[i] = 240;
      png.data[i + 1] = 120;
      png.data[i + 2] = 20;
    }
    px = nx;
    py = ny;
  }
  return PNG.sync.write(png);
}

/** Record an episode in memory (deterministic for a given seed). */
export async function recordEpisode(options: {
  robotId: string;
  robotModel: string;
  episodeId: string;
  steps: number;
  seed: number;
  frames?: boolean;
  startTimeMs?: number;
}): Promise<RecordedEpisode> {
  const generate = {
    steps: options.steps,
    episodeId: options.episodeId,
    robotId: options.robotId,
    robotModel: options.robotModel,
    seed: options.seed,
    hz: 10,
    joints: 6,
    startTimeMs: options.startTimeMs ?? Date.now(),
    ...(options.frames === false
      ? {}
      : { frames: { every: 1, width: 64, height: 48, extension: "png", render: renderFrame } }),
  };
  const files = new Map<string, Buffer>();
  const metadata = generateEpisodeMetadata(generate);
  files.set("metadata.json", Buffer.from(JSON.stringify(metadata, null, 2)));
  const chunks: Buffer[] = [];
  for await (const chunk of generateEpisodeSteps(generate)) chunks.push(chunk);
  files.set("steps/000000.jsonl", Buffer.concat(chunks));
  for await (const frame of generateEpisodeFrames(generate)) files.set(frame.path, Buffer.from(frame.data));
  return {
    episodeId: options.episodeId,
    files,
    stepCount: options.steps,
    durationMs: Number(metadata.duration_ms ?? 0),
  };
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

async function collect(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

export async function packTarGz(files: Map<string, Buffer>): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, body] of files) pack.entry({ name, mtime: new Date(0) }, body);
  pack.finalize();
  return collect(Readable.from(pack as unknown as AsyncIterable<Buffer>).pipe(zlib.createGzip()));
}

export async function packZip(files: Map<string, Buffer>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, body] of files) zip.addBuffer(body, name, { mtime: new Date(0) });
  zip.end();
  return collect(zip.outputStream as unknown as AsyncIterable<Buffer>);
}

/** The single-JSON document `{metadata, steps: […]}` (Flutter-style; `assets` when given). */
export function singleJson(episode: RecordedEpisode, assets?: unknown[]): Buffer {
  const metadata = episode.files.get("metadata.json")!.toString("utf8");
  const steps = episode.files.get("steps/000000.jsonl")!.toString("utf8").trimEnd().split("\n").join(",\n");
  const extra = assets ? `,"assets":${JSON.stringify(assets)}` : "";
  return Buffer.from(`{"metadata":${metadata},"steps":[\n${steps}\n]${extra}}`);
}

/** The XR app's camelCase spelling of keys (`joint_positions` → `jointPositions`). */
function toCamel(text: string): string {
  return text.replace(
    /"([a-z0-9]+(?:_[a-z0-9]+)+)":/g,
    (_m, key: string) => `"${key.replace(/_([a-z0-9])/g, (_s, c: string) => c.toUpperCase())}":`,
  );
}

export interface UploadOutcome {
  format: SimulatedUploadFormat;
  episodeId: string;
  /** The verdict (`validated`/`rejected`), or `uploaded` when the server ingests later (Flutter). */
  status: string;
  answer: Record<string, unknown>;
}

async function putSigned(url: string, headers: Record<string, string>, body: Uint8Array): Promise<void> {
  const response = await fetch(url, { method: "PUT", headers, body: new Uint8Array(body) });
  if (!response.ok) throw new Error(`PUT ${new URL(url).pathname} → ${response.status}: ${await response.text()}`);
}

/** Upload a recorded episode through one format, the way that client does it. */
export async function uploadEpisode(
  client: RobotClient,
  episode: RecordedEpisode,
  format: SimulatedUploadFormat,
): Promise<UploadOutcome> {
  const metadata = { step_count: episode.stepCount, duration_ms: episode.durationMs };
  const privateKey = client.identity.privateKey;
  const ingest = async (checksum: string, files?: Record<string, string>) =>
    client.requestJson<Record<string, unknown>>("POST", "/api/rlds/ingest", {
      json: {
        episode_ref: `episodes/raw/${client.deviceId}/${episode.episodeId}`,
        checksum: checksum.startsWith("sha256:") ? checksum : `sha256:${checksum}`,
        manifest_signature: await signEpisodeManifest({
          deviceId: client.deviceId,
          privateKey,
          episodeId: episode.episodeId,
          checksum,
          ...(files ? { files } : {}),
        }),
      },
    });
  const outcome = (answer: Record<string, unknown>): UploadOutcome => ({
    format,
    episodeId: episode.episodeId,
    status: String(answer.status ?? "uploaded"),
    answer,
  });

  if (format === "tar.gz" || format === "zip" || format === "json") {
    const bytes =
      format === "tar.gz"
        ? await packTarGz(episode.files)
        : format === "zip"
          ? await packZip(episode.files)
          : singleJson(episode);
    const grant = await client.requestJson<{ upload_url: string; headers: Record<string, string> }>(
      "POST",
      "/api/rlds/signed-url",
      {
        json: { robot_id: client.deviceId, episode_id: episode.episodeId, metadata, format, size_bytes: bytes.length },
      },
    );
    await putSigned(grant.upload_url, grant.headers, bytes);
    return outcome(await ingest(sha256(bytes)));
  }

  if (format === "files") {
    const declared = [...episode.files].map(([path, body]) => ({
      path,
      size_bytes: body.length,
      sha256: sha256(body),
    }));
    const grant = await client.requestJson<{
      uploads: { path: string; upload_url: string; headers: Record<string, string> }[];
    }>("POST", "/api/rlds/signed-url", {
      json: { robot_id: client.deviceId, episode_id: episode.episodeId, metadata, format: "files", files: declared },
    });
    for (const target of grant.uploads)
      await putSigned(target.upload_url, target.headers, episode.files.get(target.path)!);
    return outcome(
      await ingest(
        filesManifestChecksum(declared),
        Object.fromEntries(declared.map((file) => [file.path, file.sha256])),
      ),
    );
  }

  if (format === "xr") {
    const camel = new Map<string, Buffer>();
    for (const [path, body] of episode.files) {
      camel.set(
        path,
        path.endsWith(".json") || path.endsWith(".jsonl") ? Buffer.from(toCamel(body.toString("utf8"))) : body,
      );
    }
    const bytes = await packZip(camel);
    const response = await client.request(
      "POST",
      `/api/rlds/upload?episode_id=${encodeURIComponent(episode.episodeId)}`,
      {
        body: new Uint8Array(bytes),
        headers: {
          "Content-Type": "application/zip",
          "X-Continuon-Tag-xr_mode": "trainer",
          "X-Continuon-Tag-control_role": "human_teleop",
          "X-Continuon-Tag-environment_id": "sim-lab",
          "X-Continuon-Tag-list": "simulator,xr",
        },
      },
    );
    const answer = (await response.json()) as Record<string, unknown>;
    if (!response.ok) throw new Error(`XR upload → ${response.status}: ${JSON.stringify(answer)}`);
    return outcome(answer);
  }

  // Flutter: ask with {metadata} only, then PUT the growing document (it adds media each time).
  const meta = JSON.parse(episode.files.get("metadata.json")!.toString("utf8")) as Record<string, unknown>;
  const grant = await client.requestJson<{ upload_url: string; episode_id: string }>("POST", "/api/rlds/signed-url", {
    json: { metadata: { ...meta, episode_id: episode.episodeId } },
  });
  // The app keeps its camera frames on the phone and lists them as assets (no blobs in the document).
  const frames = Array.from({ length: Math.ceil(episode.stepCount / 10) }, (_, i) => frameIdOf(i * 10));
  let answer: Record<string, unknown> = {};
  for (let round = 1; round <= 3; round++) {
    const assets = frames.slice(0, Math.ceil((frames.length * round) / 3)).map((frameId) => ({
      local_uri: `file:///data/episodes/${episode.episodeId}/${frameId}.png`,
      sensor: "rgb",
      frame_id: frameId,
      captured_at_ms: Date.now(),
      remote_uri: null,
      mime_type: "image/png",
      status: round === 3 ? "uploaded" : "pending",
    }));
    const path = new URL(grant.upload_url).pathname;
    answer = await client.requestJson<Record<string, unknown>>("PUT", path, {
      body: new Uint8Array(singleJson(episode, assets)),
      headers: { "Content-Type": "application/json" },
    });
  }
  return { format, episodeId: grant.episode_id, status: "uploaded", answer };
}

function numberOption(options: BehaviorOptions, name: string, fallback: number): number {
  const value = Number(options[name] ?? fallback);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/** Record and upload episodes on the robot's scheduler, rotating through the upload formats. */
export const episodesBehavior: RobotBehavior = {
  name: "episodes",
  description:
    "Record episodes (smooth joints, actions, rewards, PNG camera frames) and upload them through every format: tar.gz, zip, json, files, the XR ZIP route and the Flutter PUT flow.",
  enabledByDefault: true,
  options: {
    "episodes-every": "seconds between episodes (90; env CONTINUON_SIM_EPISODES_EVERY)",
    "episodes-steps": "steps per episode (60)",
    "episodes-formats": `upload formats to rotate through (${UPLOAD_FORMATS.join(",")})`,
  },
  start(robot: SimulatedRobot, options: BehaviorOptions) {
    const everyS = Math.max(
      5,
      numberOption(options, "episodesEvery", Number(process.env.CONTINUON_SIM_EPISODES_EVERY ?? 90)),
    );
    const steps = Math.max(2, Math.floor(numberOption(options, "episodesSteps", 60)));
    const formats = String(options.episodesFormats ?? UPLOAD_FORMATS.join(","))
      .split(",")
      .map((format) => format.trim())
      .filter((format): format is SimulatedUploadFormat => (UPLOAD_FORMATS as readonly string[]).includes(format));
    let count = 0;
    robot.scheduler.every(
      "episodes",
      () => everyS * 1000,
      async () => {
        const format = formats[count % Math.max(1, formats.length)] ?? "tar.gz";
        count += 1;
        const episodeId = `sim_${robot.deviceId}_${Date.now()}`;
        const episode = await recordEpisode({
          robotId: robot.deviceId,
          robotModel: robot.identity.ruri.split("/")[4] ?? "companion-v1",
          episodeId,
          steps,
          seed: count + Number.parseInt(robot.deviceId.slice(0, 6), 16),
          frames: format !== "json" && format !== "flutter",
        });
        const result = await uploadEpisode(robot.client, episode, format);
        robot.log(`episode ${result.episodeId} via ${format}: ${result.status}`);
      },
      { jitter: 0.3, initialDelayMs: 3000 + Math.random() * 5000 },
    );
  },
};
