import { afterEach, describe, expect, it } from "vitest";
import { listAudit } from "@/lib/audit/list-audit";
import { claimTrainingJob } from "@/lib/training/claim-training-job";
import { completeTrainingJob } from "@/lib/training/complete-training-job";
import { createTrainingJob } from "@/lib/training/create-training-job";
import { ModelLines } from "@/lib/training/schemas";
import { ADMIN, OPERATOR, OWNER, trainingWorker } from "@/lib/training/testing/actors";
import { writeEpisodeFixture } from "@/lib/training/testing/write-episode-fixture";
import type { Ctx } from "@/lib/context";
import { createTestContext, type TestContext } from "@/server/testing/create-test-context";
import { getModelDownloads } from "./get-model-downloads";
import { getModelLineage } from "./get-model-lineage";
import { listModels } from "./list-models";
import { promoteModel } from "./promote-model";
import { registerModel } from "./register-model";
import { Models } from "./schemas";

let ctx: TestContext;
afterEach(async () => ctx?.cleanup());

/** Train one job to completion and return its model id. */
async function trained(c: TestContext, worker: Ctx, type: "seed" | "slow_loop" = "seed", robotModel = "companion-v1") {
  c.clock.advance(1000);
  await writeEpisodeFixture(c, {
    robotModel,
    steps: 3,
    robotId: robotModel === "companion-v1" ? "14d4b680" : "bbbbbbbb",
  });
  const job = await createTrainingJob(c.as(OPERATOR), { type, filter: { robot_model: robotModel } });
  const claim = await claimTrainingJob(worker, { job_id: job.job_id });
  await c.blobs.put(`models/checkpoints/${job.job_id}/seed_model.npz`, Buffer.from("w"));
  const done = await completeTrainingJob(worker, job.job_id, {
    lease_id: claim.lease?.lease_id,
    metrics: { loss: 0.1 },
  });
  return done.model;
}

