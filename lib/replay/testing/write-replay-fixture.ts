import { Readable } from "node:stream";
import tar from "tar-stream";
import type { Ctx } from "@/lib/context";
import { validatedPrefix } from "@/lib/episodes/episode-keys";
import { Episodes, type Episode, type ValidationIssue } from "@/lib/episodes/schemas";
import { toIngestResult } from "@/lib/episodes/views";
import { seedRobot } from "@/lib/ota/testing";
import {
  frameIdOf,
  generateEpisodeMetadata,
  generateEpisodeSteps,
  type GenerateEpisodeOptions,
} from "@/lib/rlds/generate-episode";
import { processEpisode } from "@/lib/rlds/process-episode";
import type { EpisodeVerdict } from "@/lib/rlds/schemas";
import { createBlobStoreSink } from "@/lib/rlds/sink/episode-sink";
import { Robots } from "@/lib/robots/schemas";
import { renderCodedFrame } from "./render-frame";

/**
 * Replay test data made with the product's own pipeline: a synthetic episode (the generator the
 * simulator uses, or any step shape a test gives) packed as a tar, run through `processEpisode`
 * into `episodes/validated/{robot_id}/{episode_id}/` of the context's blob store (canonical files
 * and replay index), then the episode document written as ingestion leaves a validated one, and
 * the robot registered (with an owner) when it is not yet.
 *
 * Frames: every step (or every `every` steps) names a camera frame whose image shows its number
 * (`renderCodedFrame`). A long episode can draw its frame ids from a pool of `pool` images
 * (step i shows frame i mod pool): every step still has a frame to fetch and paint, while the test
 * run writes a few thousand image files instead of one per step.
 */
export interface ReplayFixtureOptions {
  episodeId: string;
  robotId?: string;
  robotModel?: string;
  /** Owner of the robot when the fixture registers it. */
  ownerUid?: string | null;
  steps: number;
  hz?: number;
  seed?: number;
  variant?: GenerateEpisodeOptions["variant"];
  frames?: { every?: number; pool?: number; width?: number; height?: number } | false;
  /** Custom steps instead of the generator's (any observation/action shape); one object per step. */
  stepOf?: (index: number) => Record<string, unknown>;
  /** Extra validation warnings recorded on the document (timeline markers in tests). */
  extraWarnings?: Partial<ValidationIssue>[];
  uploadedAt?: Date;
}

export interface ReplayFixture {
  episodeId: string;
  robotId: string;
  verdict: EpisodeVerdict;
  /** The frame id of each step is `frameIdOf(frameNumberOf(step))`. */
  frameNumberOf: (step: number) => number | null;
}

async function collect(chunks: AsyncIterable<Buffer>, rewrite?: (chunk: string) => string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(rewrite ? Buffer.from(rewrite(chunk.toString("utf8"))) : chunk);
  return Buffer.concat(parts);
}

export async function writeReplayFixture(ctx: Ctx, options: ReplayFixtureOptions): Promise<ReplayFixture> {
  const robotId = options.robotId ?? "14d4b680";
  const robotModel = options.robotModel ?? "companion-v1";
  if ((await ctx.db.get(Robots, robotId)) === null) {
    await seedRobot(ctx, { deviceId: robotId, robotModel, ownerUid: options.ownerUid ?? null });
  }
  const frames = options.frames === false || options.stepOf ? null : (options.frames ?? {});
  const every = Math.max(1, frames?.every ?? 1);
  const pool = frames?.pool !== undefined && frames.pool < options.steps ? frames.pool : null;
  const frameNumberOf = (step: number) =>
    frames === null || step % every !== 0 ? null : pool === null ? step : step % pool;
  const generator: GenerateEpisodeOptions = {
    steps: options.steps,
    episodeId: options.episodeId,
    robotId,
    robotModel,
    hz: options.hz ?? 30,
    seed: options.seed ?? 1,
    variant: options.variant ?? "rlds_v1",
    ...(frames === null ? {} : { frames: { every } }),
  };

  const pack = tar.pack();
  const stored = (async () => {
    const metadata = generateEpisodeMetadata(generator);
    // Custom steps keep their own clock: do not declare the generator's duration for them.
    if (options.stepOf) delete metadata.duration_ms;
    pack.entry({ name: "metadata.json" }, JSON.stringify(metadata));
    if (frames !== null) {
      const distinct = pool ?? options.steps;
      for (let n = 0; n < distinct; n += pool === null ? every : 1) {
        const image = renderCodedFrame({
          code: n,
          width: frames.width ?? 160,
          height: frames.height ?? 120,
          jointPositions: [Math.sin(n / 20)],
        });
        pack.entry({ name: `blobs/rgb/${frameIdOf(n)}.png` }, image);
      }
    }
    let steps: Buffer;
    if (options.stepOf) {
      const stepOf = options.stepOf;
      steps = Buffer.from(Array.from({ length: options.steps }, (_, i) => `${JSON.stringify(stepOf(i))}\n`).join(""));
    } else {
      const rewrite =
        pool === null
          ? undefined
          : (chunk: string) =>
              chunk.replace(
                /"video_frame_id":"frame_(\d+)"/g,
                (_, n: string) => `"video_frame_id":"${frameIdOf(Number(n) % pool)}"`,
              );
      steps = await collect(generateEpisodeSteps(generator), rewrite);
    }
    pack.entry({ name: "steps.jsonl" }, steps);
    pack.finalize();
  })();

  const verdict = await processEpisode({
    source: Readable.from(pack as unknown as AsyncIterable<Buffer>),
    format: "tar",
    output: createBlobStoreSink(ctx.blobs, validatedPrefix(robotId, options.episodeId)),
  });
  await stored;
  if (verdict.status !== "validated") {
    throw new Error(
      `replay fixture ${options.episodeId} was rejected: ${verdict.errors.map((issue) => issue.message).join("; ")}`,
    );
  }
  const result = toIngestResult(verdict);
  const at = (options.uploadedAt ?? ctx.now()).toISOString();
  const warnings: ValidationIssue[] = [
    ...result.validation.warnings,
    ...(options.extraWarnings ?? []).map((issue) => ({
      code: issue.code ?? "gap",
      message: issue.message ?? "a gap in the step clock",
      step: issue.step ?? null,
      field: issue.field ?? null,
      line: issue.line ?? null,
    })),
  ];
  const episode: Episode = {
    robot_id: robotId,
    robot_model: robotModel,
    status: "validated",
    created_at: at,
    uploaded_at: at,
    metadata: {
      ...result.metadata,
      duration_ms: result.stats.duration_ms,
      step_count: result.stats.step_count,
      capabilities: ["arm", "camera"],
      tags: ["synthetic", "replay"],
    },
    storage_ref: validatedPrefix(robotId, options.episodeId),
    training_job_id: null,
    contributed_to_models: [],
    checksum: result.checksum,
    size_bytes: result.size_bytes,
    format: "tar.gz",
    schema_variant: result.schema_variant,
    schema_version: result.schema_version,
    validation: { errors: [], warnings },
    issue_counts: result.issue_counts,
    issues_truncated: result.issues_truncated,
    training_eligible: result.training_eligible,
    quality: result.quality,
    stats: result.stats,
    produced_by_bundle: null,
    tfrecord_ref: null,
    device_signature: null,
    blobs: result.blobs,
    files: result.files,
    verdict_at: at,
  };
  await ctx.db.set(Episodes, options.episodeId, episode);
  return { episodeId: options.episodeId, robotId, verdict, frameNumberOf };
}
