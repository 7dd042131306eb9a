import { mkdirSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "@/server/testing/create-test-context";
import { sweepBlobTempFiles, TEMP_FILE_MAX_IDLE_MS } from "./sweep-temporary-files";

const contexts: TestContext[] = [];
afterEach(async () => {
  for (const ctx of contexts.splice(0)) await ctx.cleanup();
});

describe("blob temp file sweep", () => {
  it("removes temp files idle longer than the longest upload, keeps a live write's", async () => {
    const ctx = createTestContext();
    contexts.push(ctx);
    const tmp = join(ctx.config.dataDir, "blobs", "tmp");
    mkdirSync(tmp, { recursive: true });
    // What a server killed mid-PUT leaves: a temp file nobody writes to any more.
    const now = ctx.now().getTime();
    writeFileSync(join(tmp, "killed-upload"), Buffer.alloc(4096));
    utimesSync(
      join(tmp, "killed-upload"),
      new Date(now - TEMP_FILE_MAX_IDLE_MS - 1000),
      new Date(now - TEMP_FILE_MAX_IDLE_MS - 1000),
    );
    writeFileSync(join(tmp, "recent"), Buffer.alloc(16));
    utimesSync(join(tmp, "recent"), new Date(now - 60_000), new Date(now - 60_000));
    // A write in progress right now.
    const body = new PassThrough();
    const stored = ctx.blobs.put("episodes/raw/14d4b680/ep_live/episode.tar.gz", body);
    body.write(Buffer.alloc(1024));
    await new Promise((resolve) => setImmediate(resolve));
    while (readdirSync(tmp).length < 3) await new Promise((resolve) => setImmediate(resolve));
    const live = readdirSync(tmp).find((name) => name !== "killed-upload" && name !== "recent")!;

    expect(await sweepBlobTempFiles(ctx)).toBe(1);
    expect(readdirSync(tmp).sort()).toEqual([live, "recent"].sort());

    body.end(Buffer.alloc(1024));
    expect((await stored).size).toBe(2048);
    expect(readdirSync(tmp)).toEqual(["recent"]);
    ctx.clock.advance(TEMP_FILE_MAX_IDLE_MS);
    expect(await sweepBlobTempFiles(ctx)).toBe(1);
    expect(readdirSync(tmp)).toEqual([]);
    expect(await sweepBlobTempFiles(ctx)).toBe(0);
  });
});
