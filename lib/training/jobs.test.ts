import { afterEach, describe, expect, it } from "vitest";
import { listAudit } from "@/lib/audit/list-audit";
import { Episodes } from "@/lib/episodes/schemas";
import { createTestContext, type TestContext } from "@/server/testing/create-test-context";
import { cancelTrainingJob } from "./cancel-training-job";
import { createTrainingJob } from "./create-training-job";
import { datasetHash } from "./dataset-hash";
import { DatasetPreviews, PREVIEW_TTL_MS, sweepDatasetPreviews } from "./dataset-previews";
import { getTrainingJob } from "./get-training-job";
import { listTrainingJobs } from "./list-training-jobs";
import { listTrainingRobotModels } from "./list-training-robot-models";
import { previewTrainingDataset } from "./preview-training-dataset";
import { TrainingJobs } from "./schemas";
import { syncJobEpisodes } from "./sync-job-episodes";
import { ADMIN, OPERATOR, OWNER } from "./testing/actors";
import { writeEpisodeFixture } from "./testing/write-episode-fixture";

let ctx: TestContext;
afterEach(async () => ctx?.cleanup());

async function fleet(c: TestContext) {
  const made: Record<string, string> = {};
  const rows: Array<[string, Parameters<typeof writeEpisodeFixture>[1]]> = [
    ["a", { robotModel: "companion-v1", tags: ["pick-place"], quality: 0.95 }],
    ["b", { robotModel: "companion-v1", tags: ["pick-place", "kitchen"], quality: 0.7 }],
    ["c", { robotModel: "companion-v1", tags: ["kitchen"], quality: 0.9, eligible: false }],
    ["d", { robotModel: "rover-v2", robotId: "aaaaaaaa", tags: ["pick-place"], quality: 0.99 }],
    ["e", { robotModel: "companion-v1", tags: ["pick-place"], status: "rejected" }],
  ];
  for (const [name, input] of rows) {
    c.clock.advance(60_000);
    made[name] = (await writeEpisodeFixture(c, { ...input, steps: 5 })).id;
  }
  return made;
}

