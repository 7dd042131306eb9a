import { createHash } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import type { BlobStore } from "@/lib/blobs/port";
import type { Ctx } from "@/lib/context";
import { isDomainError } from "@/lib/errors";
import { seedRobot } from "@/lib/ota/testing";
import { buildTar, jsonl, METADATA, step } from "@/lib/rlds/__fixtures__/archives";
import { filesManifestChecksum } from "@/lib/rlds/process-episode-files";
import { readTfrecordExamples } from "@/lib/rlds/tfrecord/read-tfrecord-examples";
import { runNextWork } from "@/lib/work-queue/work-queue";
import { createTestContext, type TestContext } from "@/server/testing/create-test-context";
import {
  convertEpisodeTfrecord,
  deleteEpisode,
  Episodes,
  getEpisode,
  ingestEpisode,
  listEpisodes,
  requestEpisodeUpload,
  requireEpisodeAccess,
  revalidateEpisode,
  TFRECORD_QUEUE,
} from "./index";

const contexts: TestContext[] = [];
afterEach(async () => {
  for (const ctx of contexts.splice(0)) await ctx.cleanup();
});

async function setup(robotId = "14d4b680") {
  const ctx = createTestContext();
  contexts.push(ctx);
  await seedRobot(ctx, { deviceId: robotId, ownerUid: "owner-1" });
  const robot = ctx.as({ kind: "robot", deviceId: robotId });
  const operator = ctx.as({ kind: "user", uid: "op-1", role: "operator", email: "op@example.com" });
  return { ctx, robot, operator };
}

const sha = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

