import { createHash } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { isDomainError } from "@/lib/errors";
import { seedRobot } from "@/lib/ota/testing";
import { buildTar, jsonl, METADATA, step } from "@/lib/rlds/__fixtures__/archives";
import { createTestContext, type TestContext } from "@/server/testing/create-test-context";
import { Episodes, getRobotStorage, ingestEpisode, requestEpisodeUpload } from "./index";

const contexts: TestContext[] = [];
afterEach(async () => {
  for (const ctx of contexts.splice(0)) await ctx.cleanup();
});

const MiB = 1024 * 1024;
const ROBOT = "14d4b680";

async function setup() {
  const ctx = createTestContext({ config: { episodeMaxBytes: MiB, robotStorageQuotaBytes: 3 * MiB } });
  contexts.push(ctx);
  await seedRobot(ctx, { deviceId: ROBOT, ownerUid: "owner-1" });
  return { ctx, robot: ctx.as({ kind: "robot", deviceId: ROBOT }) };
}

async function caught(promise: Promise<unknown>): Promise<{ code: string; reason: string | undefined }> {
  try {
    await promise;
  } catch (error) {
    if (isDomainError(error)) return { code: error.code, reason: error.reason };
    throw error;
  }
  throw new Error("expected a DomainError");
}

describe("per-episode cap and per-robot quota", () => {
  it("an upload URL without size_bytes takes the per-episode cap; a larger declared size is 413", async () => {
    const { ctx, robot } = await setup();
    const grant = await requestEpisodeUpload(robot, { robot_id: ROBOT, episode_id: "ep_a", metadata: {} });
    expect(grant.max_size_bytes).toBe(MiB);
    expect(new URL(grant.upload_url!).searchParams.get("max")).toBe(String(MiB));
    expect(
      await caught(requestEpisodeUpload(robot, { robot_id: ROBOT, episode_id: "ep_big", size_bytes: MiB + 1 })),
    ).toEqual({ code: "too_large", reason: "episode_too_large" });
    expect(
      await caught(
        requestEpisodeUpload(robot, {
          robot_id: ROBOT,
          episode_id: "ep_big_files",
          format: "files",
          files: [
            { path: "metadata.json", size_bytes: 100, sha256: "a".repeat(64) },
            { path: "blobs/a.bin", size_bytes: MiB, sha256: "b".repeat(64) },
          ],
        }),
      ),
    ).toEqual({ code: "too_large", reason: "episode_too_large" });
    expect(await ctx.db.get(Episodes, "ep_big")).toBeNull();
    expect(await ctx.db.get(Episodes, "ep_big_files")).toBeNull();
  });

  it("open URLs count at their maximum, ingested episodes at their size; past the quota is 507", async () => {
    const { ctx, robot } = await setup();
    for (const id of ["ep_1", "ep_2", "ep_3"]) {
      await requestEpisodeUpload(robot, { robot_id: ROBOT, episode_id: id, metadata: {} });
    }
    expect(await caught(requestEpisodeUpload(robot, { robot_id: ROBOT, episode_id: "ep_4", metadata: {} }))).toEqual({
      code: "insufficient_storage",
      reason: "storage_quota_exceeded",
    });
    expect(await ctx.db.get(Episodes, "ep_4")).toBeNull();
    // Asking again for an episode already counted does not count it twice.
    await requestEpisodeUpload(robot, { robot_id: ROBOT, episode_id: "ep_3", metadata: {} });

    const bytes = await buildTar([
      { name: "metadata.json", body: JSON.stringify(METADATA) },
      { name: "steps/000000.jsonl", body: jsonl(Array.from({ length: 12 }, (_, i) => step(i))) },
    ]);
    await ctx.blobs.put(`episodes/raw/${ROBOT}/ep_1/episode.tar.gz`, bytes);
    const sha = createHash("sha256").update(bytes).digest("hex");
    expect((await ingestEpisode(robot, { episode_id: "ep_1", checksum: sha })).status).toBe("validated");
    const admin = ctx.as({ kind: "user", uid: "admin-1", role: "admin", email: "a@example.com" });
    expect(await getRobotStorage(admin, ROBOT)).toEqual({
      stored_bytes: bytes.length,
      reserved_bytes: 2 * MiB,
      quota_bytes: 3 * MiB,
      episode_max_bytes: MiB,
      episodes: 3,
    });
    // A declared size fits what is left; the cap does not.
    await requestEpisodeUpload(robot, { robot_id: ROBOT, episode_id: "ep_4", size_bytes: MiB - bytes.length });
    expect(await caught(requestEpisodeUpload(robot, { robot_id: ROBOT, episode_id: "ep_5", size_bytes: 1 }))).toEqual({
      code: "insufficient_storage",
      reason: "storage_quota_exceeded",
    });
    // Upload URLs that expired no longer hold their reservation.
    ctx.clock.advance(3601_000);
    await requestEpisodeUpload(robot, { robot_id: ROBOT, episode_id: "ep_5", size_bytes: MiB });
    expect((await getRobotStorage(admin, ROBOT)).reserved_bytes).toBe(MiB);
  });
});