describe("creating training jobs", () => {
  it("previews the count and hash, then snapshots exactly that set with field defaults; episodes move to training", async () => {
    ctx = createTestContext();
    const ep = await fleet(ctx);
    const op = ctx.as(OPERATOR);
    const filter = { robot_model: "companion-v1", tags: ["pick-place"], min_quality: 0.8 };
    const preview = await previewTrainingDataset(op, filter);
    expect(preview).toMatchObject({ matched: 1, selected: 1, sample: [ep.a] });
    expect(preview.episode_set_sha256).toBe(datasetHash([ep.a as string]));

    const job = await createTrainingJob(op, { type: "seed", filter, expected_sha256: preview.episode_set_sha256 });
    expect(job).toMatchObject({
      type: "seed",
      status: "queued",
      robot_model: "companion-v1",
      config: {
        episode_ids: [ep.a],
        model_base: null,
        hyperparams: { batch_size: 256, learning_rate: 1e-4, num_steps: 10_000 },
      },
      dataset: { episode_count: 1, episode_set_sha256: preview.episode_set_sha256 },
      attempts: 0,
      max_attempts: 3,
      source: "console",
      created_by: { kind: "user", id: OPERATOR.kind === "user" ? OPERATOR.uid : "" },
    });
    expect(job.colab_notebook_url).toBe(
      `https://colab.research.google.com/github/continuonai/continuon-cloud/blob/main/notebooks/01_seed_model_training.ipynb#job_id=${job.job_id}`,
    );
    expect((await ctx.db.get(Episodes, ep.a as string))?.data).toMatchObject({
      status: "training",
      training_job_id: job.job_id,
    });
    expect((await ctx.db.get(Episodes, ep.b as string))?.data.status).toBe("validated");
    const audit = await listAudit(ctx.as(ADMIN), { action: "training.job_create" });
    expect(audit.docs[0]?.data).toMatchObject({ target: { id: job.job_id }, details: { episode_count: 1 } });
    expect((await listTrainingJobs(op, { status: "queued" })).jobs.map((j) => j.job_id)).toEqual([job.job_id]);
    expect((await getTrainingJob(op, job.job_id)).config.episode_ids).toEqual([ep.a]);
  });

  it.each([
    [
      "robot and dates",
      { robot_id: "aaaaaaaa", uploaded_from: "2026-01-01T00:00:00Z", uploaded_to: "2027-01-01T00:00:00Z" },
      ["d"],
    ],
    ["robot, all eligibility", { robot_id: "14d4b680", eligible_only: false }, ["c", "b", "a"]],
    ["robot model since a date", { robot_model: "companion-v1", uploaded_from: "2026-06-01T12:01:30Z" }, ["b"]],
    ["every eligible episode, min quality", { min_quality: 0.9 }, ["d", "a"]],
    ["dates that exclude everything", { uploaded_to: "2020-01-01T00:00:00Z" }, []],
  ])("filters by %s (each query shape has its index)", async (_name, filter, expected) => {
    ctx = createTestContext();
    const ep = await fleet(ctx);
    const preview = await previewTrainingDataset(ctx.as(OPERATOR), filter);
    expect(preview.sample).toEqual(expected.map((name) => ep[name]));
    expect(await listTrainingRobotModels(ctx.as(OPERATOR))).toEqual(["companion-v1", "rover-v2"]);
  });

  it("refuses a reversed date range", async () => {
    ctx = createTestContext();
    await expect(
      previewTrainingDataset(ctx.as(OPERATOR), {
        uploaded_from: "2027-01-01T00:00:00Z",
        uploaded_to: "2026-01-01T00:00:00Z",
      }),
    ).rejects.toMatchObject({ code: "invalid", reason: "invalid_input" });
  });

  it("takes the newest when max_episodes cuts the match, and keeps extra hyper-parameters", async () => {
    ctx = createTestContext();
    const ep = await fleet(ctx);
    const job = await createTrainingJob(ctx.as(OPERATOR), {
      type: "seed",
      filter: { robot_model: "companion-v1", eligible_only: true, max_episodes: 1 },
      hyperparams: { num_steps: 50, obs_dim: 128 },
    });
    expect(job.config.episode_ids).toEqual([ep.b]);
    expect(job.config.hyperparams).toEqual({ batch_size: 256, learning_rate: 1e-4, num_steps: 50, obs_dim: 128 });
  });

  it.each([
    [
      "a filter that matches nothing",
      { type: "seed", filter: { robot_model: "nobody-v9" } },
      "invalid",
      "empty_dataset",
    ],
    ["an empty id list", { type: "seed", episode_ids: [] }, "invalid", "empty_dataset"],
    ["an unknown episode", { type: "seed", episode_ids: ["ep_missing"] }, "invalid", "unknown_episode"],
    ["both filter and ids", { type: "seed", filter: {}, episode_ids: ["x"] }, "invalid", "invalid_input"],
    ["a bad type", { type: "big", filter: {} }, "invalid", "invalid_input"],
    [
      "negative learning rate",
      { type: "seed", filter: {}, hyperparams: { learning_rate: -1 } },
      "invalid",
      "invalid_input",
    ],
    ["mixed robot models", { type: "seed", filter: { eligible_only: true } }, "invalid", "robot_model_required"],
    [
      "a slow loop without a production model",
      { type: "slow_loop", filter: { robot_model: "companion-v1" } },
      "conflict",
      "no_production_model",
    ],
    [
      "a finetune without a base",
      { type: "finetune", filter: { robot_model: "companion-v1" } },
      "invalid",
      "model_base_required",
    ],
    [
      "an unknown base model",
      { type: "seed", filter: { robot_model: "companion-v1" }, model_base: "mdl_x" },
      "invalid",
      "unknown_model_base",
    ],
    [
      "a stale preview",
      { type: "seed", filter: { robot_model: "companion-v1" }, expected_sha256: "0".repeat(64) },
      "conflict",
      "dataset_changed",
    ],
  ])("refuses %s and creates nothing", async (_name, input, code, reason) => {
    ctx = createTestContext();
    const ep = await fleet(ctx);
    await expect(createTrainingJob(ctx.as(OPERATOR), input)).rejects.toMatchObject({ code, reason });
    expect(await ctx.db.count(TrainingJobs)).toBe(0);
    expect((await ctx.db.get(Episodes, ep.a as string))?.data.status).toBe("validated");
  });

  it("refuses a rejected episode by id, naming it", async () => {
    ctx = createTestContext();
    const ep = await fleet(ctx);
    await expect(
      createTrainingJob(ctx.as(OPERATOR), { type: "seed", episode_ids: [ep.a, ep.e] }),
    ).rejects.toMatchObject({
      reason: "episode_not_trainable",
      message: expect.stringContaining(`${ep.e} (episode_ids[1]) is rejected`),
    });
    expect(await ctx.db.count(TrainingJobs)).toBe(0);
  });

  it("is for operators: owners and anonymous callers are refused", async () => {
    ctx = createTestContext();
    await fleet(ctx);
    await expect(createTrainingJob(ctx.as(OWNER), { type: "seed", filter: {} })).rejects.toMatchObject({
      code: "forbidden",
    });
    await expect(createTrainingJob(ctx, { type: "seed", filter: {} })).rejects.toMatchObject({
      code: "unauthenticated",
    });
    await expect(previewTrainingDataset(ctx.as(OWNER), {})).rejects.toMatchObject({ code: "forbidden" });
  });
});