async function goodArchive(steps = 12): Promise<Buffer> {
  return buildTar([
    { name: "metadata.json", body: JSON.stringify(METADATA) },
    { name: "steps/000000.jsonl", body: jsonl(Array.from({ length: steps }, (_, i) => step(i))) },
  ]);
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

async function keys(blobs: BlobStore, prefix: string): Promise<string[]> {
  return (await blobs.list(prefix, { limit: 1000 })).items.map((item) => item.key);
}

async function upload(robot: Ctx, episodeId: string, bytes: Buffer, extra: Record<string, unknown> = {}) {
  const grant = await requestEpisodeUpload(robot, {
    robot_id: "14d4b680",
    episode_id: episodeId,
    metadata: {},
    ...extra,
  });
  await robot.blobs.put(`episodes/raw/14d4b680/${episodeId}/episode.tar.gz`, bytes, {
    contentType: "application/gzip",
  });
  return grant;
}

describe("ingest: the happy path and idempotency", () => {
  it("creates the raw document at signed-url time, validates, promotes, queues and converts the TFRecord", async () => {
    const { ctx, robot } = await setup();
    const grant = await requestEpisodeUpload(robot, {
      robot_id: "14d4b680",
      episode_id: "ep_1",
      metadata: { step_count: 12 },
    });
    expect(grant.episode_ref).toBe("episodes/raw/14d4b680/ep_1");
    expect(grant.upload_url).toContain("/api/blobs/episodes/raw/14d4b680/ep_1/episode.tar.gz");
    expect(grant.headers["content-type"]).toBe("application/gzip");
    const raw = (await ctx.db.get(Episodes, "ep_1"))!.data;
    expect(raw.status).toBe("raw");
    expect(raw.ingest?.state).toBe("awaiting_upload");
    expect(raw.robot_model).toBe("companion-v1");

    expect(await caught(ingestEpisode(robot, { episode_id: "ep_1", checksum: "0".repeat(64) }))).toEqual({
      code: "conflict",
      reason: "upload_missing",
    });
    expect((await ctx.db.get(Episodes, "ep_1"))!.data.ingest?.state).toBe("awaiting_upload");

    const bytes = await goodArchive();
    await ctx.blobs.put("episodes/raw/14d4b680/ep_1/episode.tar.gz", bytes);
    const answer = await ingestEpisode(robot, { episode_ref: grant.episode_ref, checksum: `sha256:${sha(bytes)}` });
    expect(answer).toMatchObject({
      status: "validated",
      episode_id: "ep_1",
      training_eligible: true,
      variant: "rlds_v1",
    });
    const episode = (await ctx.db.get(Episodes, "ep_1"))!.data;
    expect(episode.status).toBe("validated");
    expect(episode.ingest?.state).toBe("done");
    expect(episode.ingest?.staging_prefix).toBeNull();
    expect(episode.storage_ref).toBe("episodes/validated/14d4b680/ep_1/");
    expect(episode.stats?.step_count).toBe(12);
    expect(await keys(ctx.blobs, "episodes/staging/")).toEqual([]);
    const validated = await keys(ctx.blobs, "episodes/validated/14d4b680/ep_1/");
    expect(validated).toContain("episodes/validated/14d4b680/ep_1/steps.jsonl");
    expect(validated).toContain("episodes/validated/14d4b680/ep_1/metadata.json");
    expect(validated.some((key) => key.includes("/index/"))).toBe(true);

    // The same object again: the same answer, nothing redone.
    const again = await ingestEpisode(robot, { episode_id: "ep_1", checksum: sha(bytes) });
    expect(again).toEqual(answer);
    // Other bytes for a validated episode.
    expect(await caught(ingestEpisode(robot, { episode_id: "ep_1", checksum: "a".repeat(64) }))).toEqual({
      code: "conflict",
      reason: "checksum_conflict",
    });

    expect(episode.tfrecord?.state).toBe("queued");
    expect(await runNextWork(ctx, TFRECORD_QUEUE, convertEpisodeTfrecord)).toBe(1);
    const converted = (await ctx.db.get(Episodes, "ep_1"))!.data;
    expect(converted.tfrecord).toMatchObject({ state: "done", records: 12 });
    const examples = [];
    for await (const example of readTfrecordExamples((await ctx.blobs.get(converted.tfrecord_ref!)).stream)) {
      examples.push(example);
    }
    expect(examples).toHaveLength(12);
  });

  it("accepts a files upload and checks every file against its declared SHA-256", async () => {
    const { ctx, robot } = await setup();
    const files = {
      "metadata.json": Buffer.from(JSON.stringify(METADATA)),
      "steps/000000.jsonl": Buffer.from(jsonl(Array.from({ length: 12 }, (_, i) => step(i)))),
    };
    const declared = Object.entries(files).map(([path, body]) => ({
      path,
      size_bytes: body.length,
      sha256: sha(body),
    }));
    const grant = await requestEpisodeUpload(robot, {
      robot_id: "14d4b680",
      episode_id: "ep_files",
      format: "files",
      files: declared,
    });
    expect(grant.upload_url).toBeNull();
    expect(grant.uploads.map((u) => u.path)).toEqual(["metadata.json", "steps/000000.jsonl"]);
    await ctx.blobs.put("episodes/raw/14d4b680/ep_files/files/metadata.json", files["metadata.json"]);
    expect(
      await caught(ingestEpisode(robot, { episode_id: "ep_files", checksum: filesManifestChecksum(declared) })),
    ).toEqual({
      code: "conflict",
      reason: "upload_incomplete",
    });
    await ctx.blobs.put("episodes/raw/14d4b680/ep_files/files/steps/000000.jsonl", files["steps/000000.jsonl"]);
    const answer = await ingestEpisode(robot, { episode_id: "ep_files", checksum: filesManifestChecksum(declared) });
    expect(answer.status).toBe("validated");
    expect(answer.format).toBe("files");
  });
});

describe("ingest: refusals without side effects", () => {
  it.each([
    ["../ in an episode id", { robot_id: "14d4b680", episode_id: "../evil" }, "invalid", "invalid_episode_id"],
    ["a slash in an episode id", { robot_id: "14d4b680", episode_id: "a/b" }, "invalid", "invalid_episode_id"],
    ["another robot's id", { robot_id: "aaaaaaaa", episode_id: "ep_x" }, "forbidden", "robot_mismatch"],
    [
      "a files path with ..",
      {
        robot_id: "14d4b680",
        episode_id: "ep_x",
        format: "files",
        files: [{ path: "../x", size_bytes: 1, sha256: "a".repeat(64) }],
      },
      "invalid",
      "path_traversal",
    ],
  ])("signed-url: %s", async (_name, body, code, reason) => {
    const { ctx, robot } = await setup();
    expect(await caught(requestEpisodeUpload(robot, body))).toEqual({ code, reason });
    expect(await ctx.db.count(Episodes, {})).toBe(0);
  });

  it("an episode_ref of another robot is refused; another robot's episode id is not found", async () => {
    const { ctx, robot } = await setup();
    await seedRobot(ctx, { deviceId: "bbbbbbbb" });
    const other = ctx.as({ kind: "robot", deviceId: "bbbbbbbb" });
    await upload(robot, "ep_mine", await goodArchive());
    expect(
      await caught(ingestEpisode(other, { episode_ref: "episodes/raw/14d4b680/ep_mine", checksum: "a".repeat(64) })),
    ).toEqual({ code: "forbidden", reason: "robot_mismatch" });
    expect(await caught(ingestEpisode(other, { episode_id: "ep_mine", checksum: "a".repeat(64) }))).toEqual({
      code: "not_found",
      reason: "episode_not_found",
    });
    expect((await ctx.db.get(Episodes, "ep_mine"))!.data.ingest?.state).toBe("awaiting_upload");
  });
});

describe("quarantine", () => {
  it("keeps a rejected episode's reasons; an operator re-validates (audited) and deletes it", async () => {
    const { ctx, robot, operator } = await setup();
    const bad = await buildTar([
      { name: "metadata.json", body: JSON.stringify(METADATA) },
      { name: "steps/000000.jsonl", body: jsonl([step(0, { is_first: true }), step(1, { is_first: true }), step(2)]) },
    ]);
    await upload(robot, "ep_bad", bad);
    const answer = await ingestEpisode(robot, { episode_id: "ep_bad", checksum: sha(bad) });
    expect(answer.status).toBe("rejected");
    expect(answer.errors[0]).toMatchObject({ code: "multiple_is_first", step: 1, field: "is_first" });
    expect(await keys(ctx.blobs, "episodes/validated/")).toEqual([]);
    expect(await keys(ctx.blobs, "episodes/staging/")).toEqual([]);
    // The raw upload is kept for quarantine, moved where its upload URL cannot reach it.
    expect(await keys(ctx.blobs, "episodes/raw/14d4b680/ep_bad/")).toEqual([
      "episodes/raw/14d4b680/ep_bad/ingested/episode.tar.gz",
    ]);
    expect(await ingestEpisode(robot, { episode_id: "ep_bad", checksum: sha(bad) })).toEqual(answer);

    const quarantine = await listEpisodes(operator, { status: "rejected" });
    expect(quarantine.episodes.map((e) => e.episode_id)).toEqual(["ep_bad"]);

    const owner = ctx.as({ kind: "user", uid: "owner-1", role: "owner", email: "o@example.com" });
    expect(await caught(revalidateEpisode(owner, "ep_bad"))).toEqual({ code: "forbidden", reason: "role_required" });
    const again = await revalidateEpisode(operator, "ep_bad");
    expect(again.status).toBe("rejected");
    const deleted = await deleteEpisode(operator, "ep_bad");
    expect(deleted.deleted).toBe(true);
    expect(await ctx.db.get(Episodes, "ep_bad")).toBeNull();
    expect(await keys(ctx.blobs, "episodes/raw/14d4b680/ep_bad/")).toEqual([]);
    const { docs } = await ctx.db.query((await import("@/lib/audit/schemas")).AuditLog, {
      orderBy: { field: "at", direction: "desc" },
      limit: 10,
    });
    expect(docs.map((doc) => doc.data.action)).toEqual(
      expect.arrayContaining(["episode.ingest", "episode.revalidate", "episode.delete"]),
    );
  });
});

describe("crashes: every intermediate state is finished by a retry", () => {
  it("a store failure mid-promotion leaves `promoting`; the retry copies the rest and commits once", async () => {
    const { ctx, robot } = await setup();
    const bytes = await goodArchive();
    await upload(robot, "ep_crash", bytes);
    let copies = 0;
    const failing: BlobStore = Object.create(ctx.blobs) as BlobStore;
    failing.copy = async (from, to) => {
      if (to.startsWith("episodes/validated/")) copies += 1;
      if (copies === 2) throw new Error("store went away");
      return ctx.blobs.copy(from, to);
    };
    await expect(
      ingestEpisode({ ...robot, blobs: failing }, { episode_id: "ep_crash", checksum: sha(bytes) }),
    ).rejects.toThrow("store went away");
    const midway = (await ctx.db.get(Episodes, "ep_crash"))!.data;
    expect(midway.status).toBe("raw");
    expect(midway.ingest?.state).toBe("promoting");
    expect(midway.storage_ref).toBeNull();

    const answer = await ingestEpisode(robot, { episode_id: "ep_crash", checksum: sha(bytes) });
    expect(answer.status).toBe("validated");
    const files = (await ctx.db.get(Episodes, "ep_crash"))!.data.files!.map((f) => f.path).sort();
    const stored = (await keys(ctx.blobs, "episodes/validated/14d4b680/ep_crash/"))
      .map((key) => key.slice("episodes/validated/14d4b680/ep_crash/".length))
      .sort();
    expect(stored).toEqual(files);
    expect(await keys(ctx.blobs, "episodes/staging/")).toEqual([]);
  });

  it("a processing attempt whose lease lapsed is taken over by the next request", async () => {
    const { ctx, robot } = await setup();
    const bytes = await goodArchive();
    await upload(robot, "ep_lease", bytes);
    await ctx.db.update(Episodes, "ep_lease", {
      ingest: {
        state: "processing",
        attempt: 1,
        holder: "ing_dead",
        lease_expires_at: new Date(ctx.now().getTime() + 30_000).toISOString(),
        staging_prefix: "episodes/staging/14d4b680/ep_lease/attempt-1/",
        requested_checksum: `sha256:${sha(bytes)}`,
        result: null,
        last_error: null,
        requested_by: "robot:14d4b680",
        updated_at: ctx.now().toISOString(),
      },
    });
    await ctx.blobs.put("episodes/staging/14d4b680/ep_lease/attempt-1/steps.jsonl", Buffer.from("half"));
    expect(await caught(ingestEpisode(robot, { episode_id: "ep_lease", checksum: sha(bytes) }))).toEqual({
      code: "conflict",
      reason: "ingest_in_progress",
    });
    ctx.clock.advance(31_000);
    const answer = await ingestEpisode(robot, { episode_id: "ep_lease", checksum: sha(bytes) });
    expect(answer.status).toBe("validated");
    const episode = (await ctx.db.get(Episodes, "ep_lease"))!.data;
    expect(episode.ingest?.attempt).toBe(2);
    expect(await keys(ctx.blobs, "episodes/staging/")).toEqual([]);
  });
});

describe("access and lists", () => {
  it("owners see their robots' episodes, operators all, others nothing", async () => {
    const { ctx, robot, operator } = await setup();
    await seedRobot(ctx, { deviceId: "cccccccc", ownerUid: "owner-2" });
    const bytes = await goodArchive();
    await upload(robot, "ep_a", bytes);
    await ingestEpisode(robot, { episode_id: "ep_a", checksum: sha(bytes) });
    const owner1 = ctx.as({ kind: "user", uid: "owner-1", role: "owner", email: "a@example.com" });
    const owner2 = ctx.as({ kind: "user", uid: "owner-2", role: "owner", email: "b@example.com" });
    expect((await requireEpisodeAccess(owner1, "ep_a")).id).toBe("ep_a");
    expect(await caught(requireEpisodeAccess(owner2, "ep_a"))).toEqual({
      code: "not_found",
      reason: "episode_not_found",
    });
    expect(await caught(requireEpisodeAccess(owner1, "ep_a", "manage"))).toEqual({
      code: "forbidden",
      reason: "role_required",
    });
    expect((await listEpisodes(owner1)).episodes).toHaveLength(1);
    expect((await listEpisodes(owner2)).episodes).toHaveLength(0);
    expect((await getEpisode(operator, "ep_a")).replay_url).toBe("/console/episodes/ep_a/replay");
  });

  it("every filter combination runs on a declared index", async () => {
    const { robot, operator, ctx } = await setup();
    const bytes = await goodArchive();
    await upload(robot, "ep_f", bytes);
    await ingestEpisode(robot, { episode_id: "ep_f", checksum: sha(bytes) });
    const owner = ctx.as({ kind: "user", uid: "owner-1", role: "owner", email: "a@example.com" });
    const filters: Record<string, string>[] = [];
    const scopes: Record<string, string>[] = [{}, { robot_id: "14d4b680" }, { robot_model: "companion-v1" }];
    const statuses: Record<string, string>[] = [{}, { status: "validated" }];
    const eligibility: Record<string, string>[] = [{}, { eligible: "true" }];
    const extras: Record<string, string>[] = [
      {},
      { tag: "test" },
      { from: "2026-01-01", to: "2026-12-31" },
      { tag: "test", from: "2026-01-01", min_quality: "0.5" },
    ];
    for (const scope of scopes) {
      for (const status of statuses) {
        for (const eligible of eligibility) {
          for (const extra of extras) {
            filters.push({ ...scope, ...status, ...eligible, ...extra });
          }
        }
      }
    }
    for (const filter of filters) {
      const page = await listEpisodes(operator, filter);
      expect(
        page.episodes.map((e) => e.episode_id),
        JSON.stringify(filter),
      ).toEqual(["ep_f"]);
      await listEpisodes(owner, filter);
      await listEpisodes(robot, { ...filter, robot_id: "14d4b680" });
    }
  });
});

describe("server-driven ingests", () => {
  it("the Flutter flow: PUTs re-arm the automatic ingest, which runs once they settle; then the upload is closed", async () => {
    const { ctx, robot } = await setup();
    const { Readable } = await import("node:stream");
    const { putEpisodeUpload, runAutoIngest, AUTO_INGEST_QUEUE } = await import("./index");
    const grant = await requestEpisodeUpload(robot, { metadata: { episode_id: "flutter_1", xr_mode: "trainer" } });
    expect(grant).toMatchObject({ episode_id: "flutter_1", format: "json", auto_ingest_after_s: 120 });
    expect(grant.upload_url).toBe("http://localhost:3000/api/rlds/upload/flutter_1");
    const doc = JSON.stringify({ metadata: METADATA, steps: Array.from({ length: 12 }, (_, i) => step(i)) });
    const put = () =>
      putEpisodeUpload(robot, {
        episodeId: "flutter_1",
        contentType: "application/json",
        body: Readable.from([Buffer.from(doc)]),
      });
    expect(
      await caught(
        putEpisodeUpload(robot, { episodeId: "flutter_1", contentType: "text/plain", body: Readable.from([]) }),
      ),
    ).toEqual({
      code: "unsupported_media_type",
      reason: "content_type_mismatch",
    });
    await put();
    ctx.clock.advance(60_000);
    expect((await put()).puts).toBe(2);
    ctx.clock.advance(61_000); // 121 s after the first PUT, 61 s after the second: not settled yet
    expect(await runNextWork(ctx, AUTO_INGEST_QUEUE, runAutoIngest)).toBe(0);
    ctx.clock.advance(60_000);
    expect(await runNextWork(ctx, AUTO_INGEST_QUEUE, runAutoIngest)).toBe(1);
    const episode = (await ctx.db.get(Episodes, "flutter_1"))!.data;
    expect(episode).toMatchObject({ status: "validated", schema_variant: "single_json", format: "json" });
    expect(await caught(put())).toEqual({ code: "conflict", reason: "upload_closed" });
  });

  it("the sweep finishes a promotion nobody came back for", async () => {
    const { ctx, robot } = await setup();
    const { resumeStalledIngests } = await import("./index");
    const bytes = await goodArchive();
    await upload(robot, "ep_sweep", bytes);
    const failing: BlobStore = Object.create(ctx.blobs) as BlobStore;
    failing.copy = async (from, to) => {
      if (to.startsWith("episodes/validated/")) throw new Error("store went away");
      return ctx.blobs.copy(from, to);
    };
    await expect(
      ingestEpisode({ ...robot, blobs: failing }, { episode_id: "ep_sweep", checksum: sha(bytes) }),
    ).rejects.toThrow();
    expect((await ctx.db.get(Episodes, "ep_sweep"))!.data.ingest?.state).toBe("promoting");
    const system = ctx.as({ kind: "system", name: "episode-ingest-sweep" });
    expect(await resumeStalledIngests(system)).toBe(0); // too recent: its own ingest may still be at it
    ctx.clock.advance(5 * 60_000);
    expect(await resumeStalledIngests(system)).toBe(1);
    expect((await ctx.db.get(Episodes, "ep_sweep"))!.data.status).toBe("validated");
  });
});