describe("models", () => {
  it("versions per robot model: seed bumps minor, slow loop bumps patch; an explicit version must be newer", async () => {
    ctx = createTestContext();
    const { ctx: worker } = await trainingWorker(ctx);
    const first = await trained(ctx, worker);
    expect(first.version).toBe("1.0.0");
    await promoteModel(ctx.as(OPERATOR), first.model_id);
    const loop = await trained(ctx, worker, "slow_loop");
    expect(loop).toMatchObject({ version: "1.0.1", stage: "checkpoint", parent_model_id: first.model_id });
    const second = await trained(ctx, worker);
    expect(second.version).toBe("1.1.0");
    const other = await trained(ctx, worker, "seed", "rover-v2");
    expect(other.version).toBe("1.0.0");
    await ctx.blobs.put("models/seed/v9/model.npz", Buffer.from("m"));
    await expect(
      registerModel(ctx.as(OPERATOR), { model_ref: "models/seed/v9/", robot_model: "companion-v1", version: "1.1.0" }),
    ).rejects.toMatchObject({ code: "conflict", reason: "version_not_newer" });
    const manual = await registerModel(ctx.as(OPERATOR), {
      model_ref: "gs://continuon-rlds/models/seed/v9/",
      robot_model: "companion-v1",
      version: "2.0.0",
      stage: "seed",
      metrics: { loss: 0.3 },
    });
    expect(manual).toMatchObject({
      version: "2.0.0",
      stage: "seed",
      files: [{ path: "model.npz", size_bytes: 1 }],
      training_job_id: null,
    });
    expect((await listModels(ctx.as(OPERATOR), { robot_model: "companion-v1" })).models).toHaveLength(4);
    expect((await listAudit(ctx.as(ADMIN), { action: "model.register" })).docs).toHaveLength(1);
  });

  it.each([
    [
      "a ref outside models/",
      { model_ref: "episodes/validated/x/", robot_model: "companion-v1" },
      "invalid",
      "invalid_model_ref",
    ],
    ["no robot model", { model_ref: "models/seed/v1/" }, "invalid", "robot_model_required"],
    [
      "an empty folder",
      { model_ref: "models/seed/empty/", robot_model: "companion-v1" },
      "conflict",
      "checkpoint_missing",
    ],
    [
      "a bad version",
      { model_ref: "models/seed/v1/", robot_model: "companion-v1", version: "v1" },
      "invalid",
      "invalid_version",
    ],
  ])("an operator registering %s is refused and nothing is stored", async (_name, input, code, reason) => {
    ctx = createTestContext();
    await ctx.blobs.put("models/seed/v1/model.npz", Buffer.from("m"));
    await expect(registerModel(ctx.as(OPERATOR), input)).rejects.toMatchObject({ code, reason });
    expect(await ctx.db.count(Models)).toBe(0);
  });

  it("a training token registers a checkpoint of the job it holds, and only that", async () => {
    ctx = createTestContext();
    await writeEpisodeFixture(ctx, { steps: 3 });
    const { ctx: worker } = await trainingWorker(ctx);
    const { ctx: other } = await trainingWorker(ctx, ["training"], "other");
    const job = await createTrainingJob(ctx.as(OPERATOR), { type: "seed", filter: {} });
    const claim = await claimTrainingJob(worker, {});
    await ctx.blobs.put(`models/checkpoints/${job.job_id}/step-500/model.npz`, Buffer.from("w"));
    await expect(registerModel(worker, { model_ref: "models/seed/v1/" })).rejects.toMatchObject({
      reason: "job_required",
    });
    await expect(
      registerModel(other, { job_id: job.job_id, model_ref: `models/checkpoints/${job.job_id}/step-500/` }),
    ).rejects.toMatchObject({ code: "forbidden", reason: "not_lease_holder" });
    await expect(
      registerModel(worker, {
        job_id: job.job_id,
        lease_id: claim.lease?.lease_id,
        model_ref: "models/production/companion-v1/v1.0.0/",
      }),
    ).rejects.toMatchObject({ code: "forbidden", reason: "outside_job_prefix" });
    const model = await registerModel(worker, {
      job_id: job.job_id,
      lease_id: claim.lease?.lease_id,
      model_ref: `models/checkpoints/${job.job_id}/step-500/`,
      metrics: { loss: 0.5 },
    });
    expect(model).toMatchObject({
      stage: "checkpoint",
      training_job_id: job.job_id,
      storage_ref: `models/checkpoints/${job.job_id}/step-500/`,
    });
  });

  it("promotes to production: files copied, one production model per robot model, the previous one retired (audited)", async () => {
    ctx = createTestContext();
    const { ctx: worker } = await trainingWorker(ctx);
    const a = await trained(ctx, worker);
    const b = await trained(ctx, worker);
    await expect(promoteModel(ctx.as(OWNER), a.model_id)).rejects.toMatchObject({ code: "forbidden" });
    const first = await promoteModel(ctx.as(OPERATOR), a.model_id, { note: "first fleet model" });
    expect(first).toMatchObject({
      replaced_model_id: null,
      model: { stage: "production", storage_ref: "models/production/companion-v1/v1.0.0/" },
    });
    expect(await ctx.blobs.head("models/production/companion-v1/v1.0.0/seed_model.npz")).not.toBeNull();
    await expect(promoteModel(ctx.as(OPERATOR), a.model_id)).rejects.toMatchObject({
      code: "conflict",
      reason: "already_production",
    });
    ctx.clock.advance(1000);
    const second = await promoteModel(ctx.as(OPERATOR), b.model_id);
    expect(second.replaced_model_id).toBe(a.model_id);
    expect((await ctx.db.get(Models, a.model_id))?.data).toMatchObject({
      stage: "seed",
      retired_at: ctx.now().toISOString(),
    });
    expect((await ctx.db.get(ModelLines, "companion-v1"))?.data.production_model_id).toBe(b.model_id);
    const audit = await listAudit(ctx.as(ADMIN), { action: "model.promote" });
    expect(audit.docs[0]?.data.details).toMatchObject({ replaced_model_id: a.model_id, version: "1.1.0" });
    const downloads = await getModelDownloads(worker, b.model_id);
    expect(downloads.files[0]?.url).toContain("/api/blobs/models/production/companion-v1/v1.1.0/seed_model.npz?");
  });

  it("two promotions at once still leave one production model", async () => {
    ctx = createTestContext();
    const { ctx: worker } = await trainingWorker(ctx);
    const a = await trained(ctx, worker);
    const b = await trained(ctx, worker);
    await Promise.all([promoteModel(ctx.as(OPERATOR), a.model_id), promoteModel(ctx.as(OPERATOR), b.model_id)]);
    const production = await listModels(ctx.as(OPERATOR), { robot_model: "companion-v1", stage: "production" });
    expect(production.models).toHaveLength(1);
    expect((await ctx.db.get(ModelLines, "companion-v1"))?.data.production_model_id).toBe(
      production.models[0]?.model_id,
    );
  });

  it("lineage runs down to children (models trained from it)", async () => {
    ctx = createTestContext();
    const { ctx: worker } = await trainingWorker(ctx);
    const seed = await trained(ctx, worker);
    await promoteModel(ctx.as(OPERATOR), seed.model_id);
    const child = await trained(ctx, worker, "slow_loop");
    const lineage = await getModelLineage(ctx.as(OPERATOR), seed.model_id);
    expect(lineage.children.map((m) => m.model_id)).toEqual([child.model_id]);
    expect((await getModelLineage(ctx.as(OPERATOR), child.model_id)).parent?.model_id).toBe(seed.model_id);
    await expect(getModelLineage(ctx.as(OWNER), seed.model_id)).rejects.toMatchObject({ code: "forbidden" });
  });
});
