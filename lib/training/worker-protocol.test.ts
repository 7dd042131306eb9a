import { afterEach, describe, expect, it } from "vitest";
import { listAudit } from "@/lib/audit/list-audit";
import { Episodes } from "@/lib/episodes/schemas";
import { getEpisodeLineage } from "@/lib/models/get-episode-lineage";
import { getModelLineage } from "@/lib/models/get-model-lineage";
import { Models } from "@/lib/models/schemas";
import { createTestContext, type TestContext } from "@/server/testing/create-test-context";
import { appendTrainingLogs } from "./append-training-logs";
import { cancelTrainingJob } from "./cancel-training-job";
import { claimTrainingJob } from "./claim-training-job";
import { completeTrainingJob } from "./complete-training-job";
import { createCheckpointUploadUrl } from "./create-checkpoint-upload-url";
import { createTrainingJob } from "./create-training-job";
import { failTrainingJob } from "./fail-training-job";
import { findTrainingEpisodes } from "./find-training-episodes";
import { heartbeatTrainingJob } from "./heartbeat-training-job";
import { listJobEpisodes } from "./list-job-episodes";
import { listQueuedTrainingJobs } from "./list-queued-training-jobs";
import { listTrainingLogs } from "./list-training-logs";
import { listTrainingMetrics } from "./list-training-metrics";
import { reportTrainingMetrics } from "./report-training-metrics";
import { requeueLapsedTrainingJobs } from "./requeue-lapsed-training-jobs";
import { TrainingJobs, TrainingLogs, TrainingMetrics } from "./schemas";
import { ADMIN, OPERATOR, trainingWorker } from "./testing/actors";
import { writeEpisodeFixture } from "./testing/write-episode-fixture";

let ctx: TestContext;
afterEach(async () => ctx?.cleanup());

async function setup(episodes = 2) {
  ctx = createTestContext();
  const ids: string[] = [];
  for (let i = 0; i < episodes; i++) {
    ctx.clock.advance(1000);
    ids.push((await writeEpisodeFixture(ctx, { steps: 4 })).id);
  }
  const job = await createTrainingJob(ctx.as(OPERATOR), { type: "seed", filter: { robot_model: "companion-v1" } });
  const alice = await trainingWorker(ctx, ["training"], "alice");
  const bob = await trainingWorker(ctx, ["training"], "bob");
  return { ids, job, alice: alice.ctx, bob: bob.ctx };
}

async function uploadCheckpoint(c: TestContext, jobId: string, path = "seed_model.npz") {
  await c.blobs.put(`models/checkpoints/${jobId}/${path}`, Buffer.from("weights"));
}