describe("a preview pins the episode set", () => {
  it("a job created from the preview takes exactly the previewed episodes, whatever arrived since", async () => {
    ctx = createTestContext();
    const ep = await fleet(ctx);
    const op = ctx.as(OPERATOR);
    const filter = { robot_model: "companion-v1", tags: ["pick-place"] };
    const preview = await previewTrainingDataset(op, filter);
    expect(preview).toMatchObject({ selected: 2, sample: [ep.b, ep.a] });
    expect(preview.preview_id).toMatch(/^dsp_/);
    expect(preview.expires_at).toBe(new Date(ctx.now().getTime() + PREVIEW_TTL_MS).toISOString());

    // The fleet keeps uploading matching episodes after the count.
    ctx.clock.advance(30_000);
    const late = await writeEpisodeFixture(ctx, { robotModel: "companion-v1", tags: ["pick-place"], steps: 5 });
    await expect(
      createTrainingJob(op, { type: "seed", filter, expected_sha256: preview.episode_set_sha256 }),
    ).rejects.toMatchObject({ code: "conflict", reason: "dataset_changed" });

    const job = await createTrainingJob(op, {
      type: "seed",
      preview_id: preview.preview_id,
      expected_sha256: preview.episode_set_sha256,
    });
    expect(job.config.episode_ids).toEqual([ep.b, ep.a]);
    expect(job.config.filter).toEqual({ ...filter, eligible_only: true });
    expect(job.robot_model).toBe("companion-v1");
    expect(job.dataset).toEqual({ episode_count: 2, episode_set_sha256: preview.episode_set_sha256 });
    expect((await ctx.db.get(Episodes, late.id))?.data.status).toBe("validated");
    const audit = await listAudit(ctx.as(ADMIN), { action: "training.job_create" });
    expect(audit.docs[0]?.data.details).toMatchObject({ preview_id: preview.preview_id, episode_count: 2 });
  });

  it("refuses an unknown or expired preview, one that lost an episode, or one mixed with a filter; creates nothing", async () => {
    ctx = createTestContext();
    const ep = await fleet(ctx);
    const op = ctx.as(OPERATOR);
    const preview = await previewTrainingDataset(op, { robot_model: "companion-v1", tags: ["pick-place"] });
    const refusals: Array<[unknown, string, string]> = [
      [{ type: "seed", preview_id: "dsp_nothing" }, "not_found", "preview_not_found"],
      [
        { type: "seed", preview_id: preview.preview_id, filter: { robot_model: "companion-v1" } },
        "invalid",
        "invalid_input",
      ],
      [
        { type: "seed", preview_id: preview.preview_id, expected_sha256: "0".repeat(64) },
        "conflict",
        "dataset_changed",
      ],
    ];
    for (const [input, code, reason] of refusals) {
      await expect(createTrainingJob(op, input)).rejects.toMatchObject({ code, reason });
    }
    await ctx.db.update(Episodes, ep.a as string, { status: "rejected" });
    await expect(createTrainingJob(op, { type: "seed", preview_id: preview.preview_id })).rejects.toMatchObject({
      code: "conflict",
      reason: "dataset_changed",
      details: { episode_id: ep.a },
    });
    await ctx.db.update(Episodes, ep.a as string, { status: "validated" });
    ctx.clock.advance(PREVIEW_TTL_MS);
    await expect(createTrainingJob(op, { type: "seed", preview_id: preview.preview_id })).rejects.toMatchObject({
      code: "conflict",
      reason: "preview_expired",
    });
    expect(await ctx.db.count(TrainingJobs)).toBe(0);
    expect((await ctx.db.get(Episodes, ep.b as string))?.data.status).toBe("validated");

    // The sweep deletes lapsed previews only.
    ctx.clock.advance(1);
    const fresh = await previewTrainingDataset(op, { robot_model: "companion-v1" });
    expect(await sweepDatasetPreviews(ctx)).toBe(1);
    expect(await ctx.db.get(DatasetPreviews, preview.preview_id)).toBeNull();
    expect(await ctx.db.get(DatasetPreviews, fresh.preview_id)).not.toBeNull();
  });
});

