import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import type { BlobInfo, BlobStore } from "@/lib/blobs/port";
import { jsonl, METADATA, step, streamOf } from "@/lib/rlds/__fixtures__/archives";
import { processEpisode } from "@/lib/rlds/process-episode";
import {
  createBlobStoreReader,
  downsampleSeries,
  readReplayManifest,
  readStepWindow,
} from "@/lib/rlds/replay-index/read-replay-index";
import { createBlobStoreSink } from "@/lib/rlds/sink/episode-sink";

/** Just enough of a BlobStore (streamed put, ranged get) to exercise the adapters. */
function memoryBlobStore(): BlobStore & { objects: Map<string, Buffer>; rangeRequests: string[] } {
  const objects = new Map<string, Buffer>();
  const rangeRequests: string[] = [];
  const info = (key: string): BlobInfo => ({
    key,
    size: objects.get(key)!.length,
    contentType: "application/octet-stream",
    updatedAt: "2025-12-06T00:00:00.000Z",
    etag: "1",
  });
  const unsupported = () => Promise.reject(new Error("not used"));
  return {
    objects,
    rangeRequests,
    async put(key, body) {
      const chunks: Buffer[] = [];
      for await (const chunk of body instanceof Uint8Array ? [body] : (body as AsyncIterable<Buffer>)) {
        chunks.push(Buffer.from(chunk));
        await new Promise((resolve) => setImmediate(resolve));
      }
      objects.set(key, Buffer.concat(chunks));
      return info(key);
    },
    async get(key, options) {
      const bytes = objects.get(key);
      if (bytes === undefined) throw new Error(`no ${key}`);
      if (options?.range === undefined) return { info: info(key), stream: Readable.from([bytes]) };
      const { start, end = bytes.length - 1 } = options.range;
      rangeRequests.push(`${key}:${start}-${end}`);
      return { info: info(key), stream: Readable.from([bytes.subarray(start, end + 1)]), range: { start, end } };
    },
    async head(key) {
      return objects.has(key) ? info(key) : null;
    },
    copy: unsupported,
    list: unsupported,
    async delete(key) {
      objects.delete(key);
    },
    deletePrefix: unsupported,
    signUrl: unsupported,
    async ping() {},
  };
}

describe("BlobStore-backed sink and reader", () => {
  it("stores the canonical episode under a prefix and serves replay reads with byte ranges", async () => {
    const blobs = memoryBlobStore();
    const steps = jsonl(Array.from({ length: 3000 }, (_, i) => step(i, { is_terminal: i === 2999 })));
    const document = JSON.stringify({
      metadata: METADATA,
      steps: JSON.parse(`[${steps.trim().split("\n").join(",")}]`),
    });
    const verdict = await processEpisode({
      source: streamOf(document),
      format: "json",
      output: createBlobStoreSink(blobs, "episodes/validated/r1/ep1"),
    });
    expect(verdict.status).toBe("validated");
    for (const file of verdict.files) {
      expect(blobs.objects.get(`episodes/validated/r1/ep1/${file.path}`)?.length).toBe(file.size_bytes);
    }
    const reader = createBlobStoreReader(blobs, "episodes/validated/r1/ep1/");
    const manifest = await readReplayManifest(reader);
    expect(manifest.step_count).toBe(3000);
    const window = await readStepWindow(reader, manifest, 1500, 1502);
    expect(window.map((s) => JSON.parse(s.json).observation.robot_state.timestamp_nanos)).toEqual([
      151_000_000_000, 151_100_000_000,
    ]);
    blobs.rangeRequests.length = 0;
    const chart = await downsampleSeries(reader, manifest, "observation.robot_state.joint_positions[0]", 0, 3000, 100);
    expect(chart.buckets).toHaveLength(100);
    expect(blobs.rangeRequests.every((r) => r.startsWith("episodes/validated/r1/ep1/index/series-l1.f32:"))).toBe(true);
  });
});
