import { createHash } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { BlobStore } from "@/lib/blobs/port";
import type { Ctx } from "@/lib/context";
import { isDomainError } from "@/lib/errors";
import { seedRobot } from "@/lib/ota/testing";
import { buildTar, jsonl, METADATA, step } from "@/lib/rlds/__fixtures__/archives";
import { createTestContext, type TestContext } from "@/server/testing/create-test-context";
import {
  deleteEpisode,
  Episodes,
  ingestEpisode,
  requestEpisodeUpload,
  resumeStalledIngests,
  revalidateEpisode,
} from "./index";
import { MAX_INGEST_FAILURES } from "./run-ingest";

const contexts: TestContext[] = [];
afterEach(async () => {
  for (const ctx of contexts.splice(0)) await ctx.cleanup();
});

const ROBOT = "14d4b680";
const sha = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

async function setup() {
  const ctx = createTestContext();
  contexts.push(ctx);
  await seedRobot(ctx, { deviceId: ROBOT, ownerUid: "owner-1" });
  const robot = ctx.as({ kind: "robot", deviceId: ROBOT });
  const operator = ctx.as({ kind: "user", uid: "op-1", role: "operator", email: "op@example.com" });
  return { ctx, robot, operator };
}

async function upload(robot: Ctx, episodeId: string, bytes: Buffer): Promise<void> {
  await requestEpisodeUpload(robot, { robot_id: ROBOT, episode_id: episodeId, metadata: {} });
  await robot.blobs.put(`episodes/raw/${ROBOT}/${episodeId}/episode.tar.gz`, bytes, {
    contentType: "application/gzip",
  });
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

/** Files the local blob store left in its temp folder (a write that never finished). */
function tempFiles(ctx: TestContext): string[] {
  const dir = join(ctx.config.dataDir, "blobs", "tmp");
  return existsSync(dir) ? readdirSync(dir) : [];
}

async function keys(blobs: BlobStore, prefix: string): Promise<string[]> {
  return (await blobs.list(prefix, { limit: 1000 })).items.map((item) => item.key);
}

function archiveOfOneStep(stepLine: string): Promise<Buffer> {
  return buildTar([
    { name: "metadata.json", body: JSON.stringify(METADATA) },
    { name: "steps/000000.jsonl", body: `${stepLine}\n` },
  ]);
}

const deep = (levels: number) => "[".repeat(levels) + "1" + "]".repeat(levels);
const deepObject = (levels: number, leaf: string) => '{"a":'.repeat(levels) + leaf + "}".repeat(levels);

describe("an episode with no usable step is rejected with reasons, never stuck", () => {
  it.each([
    [
      "observation is a number",
      JSON.stringify({ observation: 5, action: { command: [1] } }),
      [{ code: "invalid_field_type", step: 0, field: "observation" }],
    ],
    [
      "no observation",
      JSON.stringify({ action: { command: [1] } }),
      [{ code: "missing_observation", step: 0, field: "observation" }],
    ],
    [
      "observation and action arrays nested 250 levels deep",
      `{"observation":${deep(250)},"action":${deep(250)}}`,
      [{ code: "too_deeply_nested", step: 0, field: `observation${"[0]".repeat(63)}` }],
    ],
    [
      "observation and action objects nested 250 levels deep",
      `{"observation":${deepObject(250, "1")},"action":${deepObject(250, "1")}}`,
      [{ code: "too_deeply_nested", step: 0, field: `observation${".a".repeat(63)}` }],
    ],
    [
      "an action nested 100 000 levels deep around a blob reference",
      `{"observation":{"x":1},"action":${deepObject(100_000, '"blobs/x.png"')}}`,
      [{ code: "too_deeply_nested", step: 0, field: `action${".a".repeat(63)}` }],
    ],
  ])("%s", async (_name, line, expected) => {
    const { ctx, robot, operator } = await setup();
    const bytes = await archiveOfOneStep(line);
    await upload(robot, "ep_unusable", bytes);
    const answer = await ingestEpisode(robot, { episode_id: "ep_unusable", checksum: sha(bytes) });
    expect(answer.status).toBe("rejected");
    expect(answer.errors.map(({ code, step, field }) => ({ code, step, field }))).toEqual(expected);
    const episode = (await ctx.db.get(Episodes, "ep_unusable"))!.data;
    expect(episode.status).toBe("rejected");
    expect(episode.ingest).toMatchObject({ state: "done", failures: 0, last_error: null, staging_prefix: null });
    expect(tempFiles(ctx)).toEqual([]);
    expect(await keys(ctx.blobs, "episodes/staging/")).toEqual([]);
    // A person can act on it: re-validate (rejected again, same reasons) and delete.
    expect((await revalidateEpisode(operator, "ep_unusable")).errors).toEqual(answer.errors);
    expect(await deleteEpisode(operator, "ep_unusable")).toMatchObject({ deleted: true });
  });
});

describe("metadata nested past the step depth limit is refused before it is parsed", () => {
  const steps = () => jsonl(Array.from({ length: 12 }, (_, i) => step(i)));
  it.each([
    [
      "metadata.json nested 100 000 levels deep",
      () =>
        buildTar([
          { name: "metadata.json", body: deepObject(100_000, "1") },
          { name: "steps/000000.jsonl", body: steps() },
        ]),
      [
        {
          code: "too_deeply_nested",
          message: "metadata.json nests objects and arrays deeper than 64 levels.",
          step: null,
          field: null,
          line: null,
          file: "metadata.json",
        },
      ],
    ],
    [
      "a single JSON document whose metadata and step are nested 100 000 levels deep",
      () =>
        buildTar([
          {
            name: "episode.json",
            body: `{"metadata":${deepObject(100_000, "1")},\n"steps":[{"observation":${deepObject(100_000, "1")},"action":{"command":[1]}}]}`,
          },
        ]),
      [
        {
          code: "too_deeply_nested",
          message: 'episode.json line 1: "metadata" nests objects and arrays deeper than 64 levels.',
          step: null,
          field: "metadata",
          line: 1,
          file: "episode.json",
        },
        {
          code: "too_deeply_nested",
          message: `step 0 (episode.json line 2): "observation${".a".repeat(63)}" is nested 65 levels deep; a step may nest objects and arrays at most 64 levels (the step itself is level 1).`,
          step: 0,
          field: `observation${".a".repeat(63)}`,
          line: 2,
          file: "episode.json",
        },
      ],
    ],
  ])("%s", async (_name, build, expected) => {
    const { ctx, robot } = await setup();
    const bytes = await build();
    await upload(robot, "ep_deep_meta", bytes);
    const answer = await ingestEpisode(robot, { episode_id: "ep_deep_meta", checksum: sha(bytes) });
    expect(answer.status).toBe("rejected");
    expect(answer.errors).toEqual(expected);
    const episode = (await ctx.db.get(Episodes, "ep_deep_meta"))!.data;
    expect(episode.status).toBe("rejected");
    expect(episode.ingest).toMatchObject({ state: "done", failures: 0, last_error: null, staging_prefix: null });
    expect(tempFiles(ctx)).toEqual([]);
    expect(await keys(ctx.blobs, "episodes/staging/")).toEqual([]);
    expect(await keys(ctx.blobs, "episodes/validated/")).toEqual([]);
  });
});

/** The blob store, failing every write under a staging prefix whose key ends with `suffix`. */
function failingWrites(ctx: Ctx, suffix: string): BlobStore {
  const failing = Object.create(ctx.blobs) as BlobStore;
  failing.put = async (key, body, options) => {
    if (key.startsWith("episodes/staging/") && key.endsWith(suffix)) {
      if (!(body instanceof Uint8Array)) body.destroy();
      throw new Error("disk went away");
    }
    return ctx.blobs.put(key, body, options);
  };
  return failing;
}

describe("a verb that throws mid-ingest", () => {
  it("answers 503 ingest_failed with the lease given back, then quarantines after the cap", async () => {
    const { ctx, robot, operator } = await setup();
    const bytes = await buildTar([
      { name: "metadata.json", body: JSON.stringify(METADATA) },
      { name: "steps/000000.jsonl", body: jsonl(Array.from({ length: 12 }, (_, i) => step(i))) },
    ]);
    await upload(robot, "ep_throw", bytes);
    const broken = { ...robot, blobs: failingWrites(robot, "index/timestamps.f64") };
    for (let attempt = 1; attempt < MAX_INGEST_FAILURES; attempt++) {
      expect(await caught(ingestEpisode(broken, { episode_id: "ep_throw", checksum: sha(bytes) }))).toEqual({
        code: "unavailable",
        reason: "ingest_failed",
      });
      const episode = (await ctx.db.get(Episodes, "ep_throw"))!.data;
      expect(episode.status).toBe("raw");
      expect(episode.ingest).toMatchObject({
        state: "processing",
        holder: null,
        failures: attempt,
        last_error: "disk went away",
        lease_expires_at: ctx.now().toISOString(),
      });
      expect(tempFiles(ctx)).toEqual([]);
      expect(await keys(ctx.blobs, "episodes/staging/")).toEqual([]);
    }
    const last = await ingestEpisode(broken, { episode_id: "ep_throw", checksum: sha(bytes) });
    expect(last.status).toBe("rejected");
    expect(last.errors).toEqual([
      {
        code: "ingest_failed",
        message: `Ingest failed ${MAX_INGEST_FAILURES} times, so the episode is quarantined: disk went away. Re-validate it once the cause is fixed, or delete it.`,
        step: null,
        field: null,
        line: null,
        file: null,
      },
    ]);
    const quarantined = (await ctx.db.get(Episodes, "ep_throw"))!.data;
    expect(quarantined.status).toBe("rejected");
    expect(quarantined.storage_ref).toBeNull();
    expect(quarantined.ingest).toMatchObject({ state: "done", failures: 0, last_error: "disk went away" });
    expect(tempFiles(ctx)).toEqual([]);
    expect(await keys(ctx.blobs, "episodes/staging/")).toEqual([]);
    expect(await keys(ctx.blobs, "episodes/validated/")).toEqual([]);
    // The same request again gets the stored answer; the sweeper leaves it alone.
    expect(await ingestEpisode(broken, { episode_id: "ep_throw", checksum: sha(bytes) })).toEqual(last);
    ctx.clock.advance(10 * 60_000);
    expect(await resumeStalledIngests(ctx.as({ kind: "system", name: "episode-ingest-sweep" }))).toBe(0);
    // Once the store works again an operator re-validates it, and it is validated.
    expect((await revalidateEpisode(operator, "ep_throw")).status).toBe("validated");
  });

  it("the sweeper retries a failed ingest only up to the cap", async () => {
    const { ctx, robot } = await setup();
    const bytes = await archiveOfOneStep(JSON.stringify(step(0)));
    await upload(robot, "ep_sweep_cap", bytes);
    const broken = failingWrites(robot, "steps.jsonl");
    expect(
      await caught(ingestEpisode({ ...robot, blobs: broken }, { episode_id: "ep_sweep_cap", checksum: sha(bytes) })),
    ).toEqual({ code: "unavailable", reason: "ingest_failed" });
    const system = { ...ctx.as({ kind: "system", name: "episode-ingest-sweep" }), blobs: broken } as Ctx;
    const seen: string[] = [];
    for (let pass = 0; pass < 2 * MAX_INGEST_FAILURES; pass++) {
      ctx.clock.advance(5 * 60_000);
      await resumeStalledIngests(system);
      const episode = (await ctx.db.get(Episodes, "ep_sweep_cap"))!.data;
      seen.push(`${episode.status}/${episode.ingest?.state}/${episode.ingest?.failures}`);
    }
    expect(seen).toEqual([
      "raw/processing/2",
      "rejected/done/0",
      "rejected/done/0",
      "rejected/done/0",
      "rejected/done/0",
      "rejected/done/0",
    ]);
    expect((await ctx.db.get(Episodes, "ep_sweep_cap"))!.data.validation.errors[0]?.code).toBe("ingest_failed");
    expect(tempFiles(ctx)).toEqual([]);
  });

  it("attempts that died without a word (a killed server) count too", async () => {
    const { ctx, robot } = await setup();
    const bytes = await archiveOfOneStep(JSON.stringify(step(0)));
    await upload(robot, "ep_killed", bytes);
    const lapsed = (failures: number) =>
      ctx.db.update(Episodes, "ep_killed", {
        "ingest.state": "processing",
        "ingest.holder": "ing_dead",
        "ingest.lease_expires_at": new Date(ctx.now().getTime() - 1000).toISOString(),
        "ingest.failures": failures,
      });
    // One crash: the next request takes over and finishes.
    await lapsed(0);
    expect((await ingestEpisode(robot, { episode_id: "ep_killed", checksum: sha(bytes) })).status).toBe("validated");

    await upload(robot, "ep_killed_again", bytes);
    await ctx.db.update(Episodes, "ep_killed_again", {
      "ingest.state": "processing",
      "ingest.holder": "ing_dead",
      "ingest.lease_expires_at": new Date(ctx.now().getTime() - 1000).toISOString(),
      "ingest.failures": MAX_INGEST_FAILURES - 1,
    });
    const answer = await ingestEpisode(robot, { episode_id: "ep_killed_again", checksum: sha(bytes) });
    expect(answer.status).toBe("rejected");
    expect(answer.errors[0]?.code).toBe("ingest_failed");
    expect(answer.errors[0]?.message).toContain(`stopped ${MAX_INGEST_FAILURES} times without finishing`);
  });
});