describe("cancelling", () => {
  it("cancels a queued job (audited); its episodes go back to validated; a finished job cannot be cancelled", async () => {
    ctx = createTestContext();
    const ep = await fleet(ctx);
    const op = ctx.as(OPERATOR);
    const job = await createTrainingJob(op, { type: "seed", filter: { robot_model: "companion-v1" } });
    const cancelled = await cancelTrainingJob(op, job.job_id, { reason: "wrong dataset" });
    expect(cancelled).toMatchObject({
      status: "cancelled",
      cancelled_by: "op@example.test",
      error: { reason: "cancelled" },
    });
    expect((await ctx.db.get(Episodes, ep.a as string))?.data).toMatchObject({
      status: "validated",
      training_job_id: null,
    });
    await expect(cancelTrainingJob(op, job.job_id)).rejects.toMatchObject({ code: "conflict", reason: "job_finished" });
    await expect(cancelTrainingJob(ctx.as(OWNER), job.job_id)).rejects.toMatchObject({ code: "forbidden" });
    const audit = await listAudit(ctx.as(ADMIN), { action: "training.job_cancel" });
    expect(audit.docs[0]?.data.details).toMatchObject({ from: "queued", reason: "wrong dataset" });
  });

  it("the episode sync is idempotent and shows an episode's newest active job", async () => {
    ctx = createTestContext();
    const ep = await fleet(ctx);
    const op = ctx.as(OPERATOR);
    const first = await createTrainingJob(op, { type: "seed", episode_ids: [ep.a] });
    ctx.clock.advance(1000);
    const second = await createTrainingJob(op, { type: "seed", episode_ids: [ep.a] });
    expect(await syncJobEpisodes(ctx, first.job_id)).toEqual({ changed: 0 });
    expect((await ctx.db.get(Episodes, ep.a as string))?.data.training_job_id).toBe(second.job_id);
  });
});
