import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  generateEpisodeFrames,
  generateEpisodeJson,
  generateEpisodeMetadata,
  generateEpisodeSteps,
  packDirectory,
  writeEpisodeDirectory,
} from "@/lib/rlds/generate-episode";
import { processEpisode } from "@/lib/rlds/process-episode";
import { createMemorySink } from "@/lib/rlds/sink/episode-sink";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rlds-generate-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function text(stream: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}

describe("generateEpisode", () => {
  it("is deterministic and streams one step per line", async () => {
    const a = await text(generateEpisodeSteps({ steps: 500, seed: 7 }));
    const b = await text(generateEpisodeSteps({ steps: 500, seed: 7 }));
    const c = await text(generateEpisodeSteps({ steps: 500, seed: 8 }));
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    const lines = a.trimEnd().split("\n");
    expect(lines).toHaveLength(500);
    expect(lines[0]).toMatch(/"timestamp_nanos":1764979200000000000,/);
    expect(JSON.parse(lines[499]!).is_terminal).toBe(true);
  });

  it("moves the joints smoothly and commands the next position", async () => {
    const steps = (await text(generateEpisodeSteps({ steps: 300, hz: 30, joints: 6 })))
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    const q = steps.map((s) => s.observation.robot_state.joint_positions as number[]);
    expect(q[0]).toHaveLength(6);
    for (let i = 1; i < q.length; i++) {
      for (let j = 0; j < 6; j++) expect(Math.abs(q[i]![j]! - q[i - 1]![j]!)).toBeLessThan(0.1);
    }
    expect(steps[10].action.command).toEqual(q[11]);
  });

  it("references frames and renders them through the callback", async () => {
    const options = {
      steps: 25,
      frames: {
        every: 5,
        width: 4,
        height: 2,
        render: (f: { frameId: string; width: number }) => Buffer.from(`${f.frameId}:${f.width}`),
      },
    };
    const lines = (await text(generateEpisodeSteps(options)))
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines.filter((s) => s.observation.video_frame_id).map((s) => s.observation.video_frame_id)).toEqual([
      "frame_000000",
      "frame_000005",
      "frame_000010",
      "frame_000015",
      "frame_000020",
    ]);
    expect(lines[5].observation.media.rgb).toMatchObject({ uri: "blobs/rgb/frame_000005.png", width: 4, height: 2 });
    const frames = [];
    for await (const frame of generateEpisodeFrames(options))
      frames.push([frame.path, Buffer.from(frame.data).toString()]);
    expect(frames[1]).toEqual(["blobs/rgb/frame_000005.png", "frame_000005:4"]);
  });

  it("writes a directory and packs it into a tar.gz that validates, frames included", async () => {
    const dir = path.join(tmp, "episode");
    const options = { steps: 240, frames: { every: 8, render: () => Buffer.from("png") } };
    await writeEpisodeDirectory(dir, options);
    expect(fs.readdirSync(dir).sort()).toEqual(["blobs", "metadata.json", "steps"]);
    const verdict = await processEpisode({
      source: packDirectory(dir, { root: "synthetic_1" }),
      format: "auto",
      output: createMemorySink(),
      declared: { step_count: 240, duration_ms: generateEpisodeMetadata(options).duration_ms as number },
      tempDir: tmp,
    });
    expect(verdict).toMatchObject({
      status: "validated",
      variant: "rlds_v1",
      blobs: { count: 30 },
      quality: { score: 1, flags: [] },
      training_eligible: true,
    });
  });

  it("streams a single-JSON document and a v2.0 episode that both validate", async () => {
    for (const variant of ["rlds_v1", "rlds_v2"] as const) {
      const verdict = await processEpisode({
        source: generateEpisodeJson({ steps: 100, variant }),
        format: "json",
        output: createMemorySink(),
      });
      expect(verdict.status).toBe("validated");
      expect(verdict.schema_version).toBe(variant === "rlds_v2" ? "2.0" : "1.1");
      expect(verdict.stats.step_count).toBe(100);
    }
  });
});
