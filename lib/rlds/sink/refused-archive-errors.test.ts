import { createReadStream, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildTar } from "@/lib/rlds/__fixtures__/archives";
import { processEpisode } from "@/lib/rlds/process-episode";
import { BufferedOutput } from "@/lib/rlds/sink/buffered-output";
import { createBlobStoreSink } from "@/lib/rlds/sink/episode-sink";
import { LocalDiskBlobStore } from "@/server/adapters/local-disk/local-disk-blob-store";

/**
 * A refused archive is an answer (`rejected` with the reason), never an error that escapes: the
 * outputs the assembler already opened are torn down before the store has started reading them,
 * and that must neither raise an uncaught exception in the server nor leave temp files behind.
 */
let root: string;
let store: LocalDiskBlobStore;
const escaped: unknown[] = [];
const record = (error: unknown) => escaped.push(error);

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "continuon-sink-"));
  store = new LocalDiskBlobStore({ root, signingSecret: "test-signing-secret-0123456789", publicBaseUrl: "http://x" });
  escaped.length = 0;
  process.on("uncaughtException", record);
  process.on("unhandledRejection", record);
});

afterEach(() => {
  process.off("uncaughtException", record);
  process.off("unhandledRejection", record);
  rmSync(root, { recursive: true, force: true });
});

const tempFiles = () => (existsSync(join(root, "tmp")) ? readdirSync(join(root, "tmp")) : []);
const settle = () => new Promise((resolve) => setTimeout(resolve, 200));

/** The field recorder's package: `upload_manifest.json`, `<id>/episode.json`, mock-hardware frames (all zeros). */
async function robotPackage(steps: number): Promise<Buffer> {
  const name = (i: number, kind: string) => `ep_mock/step_${String(i).padStart(4, "0")}_${kind}.npy`;
  const episode = {
    metadata: { robot_model: "companion-v1" },
    steps: Array.from({ length: steps }, (_, i) => ({ observation: { joint: i }, action: { command: [i] } })),
  };
  return buildTar([
    { name: "ep_mock/upload_manifest.json", body: JSON.stringify({ total_steps: steps }) },
    { name: "ep_mock/episode.json", body: JSON.stringify(episode) },
    ...Array.from({ length: steps }, (_, i) => [
      { name: name(i, "rgb"), zeros: 640 * 480 * 3 + 128 },
      { name: name(i, "depth"), zeros: 640 * 480 * 2 + 128 },
    ]).flat(),
  ]);
}

describe("refused archives and discarded outputs", () => {
  it("a robot package refused as a decompression bomb answers rejected; nothing escapes, nothing is left", async () => {
    const file = join(root, "upload.tar.gz");
    writeFileSync(file, await robotPackage(40));
    const verdict = await processEpisode({
      source: createReadStream(file),
      format: "auto",
      output: createBlobStoreSink(store, "episodes/staging/r/ep_mock/attempt-1/"),
    });
    await settle();
    expect(verdict.status).toBe("rejected");
    expect(verdict.errors.map((issue) => issue.code)).toEqual(["compression_ratio_exceeded"]);
    expect(escaped).toEqual([]);
    expect(tempFiles()).toEqual([]);
  });

  it("an output destroyed before the store started reading it raises nothing and leaves no temp file", async () => {
    const output = new BufferedOutput(
      "blobs/frame.npy",
      "application/octet-stream",
      createBlobStoreSink(store, "prefix/").open("blobs/frame.npy", "application/octet-stream"),
    );
    await output.discard(new Error("Archive refused"));
    await settle();
    expect(escaped).toEqual([]);
    expect(tempFiles()).toEqual([]);
    expect(await store.head("prefix/blobs/frame.npy")).toBeNull();
  });
});