describe("claiming", () => {
  it("lists queued jobs oldest first and claims under a lease (audited, logged)", async () => {
    const { job, alice } = await setup();
    expect((await listQueuedTrainingJobs(alice)).map((j) => j.job_id)).toEqual([job.job_id]);
    const claim = await claimTrainingJob(alice, { worker: "colab-ada", lease_s: 120 });
    expect(claim.job).toMatchObject({ job_id: job.job_id, status: "running", attempts: 1 });
    expect(claim.lease?.lease_id).toMatch(/^lse_/);
    expect(claim.lease?.expires_at).toBe(new Date(ctx.now().getTime() + 120_000).toISOString());
    expect(JSON.stringify(claim.job)).not.toContain(claim.lease?.lease_id);
    expect(await listQueuedTrainingJobs(alice)).toEqual([]);
    expect((await claimTrainingJob(alice, {})).job).toBeNull();
    expect((await listAudit(ctx.as(ADMIN), { action: "training.job_claim" })).docs).toHaveLength(1);
    expect((await listTrainingLogs(ctx.as(OPERATOR), job.job_id)).lines[0]?.message).toContain("Claimed by colab-ada");
  });

  it("two workers claiming at once: one wins, the other gets nothing (general) or 409 (that job)", async () => {
    const { job, alice, bob } = await setup();
    const results = await Promise.all([claimTrainingJob(alice, {}), claimTrainingJob(bob, {})]);
    expect(results.filter((r) => r.job !== null)).toHaveLength(1);
    expect((await ctx.db.get(TrainingJobs, job.job_id))?.data.attempts).toBe(1);

    const second = await createTrainingJob(ctx.as(OPERATOR), { type: "seed", filter: { robot_model: "companion-v1" } });
    const race = await Promise.allSettled([
      claimTrainingJob(alice, { job_id: second.job_id }),
      claimTrainingJob(bob, { job_id: second.job_id }),
    ]);
    expect(race.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const lost = race.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(lost.reason).toMatchObject({ code: "conflict", reason: "job_already_claimed" });
    const stored = await ctx.db.get(TrainingJobs, second.job_id);
    expect(stored?.data.attempts).toBe(1);
    expect((await listAudit(ctx.as(ADMIN), { action: "training.job_claim" })).docs).toHaveLength(2);
  });

  it("operators and read-only callers cannot claim", async () => {
    const { job } = await setup();
    await expect(claimTrainingJob(ctx.as(OPERATOR), {})).rejects.toMatchObject({ reason: "training_token_required" });
    expect((await ctx.db.get(TrainingJobs, job.job_id))?.data.status).toBe("queued");
  });
});

describe("leases", () => {
  it("heartbeats renew the lease and record progress", async () => {
    const { job, alice } = await setup();
    const claim = await claimTrainingJob(alice, { lease_s: 60 });
    ctx.clock.advance(50_000);
    const beat = await heartbeatTrainingJob(alice, job.job_id, {
      lease_id: claim.lease?.lease_id,
      progress: { step: 2500, message: "epoch 1" },
    });
    expect(beat.lease_expires_at).toBe(new Date(ctx.now().getTime() + 60_000).toISOString());
    expect(beat.progress).toMatchObject({ step: 2500, total_steps: 10_000, fraction: 0.25, message: "epoch 1" });
    ctx.clock.advance(50_000);
    await expect(requeueLapsedTrainingJobs(ctx)).resolves.toBe(0);
  });

  it("a heartbeat after the lease lapsed is 409 lease_expired, before and after the job is requeued", async () => {
    const { job, alice, bob } = await setup();
    const claim = await claimTrainingJob(alice, { lease_s: 60 });
    ctx.clock.advance(61_000);
    const beat = { lease_id: claim.lease?.lease_id };
    await expect(heartbeatTrainingJob(alice, job.job_id, beat)).rejects.toMatchObject({
      code: "conflict",
      reason: "lease_expired",
    });
    expect(await requeueLapsedTrainingJobs(ctx)).toBe(1);
    const requeued = await ctx.db.get(TrainingJobs, job.job_id);
    expect(requeued?.data).toMatchObject({ status: "queued", lease: null, error: { reason: "lease_lapsed" } });
    await expect(heartbeatTrainingJob(alice, job.job_id, beat)).rejects.toMatchObject({
      code: "conflict",
      reason: "lease_expired",
    });
    await claimTrainingJob(bob, { job_id: job.job_id });
    await expect(heartbeatTrainingJob(alice, job.job_id, beat)).rejects.toMatchObject({
      code: "conflict",
      reason: "lease_expired",
    });
    const after = await ctx.db.get(TrainingJobs, job.job_id);
    expect(after?.data.lease?.token_id).not.toBe(requeued?.data.lease?.token_id);
    expect((await listAudit(ctx.as(ADMIN), { action: "training.job_requeue" })).docs).toHaveLength(1);
  });

  it("lapsed leases requeue until the attempts run out, then the job fails and its episodes are released", async () => {
    const { job, ids, alice } = await setup();
    for (let attempt = 1; attempt <= 3; attempt++) {
      const claim = await claimTrainingJob(alice, { lease_s: 10 });
      expect(claim.job?.attempts).toBe(attempt);
      ctx.clock.advance(11_000);
      expect(await requeueLapsedTrainingJobs(ctx)).toBe(1);
    }
    const failed = await ctx.db.get(TrainingJobs, job.job_id);
    expect(failed?.data).toMatchObject({ status: "failed", attempts: 3, error: { reason: "attempts_exhausted" } });
    expect(failed?.data.lease_history.map((l) => l.end_reason)).toEqual(["lapsed", "lapsed", "lapsed"]);
    expect((await ctx.db.get(Episodes, ids[0] as string))?.data.status).toBe("validated");
    expect((await claimTrainingJob(alice, {})).job).toBeNull();
  });
});

describe("reporting", () => {
  it("metric points go to their own collection; retries overwrite; the job keeps only the latest", async () => {
    const { job, alice } = await setup();
    const claim = await claimTrainingJob(alice, {});
    const lease_id = claim.lease?.lease_id;
    const points = [0, 10, 20].map((step) => ({ step, loss: 1 / (step + 1), grad_norm: 0.5, elapsed_s: step / 10 }));
    await expect(reportTrainingMetrics(alice, job.job_id, { lease_id, points })).resolves.toMatchObject({
      accepted: 3,
      latest_step: 20,
    });
    await reportTrainingMetrics(alice, job.job_id, { lease_id, points: [{ step: 20, loss: 0.04, accuracy: 0.9 }] });
    expect(await ctx.db.count(TrainingMetrics, { where: [{ field: "job_id", op: "==", value: job.job_id }] })).toBe(3);
    const stored = await ctx.db.get(TrainingJobs, job.job_id);
    expect(stored?.data).toMatchObject({
      latest_metrics: { loss: 0.04, accuracy: 0.9 },
      latest_metrics_step: 20,
      progress: { step: 20 },
    });
    const chart = await listTrainingMetrics(ctx.as(OPERATOR), job.job_id, { after_step: 0 });
    expect(chart.points.map((p) => p.step)).toEqual([10, 20]);
    expect(chart.points[1]).toEqual({ step: 20, loss: 0.04, accuracy: 0.9 });

    ctx.clock.advance(1);
    await appendTrainingLogs(alice, job.job_id, {
      lease_id,
      lines: [{ message: "one" }, { level: "warn", message: "two" }],
    });
    const logs = await listTrainingLogs(ctx.as(OPERATOR), job.job_id);
    expect(logs.lines.slice(-2).map((l) => [l.level, l.message])).toEqual([
      ["info", "one"],
      ["warn", "two"],
    ]);
  });

  it.each([
    ["no points", { points: [] }],
    ["a point without step", { points: [{ loss: 1 }] }],
    ["a point with only step", { points: [{ step: 1 }] }],
    ["a negative step", { points: [{ step: -1, loss: 1 }] }],
    ["a string metric", { points: [{ step: 1, loss: "low" }] }],
    ["a bad metric name", { points: [{ step: 1, "lo ss": 1 }] }],
    ["too many points", { points: Array.from({ length: 501 }, (_, step) => ({ step, loss: 1 })) }],
  ])("refuses metrics with %s and stores nothing", async (_name, body) => {
    const { job, alice } = await setup();
    const claim = await claimTrainingJob(alice, {});
    await expect(
      reportTrainingMetrics(alice, job.job_id, { lease_id: claim.lease?.lease_id, ...body }),
    ).rejects.toMatchObject({
      code: "invalid",
      reason: "invalid_input",
    });
    expect(await ctx.db.count(TrainingMetrics)).toBe(0);
  });

  it("metrics for a cancelled job are 409 job_cancelled and store nothing", async () => {
    const { job, alice } = await setup();
    const claim = await claimTrainingJob(alice, {});
    await cancelTrainingJob(ctx.as(OPERATOR), job.job_id, {});
    const lease_id = claim.lease?.lease_id;
    await expect(
      reportTrainingMetrics(alice, job.job_id, { lease_id, points: [{ step: 1, loss: 1 }] }),
    ).rejects.toMatchObject({
      code: "conflict",
      reason: "job_cancelled",
    });
    await expect(heartbeatTrainingJob(alice, job.job_id, { lease_id })).rejects.toMatchObject({
      reason: "job_cancelled",
    });
    expect(await ctx.db.count(TrainingMetrics)).toBe(0);
    expect((await ctx.db.get(TrainingJobs, job.job_id))?.data.metric_count).toBe(0);
  });
});

describe("checkpoints", () => {
  it("signs uploads only under models/checkpoints/{job_id}/", async () => {
    const { job, alice } = await setup();
    const claim = await claimTrainingJob(alice, {});
    const lease_id = claim.lease?.lease_id;
    const ok = await createCheckpointUploadUrl(alice, job.job_id, {
      lease_id,
      path: "config/model_config.json",
      content_type: "application/json",
    });
    expect(ok).toMatchObject({
      key: `models/checkpoints/${job.job_id}/config/model_config.json`,
      model_ref: `models/checkpoints/${job.job_id}/`,
    });
    expect(ok.upload_url).toContain(`/api/blobs/models/checkpoints/${job.job_id}/config/model_config.json?`);
    const outside: Array<[string, Record<string, string>, string, string]> = [
      ["a parent path", { path: "../job_other/model.npz" }, "forbidden", "outside_job_prefix"],
      ["a climbing path", { path: "a/../../../production/x" }, "forbidden", "outside_job_prefix"],
      ["an absolute path", { path: "/etc/passwd" }, "forbidden", "outside_job_prefix"],
      ["another job's key", { key: "models/checkpoints/job_other/model.npz" }, "forbidden", "outside_job_prefix"],
      [
        "a production key",
        { key: "models/production/companion-v1/v9.0.0/model.npz" },
        "forbidden",
        "outside_job_prefix",
      ],
      [
        "a key sneaking out",
        { key: `models/checkpoints/${job.job_id}/../job_other/x` },
        "forbidden",
        "outside_job_prefix",
      ],
      ["the folder itself", { path: "." }, "forbidden", "outside_job_prefix"],
      ["a backslash", { path: "a\\b" }, "invalid", "invalid_blob_key"],
      ["a double slash", { path: "a//b" }, "invalid", "invalid_blob_key"],
      ["both path and key", { path: "a", key: `models/checkpoints/${job.job_id}/a` }, "invalid", "invalid_input"],
    ];
    for (const [name, body, code, reason] of outside) {
      await expect(createCheckpointUploadUrl(alice, job.job_id, { lease_id, ...body }), name).rejects.toMatchObject({
        code,
        reason,
      });
    }
  });

  it("completing a job that is not yours is 403 not_lease_holder and changes nothing", async () => {
    const { job, alice, bob } = await setup();
    await claimTrainingJob(alice, {});
    await uploadCheckpoint(ctx, job.job_id);
    await expect(
      completeTrainingJob(bob, job.job_id, { lease_id: "lse_guess", metrics: { loss: 0.1 } }),
    ).rejects.toMatchObject({
      code: "forbidden",
      reason: "not_lease_holder",
    });
    await expect(completeTrainingJob(bob, job.job_id, { metrics: { loss: 0.1 } })).rejects.toMatchObject({
      reason: "not_lease_holder",
    });
    await expect(failTrainingJob(bob, job.job_id, { error: "mine now" })).rejects.toMatchObject({
      reason: "not_lease_holder",
    });
    await expect(createCheckpointUploadUrl(bob, job.job_id, { path: "x.npz" })).rejects.toMatchObject({
      reason: "not_lease_holder",
    });
    expect((await ctx.db.get(TrainingJobs, job.job_id))?.data.status).toBe("running");
    expect(await ctx.db.count(Models)).toBe(0);
  });

  it("completes with a model: models entry with lineage, episodes trained, lineage both ways", async () => {
    const { job, ids, alice } = await setup(3);
    const claim = await claimTrainingJob(alice, { worker: "colab" });
    const lease_id = claim.lease?.lease_id;
    await expect(completeTrainingJob(alice, job.job_id, { lease_id })).rejects.toMatchObject({
      code: "conflict",
      reason: "checkpoint_missing",
    });
    await expect(
      completeTrainingJob(alice, job.job_id, { lease_id, model_ref: "models/production/companion-v1/v1.0.0/" }),
    ).rejects.toMatchObject({
      reason: "outside_job_prefix",
    });
    await uploadCheckpoint(ctx, job.job_id, "seed_model.npz");
    await uploadCheckpoint(ctx, job.job_id, "config/model_config.json");
    await reportTrainingMetrics(alice, job.job_id, { lease_id, points: [{ step: 100, loss: 0.2 }] });
    const done = await completeTrainingJob(alice, job.job_id, {
      lease_id,
      model_ref: `gs://continuon-rlds/models/checkpoints/${job.job_id}/seed_model.npz`,
      metrics: { loss: 0.1, accuracy: 0.95 },
    });
    expect(done.job).toMatchObject({
      status: "completed",
      output: {
        model_ref: `models/checkpoints/${job.job_id}/`,
        metrics: { loss: 0.1, accuracy: 0.95 },
        model_id: done.model.model_id,
      },
      lease: null,
    });
    expect(done.model).toMatchObject({
      name: "seed-companion-v1",
      version: "1.0.0",
      robot_model: "companion-v1",
      stage: "seed",
      storage_ref: `models/checkpoints/${job.job_id}/`,
      training_job_id: job.job_id,
      dataset: job.dataset,
      files: [
        { path: "config/model_config.json", size_bytes: 7 },
        { path: "seed_model.npz", size_bytes: 7 },
      ],
    });
    for (const id of ids) {
      expect((await ctx.db.get(Episodes, id))?.data).toMatchObject({
        status: "trained",
        training_job_id: job.job_id,
        contributed_to_models: [done.model.model_id],
      });
    }
    const down = await getModelLineage(ctx.as(OPERATOR), done.model.model_id);
    expect(down).toMatchObject({
      job: { job_id: job.job_id },
      dataset: job.dataset,
      episodes_total: 3,
      parent: null,
      children: [],
    });
    expect(down.episodes.map((e) => e.status)).toEqual(["trained", "trained", "trained"]);
    const up = await getEpisodeLineage(ctx.as(OPERATOR), ids[0] as string);
    expect(up.models.map((m) => m.model_id)).toEqual([done.model.model_id]);
    await expect(completeTrainingJob(alice, job.job_id, { lease_id })).rejects.toMatchObject({
      reason: "job_not_running",
    });
    expect((await listAudit(ctx.as(ADMIN), { action: "training.job_complete" })).docs).toHaveLength(1);
  });

  it("fails with an error, or goes back to the queue with retry while attempts remain", async () => {
    const { job, ids, alice } = await setup();
    let claim = await claimTrainingJob(alice, {});
    const retried = await failTrainingJob(alice, job.job_id, {
      lease_id: claim.lease?.lease_id,
      error: "OOM",
      retry: true,
    });
    expect(retried).toMatchObject({ status: "queued", error: { reason: "worker_retry" } });
    expect((await ctx.db.get(Episodes, ids[0] as string))?.data.status).toBe("training");
    claim = await claimTrainingJob(alice, {});
    const failed = await failTrainingJob(alice, job.job_id, { lease_id: claim.lease?.lease_id, error: "NaN loss" });
    expect(failed).toMatchObject({ status: "failed", error: { message: "NaN loss", reason: "worker_failed" } });
    expect((await ctx.db.get(Episodes, ids[0] as string))?.data.status).toBe("validated");
    expect(
      await ctx.db.count(TrainingLogs, { where: [{ field: "job_id", op: "==", value: job.job_id }] }),
    ).toBeGreaterThanOrEqual(4);
  });
});

describe("episodes for a worker", () => {
  it("pages the job's episodes with signed TFRecord and canonical URLs", async () => {
    const { job, ids, alice } = await setup(3);
    const first = await listJobEpisodes(alice, job.job_id, { limit: 2 });
    expect(first).toMatchObject({ total: 3, next_cursor: "2" });
    expect(first.episodes.map((e) => e.episode_id)).toEqual(job.config.episode_ids.slice(0, 2));
    const episode = first.episodes[0];
    expect(episode?.tfrecord?.url).toMatch(/\/api\/blobs\/episodes\/tfrecord\/14d4b680\/.+\.tfrecord\?/);
    expect(episode?.canonical?.files.map((f) => f.path)).toEqual(["metadata.json", "steps.jsonl"]);
    const rest = await listJobEpisodes(alice, job.job_id, { cursor: "2", format: "tfrecord" });
    expect(rest).toMatchObject({ next_cursor: null });
    expect(rest.episodes[0]?.canonical).toBeNull();
    expect(ids).toHaveLength(3);
    await expect(listJobEpisodes(alice, "job_nope")).rejects.toMatchObject({ code: "not_found" });
    const found = await findTrainingEpisodes(alice, {
      robot_model: "companion-v1",
      min_quality: "0.5",
      tags: "pick-place",
      limit: "2",
    });
    expect(found).toMatchObject({ matched: 3, next_cursor: "2" });
    expect(found.episodes[0]?.canonical?.files).toHaveLength(2);
    await expect(findTrainingEpisodes(alice, { min_quality: "2" })).rejects.toMatchObject({ reason: "invalid_input" });
  });
});
