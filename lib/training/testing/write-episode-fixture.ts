import { PassThrough } from "node:stream";
import type { Ctx } from "@/lib/context";
import { createId } from "@/lib/ids";
import { Episodes, type Episode } from "@/lib/episodes/schemas";
import { writeEpisodeTfrecord } from "@/lib/rlds/tfrecord/write-episode-tfrecord";

/**
 * Test data for training: a validated episode written straight through the ports — canonical
 * files under `episodes/validated/{robot_id}/{episode_id}/`, a TFRecord under
 * `episodes/tfrecord/{robot_id}/{episode_id}.tfrecord`, and its `rlds_episodes` document — the way
 * ingestion leaves one. End-to-end runs use real simulator uploads when ingestion is available;
 * unit tests and the fallback path use this. Actions are a fixed linear function of the joint
 * state plus a little noise, so a behaviour-cloning model has something to learn.
 */
export interface EpisodeFixtureInput {
  robotId?: string;
  robotModel?: string | null;
  episodeId?: string;
  steps?: number;
  tags?: string[];
  quality?: number;
  eligible?: boolean;
  status?: Episode["status"];
  uploadedAt?: Date;
  /** Write the TFRecord too (default true). */
  tfrecord?: boolean;
  seed?: number;
}

function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return ((state >>> 0) % 1_000_000) / 1_000_000;
  };
}

export async function writeEpisodeFixture(
  ctx: Ctx,
  input: EpisodeFixtureInput = {},
): Promise<{ id: string; episode: Episode }> {
  const robotId = input.robotId ?? "14d4b680";
  const episodeId = input.episodeId ?? createId("ep", input.uploadedAt ?? ctx.now());
  const stepCount = input.steps ?? 20;
  const rand = random(input.seed ?? [...episodeId].reduce((sum, ch) => sum * 31 + ch.charCodeAt(0), 7));
  const steps = Array.from({ length: stepCount }, (_, index) => {
    const joints = Array.from({ length: 6 }, () => Number((rand() * 2 - 1).toFixed(4)));
    const command = [0, 1, 2].map((k) =>
      Number((0.5 * (joints[k] ?? 0) - 0.25 * (joints[k + 3] ?? 0) + 0.01 * (rand() - 0.5)).toFixed(4)),
    );
    return {
      is_first: index === 0,
      is_last: index === stepCount - 1,
      reward: index === stepCount - 1 ? 1 : 0,
      is_terminal: index === stepCount - 1,
      observation: { robot_state: { joint_positions: joints, timestamp_nanos: 1_000_000 * index } },
      action: { command, source: "human_teleop_xr" },
    };
  });
  const prefix = `episodes/validated/${robotId}/${episodeId}/`;
  const metadata = {
    episode_id: episodeId,
    robot_id: robotId,
    robot_model: input.robotModel ?? "companion-v1",
    xr_mode: "trainer",
    control_role: "human_teleop",
    environment_id: "lab",
    tags: input.tags ?? ["pick-place"],
    software: { xr_app: "1.0.0", continuonbrain_os: "0.1.0", glove_firmware: "1.0" },
    duration_ms: stepCount * 100,
  };
  await ctx.blobs.put(`${prefix}metadata.json`, Buffer.from(JSON.stringify(metadata)), {
    contentType: "application/json",
  });
  const stepsJsonl = Buffer.from(steps.map((step) => JSON.stringify(step)).join("\n") + "\n");
  await ctx.blobs.put(`${prefix}steps.jsonl`, stepsJsonl, { contentType: "application/x-ndjson" });
  let tfrecordRef: string | null = null;
  if (input.tfrecord !== false) {
    // The product's converter (lib/rlds/tfrecord), streamed into the blob store as ingestion does.
    tfrecordRef = `episodes/tfrecord/${robotId}/${episodeId}.tfrecord`;
    const bytes = new PassThrough();
    const stored = ctx.blobs.put(tfrecordRef, bytes, { contentType: "application/octet-stream" });
    await writeEpisodeTfrecord({ episodeId, steps: [stepsJsonl], output: bytes });
    await stored;
  }
  const uploadedAt = (input.uploadedAt ?? ctx.now()).toISOString();
  const episode: Episode = {
    robot_id: robotId,
    robot_model: input.robotModel === undefined ? "companion-v1" : input.robotModel,
    status: input.status ?? "validated",
    created_at: uploadedAt,
    uploaded_at: uploadedAt,
    metadata: {
      duration_ms: stepCount * 100,
      step_count: stepCount,
      capabilities: ["arm"],
      tags: input.tags ?? ["pick-place"],
    },
    storage_ref: prefix,
    training_job_id: null,
    contributed_to_models: [],
    checksum: null,
    size_bytes: null,
    format: "files",
    schema_variant: "rlds_v1",
    validation: { errors: [], warnings: [] },
    training_eligible: input.eligible ?? true,
    quality: { score: input.quality ?? 0.9, flags: [] },
    stats: {
      step_count: stepCount,
      duration_ms: stepCount * 100,
      action_dim: 3,
      observation_keys: ["robot_state"],
      reward_sum: 1,
    },
    produced_by_bundle: null,
    tfrecord_ref: tfrecordRef,
    device_signature: null,
  };
  await ctx.db.set(Episodes, episodeId, episode);
  return { id: episodeId, episode };
}
