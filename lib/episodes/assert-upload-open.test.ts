import { createHash } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { isDomainError } from "@/lib/errors";
import { seedRobot } from "@/lib/ota/testing";
import { buildTar, jsonl, METADATA, step } from "@/lib/rlds/__fixtures__/archives";
import { createTestContext, type TestContext } from "@/server/testing/create-test-context";
import { assertUploadOpen, deleteEpisode, ingestEpisode, requestEpisodeUpload } from "./index";

const contexts: TestContext[] = [];
afterEach(async () => {
  for (const ctx of contexts.splice(0)) await ctx.cleanup();
});

const ROBOT = "14d4b680";

async function refusal(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    if (isDomainError(error)) return `${error.code}/${error.reason}`;
    throw error;
  }
  return "open";
}

describe("assertUploadOpen (the embedded server's check before a signed PUT stores anything)", () => {
  it("takes an upload's own keys until ingest claims it, then nothing; other keys are not its business", async () => {
    const ctx = createTestContext();
    contexts.push(ctx);
    await seedRobot(ctx, { deviceId: ROBOT, ownerUid: "owner-1" });
    const robot = ctx.as({ kind: "robot", deviceId: ROBOT });
    const operator = ctx.as({ kind: "user", uid: "op-1", role: "operator", email: "op@example.com" });
    const system = ctx.as({ kind: "system", name: "blob-upload" });
    const raw = `episodes/raw/${ROBOT}/ep_1/episode.tar.gz`;
    await requestEpisodeUpload(robot, { robot_id: ROBOT, episode_id: "ep_1", metadata: {} });
    expect(await refusal(assertUploadOpen(system, raw))).toBe("open");
    expect(await refusal(assertUploadOpen(system, `episodes/raw/${ROBOT}/ep_1/episode.zip`))).toBe(
      "conflict/upload_closed",
    );
    expect(await refusal(assertUploadOpen(system, `episodes/raw/${ROBOT}/ep_1/ingested/episode.tar.gz`))).toBe(
      "conflict/upload_closed",
    );
    expect(await refusal(assertUploadOpen(system, `episodes/raw/aaaaaaaa/ep_1/episode.tar.gz`))).toBe(
      "conflict/upload_closed",
    );
    expect(await refusal(assertUploadOpen(system, "ota/bundles/companion-v1/1.0.0/bundle.tar.gz"))).toBe("open");

    // A bad episode: ingested (rejected), so the URL is dead, and stays dead once deleted.
    const bytes = await buildTar([
      { name: "metadata.json", body: JSON.stringify(METADATA) },
      { name: "steps/000000.jsonl", body: jsonl([step(0, { is_first: true }), step(1, { is_first: true })]) },
    ]);
    await ctx.blobs.put(raw, bytes);
    const checksum = createHash("sha256").update(bytes).digest("hex");
    expect((await ingestEpisode(robot, { episode_id: "ep_1", checksum })).status).toBe("rejected");
    expect(await refusal(assertUploadOpen(system, raw))).toBe("conflict/upload_closed");
    // A new upload URL for the quarantined episode opens it again.
    await requestEpisodeUpload(robot, { robot_id: ROBOT, episode_id: "ep_1", metadata: {} });
    expect(await refusal(assertUploadOpen(system, raw))).toBe("open");
    await deleteEpisode(operator, "ep_1");
    expect(await refusal(assertUploadOpen(system, raw))).toBe("conflict/upload_closed");
  });

  it("a files upload: each declared file, nothing else", async () => {
    const ctx = createTestContext();
    contexts.push(ctx);
    await seedRobot(ctx, { deviceId: ROBOT, ownerUid: "owner-1" });
    const robot = ctx.as({ kind: "robot", deviceId: ROBOT });
    const system = ctx.as({ kind: "system", name: "blob-upload" });
    await requestEpisodeUpload(robot, {
      robot_id: ROBOT,
      episode_id: "ep_files",
      format: "files",
      files: [{ path: "metadata.json", size_bytes: 2, sha256: "a".repeat(64) }],
    });
    expect(await refusal(assertUploadOpen(system, `episodes/raw/${ROBOT}/ep_files/files/metadata.json`))).toBe("open");
    expect(await refusal(assertUploadOpen(system, `episodes/raw/${ROBOT}/ep_files/files/steps.jsonl`))).toBe(
      "conflict/upload_closed",
    );
  });
});
