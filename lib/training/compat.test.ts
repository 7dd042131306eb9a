import { afterEach, describe, expect, it } from "vitest";
import { Episodes } from "@/lib/episodes/schemas";
import { Models } from "@/lib/models/schemas";
import { createTestContext, type TestContext } from "@/server/testing/create-test-context";
import { claimTrainingJob } from "./claim-training-job";
import { createTrainingJobCompat } from "./create-training-job-compat";
import { TrainingJobs } from "./schemas";
import { ADMIN, OPERATOR, trainingWorker } from "./testing/actors";
import { writeEpisodeFixture } from "./testing/write-episode-fixture";
import { updateTrainingJob } from "./update-training-job";

let ctx: TestContext;
afterEach(async () => ctx?.cleanup());

describe("the seed's create and update", () => {
  it("a field trainer creates with episode ids and flat config, runs, and completes with a model_ref", async () => {
    ctx = createTestContext();
    const a = await writeEpisodeFixture(ctx, { steps: 3 });
    const b = await writeEpisodeFixture(ctx, { steps: 3 });
    const { ctx: trainer } = await trainingWorker(ctx);
    const job = await createTrainingJobCompat(trainer, {
      type: "seed",
      episode_ids: [a.id, b.id, a.id],
      config: { batch_size: 64, learning_rate: 0.001, num_steps: 100, obs_dim: 128 },
      robot_model: "companion-v1",
    });
    expect(job).toMatchObject({
      status: "queued",
      source: "api",
      config: {
        episode_ids: [a.id, b.id],
        hyperparams: { batch_size: 64, learning_rate: 0.001, num_steps: 100, obs_dim: 128 },
      },
      created_by: { kind: "training" },
    });
    const running = await updateTrainingJob(trainer, { job_id: job.job_id, status: "running" });
    expect(running).toMatchObject({ status: "running", lease_id: expect.stringMatching(/^lse_/) });
    await expect(updateTrainingJob(trainer, { job_id: job.job_id, status: "running" })).resolves.toMatchObject({
      status: "running",
    });
    await expect(updateTrainingJob(trainer, { job_id: job.job_id, status: "completed" })).rejects.toMatchObject({
      code: "invalid",
      reason: "model_ref_required",
    });
    await ctx.blobs.put(`models/checkpoints/${job.job_id}/model.pkl`, Buffer.from("p"));
    const done = await updateTrainingJob(trainer, {
      job_id: job.job_id,
      status: "completed",
      output: {
        model_ref: `gs://continuon-rlds/models/checkpoints/${job.job_id}/`,
        metrics: { loss: 0.01, accuracy: 0.95 },
      },
    });
    expect(done).toMatchObject({ status: "completed", model_id: expect.stringMatching(/^mdl_/) });
    expect((await ctx.db.get(Models, done.model_id as string))?.data.metrics).toEqual({ loss: 0.01, accuracy: 0.95 });
    expect((await ctx.db.get(Episodes, a.id))?.data.status).toBe("trained");
  });

  it("completing a queued job with a missing checkpoint claims nothing", async () => {
    ctx = createTestContext();
    const a = await writeEpisodeFixture(ctx, { steps: 3 });
    const { ctx: trainer } = await trainingWorker(ctx);
    const job = await createTrainingJobCompat(ctx.as(OPERATOR), { type: "seed", episode_ids: [a.id] });
    await expect(
      updateTrainingJob(trainer, {
        job_id: job.job_id,
        status: "completed",
        model_ref: `models/checkpoints/${job.job_id}/`,
      }),
    ).rejects.toMatchObject({ code: "conflict", reason: "checkpoint_missing" });
    expect((await ctx.db.get(TrainingJobs, job.job_id))?.data).toMatchObject({ status: "queued", attempts: 0 });
  });

  it("another token's job is not yours; operators record failures but never run jobs", async () => {
    ctx = createTestContext();
    const a = await writeEpisodeFixture(ctx, { steps: 3 });
    const { ctx: one } = await trainingWorker(ctx, ["training"], "one");
    const { ctx: two } = await trainingWorker(ctx, ["training"], "two");
    const job = await createTrainingJobCompat(ctx.as(OPERATOR), { type: "seed", episode_ids: [a.id] });
    await claimTrainingJob(one, { job_id: job.job_id });
    await expect(updateTrainingJob(two, { job_id: job.job_id, status: "failed", error: "x" })).rejects.toMatchObject({
      code: "forbidden",
      reason: "not_lease_holder",
    });
    await expect(updateTrainingJob(ctx.as(OPERATOR), { job_id: job.job_id, status: "running" })).rejects.toMatchObject({
      reason: "status_not_allowed",
    });
    const failed = await updateTrainingJob(ctx.as(ADMIN), {
      job_id: job.job_id,
      status: "failed",
      error: "Colab runtime died",
    });
    expect(failed.status).toBe("failed");
    expect((await ctx.db.get(TrainingJobs, job.job_id))?.data).toMatchObject({
      error: { message: "Colab runtime died" },
      lease_history: [{ end_reason: "failed" }],
    });
    await expect(updateTrainingJob(one, { job_id: "job_nope", status: "running" })).rejects.toMatchObject({
      code: "not_found",
    });
  });
});
