import { afterEach, describe, expect, it } from "vitest";
import { listAudit } from "@/lib/audit/list-audit";
import { promoteModel } from "@/lib/models/promote-model";
import { createTestContext, type TestContext } from "@/server/testing/create-test-context";
import { cancelTrainingJob } from "./cancel-training-job";
import { claimTrainingJob } from "./claim-training-job";
import { completeTrainingJob } from "./complete-training-job";
import { createTrainingJob } from "./create-training-job";
import { evaluateSlowLoop } from "./evaluate-slow-loop";
import { evaluateSlowLoops } from "./evaluate-slow-loops";
import { listSlowLoopPolicies } from "./list-slow-loop-policies";
import { SlowLoopPolicies, TrainingJobs } from "./schemas";
import { setSlowLoopPolicy } from "./set-slow-loop-policy";
import { ADMIN, OPERATOR, OWNER, trainingWorker } from "./testing/actors";
import { writeEpisodeFixture } from "./testing/write-episode-fixture";

let ctx: TestContext;
afterEach(async () => ctx?.cleanup());
const SYSTEM = { kind: "system" as const, name: "training-slow-loop" };

async function episodes(c: TestContext, count: number, robotModel = "companion-v1") {
  for (let i = 0; i < count; i++) {
    c.clock.advance(1000);
    await writeEpisodeFixture(c, { robotModel, steps: 3, tfrecord: false });
  }
}

/** A production seed model for companion-v1, trained on what exists now. */
async function production(c: TestContext) {
  const { ctx: worker } = await trainingWorker(c);
  const job = await createTrainingJob(c.as(OPERATOR), { type: "seed", filter: { robot_model: "companion-v1" } });
  const claim = await claimTrainingJob(worker, {});
  await c.blobs.put(`models/checkpoints/${job.job_id}/seed_model.npz`, Buffer.from("w"));
  const { model } = await completeTrainingJob(worker, job.job_id, { lease_id: claim.lease?.lease_id });
  await promoteModel(c.as(OPERATOR), model.model_id);
  return model.model_id;
}

describe("slow loop", () => {
  it("operators set a policy (audited); owners cannot", async () => {
    ctx = createTestContext();
    await expect(setSlowLoopPolicy(ctx.as(OWNER), "companion-v1", { enabled: true })).rejects.toMatchObject({
      code: "forbidden",
    });
    const policy = await setSlowLoopPolicy(ctx.as(OPERATOR), "companion-v1", { enabled: true, min_new_episodes: 3 });
    expect(policy).toMatchObject({ enabled: true, min_new_episodes: 3, min_interval_s: 21_600, max_episodes: 2000 });
    await expect(setSlowLoopPolicy(ctx.as(OPERATOR), "Bad Model", { enabled: true })).rejects.toMatchObject({
      reason: "invalid_input",
    });
    await expect(
      setSlowLoopPolicy(ctx.as(OPERATOR), "companion-v1", { enabled: true, min_new_episodes: 10, max_episodes: 5 }),
    ).rejects.toMatchObject({ reason: "invalid_input" });
    expect((await listSlowLoopPolicies(ctx.as(OPERATOR))).policies).toHaveLength(1);
    expect((await listAudit(ctx.as(ADMIN), { action: "training.slow_loop_update" })).docs).toHaveLength(1);
  });

  it("waits for a production model, enough new episodes and the interval; queues from the production model; never two queued", async () => {
    ctx = createTestContext();
    await episodes(ctx, 2);
    await setSlowLoopPolicy(ctx.as(OPERATOR), "companion-v1", {
      enabled: true,
      min_new_episodes: 3,
      min_interval_s: 3600,
      max_episodes: 4,
    });
    const system = ctx.as(SYSTEM);
    expect(await evaluateSlowLoop(system, "companion-v1")).toMatchObject({
      outcome: "waiting",
      reason: "no_production_model",
    });
    const seedModel = await production(ctx);
    expect(await evaluateSlowLoop(system, "companion-v1")).toMatchObject({
      outcome: "waiting",
      reason: "not_enough_new_episodes",
      new_episodes: 0,
    });
    await episodes(ctx, 5);
    const decision = await evaluateSlowLoop(system, "companion-v1");
    expect(decision).toMatchObject({ outcome: "queued", reason: "enough_new_episodes", new_episodes: 5 });
    const job = await ctx.db.get(TrainingJobs, decision.job_id as string);
    expect(job?.data).toMatchObject({
      type: "slow_loop",
      source: "slow_loop",
      config: { model_base: seedModel },
      dataset: { episode_count: 4 },
    });

    await episodes(ctx, 5);
    ctx.clock.advance(2 * 3600_000);
    expect(await evaluateSlowLoop(system, "companion-v1")).toMatchObject({
      outcome: "waiting",
      reason: "job_already_queued",
    });
    await expect(
      createTrainingJob(ctx.as(OPERATOR), { type: "slow_loop", filter: { robot_model: "companion-v1" } }),
    ).rejects.toMatchObject({ code: "conflict", reason: "slow_loop_already_queued" });
    expect(await ctx.db.count(TrainingJobs, { where: [{ field: "type", op: "==", value: "slow_loop" }] })).toBe(1);

    await cancelTrainingJob(ctx.as(OPERATOR), decision.job_id as string);
    const again = await evaluateSlowLoop(system, "companion-v1");
    expect(again).toMatchObject({ outcome: "queued" });
    const policy = await ctx.db.get(SlowLoopPolicies, "companion-v1");
    expect(policy?.data).toMatchObject({ last_job_id: again.job_id, last_decision: { outcome: "queued" } });
    const next = await evaluateSlowLoop(system, "companion-v1");
    expect(next.reason).toBe("job_already_queued");
  });

  it("respects the minimum interval and a disabled policy; the background pass evaluates enabled ones", async () => {
    ctx = createTestContext();
    await episodes(ctx, 1);
    await production(ctx);
    await setSlowLoopPolicy(ctx.as(OPERATOR), "companion-v1", {
      enabled: true,
      min_new_episodes: 1,
      min_interval_s: 3600,
    });
    await episodes(ctx, 2);
    expect(await evaluateSlowLoops(ctx.as(SYSTEM))).toBe(1);
    const first = (await ctx.db.get(SlowLoopPolicies, "companion-v1"))?.data.last_job_id as string;
    const { ctx: worker } = await trainingWorker(ctx, ["training"], "w2");
    await claimTrainingJob(worker, { job_id: first });
    await episodes(ctx, 2);
    expect(await evaluateSlowLoop(ctx.as(SYSTEM), "companion-v1")).toMatchObject({ reason: "interval_not_elapsed" });
    ctx.clock.advance(3600_000);
    expect(await evaluateSlowLoop(ctx.as(SYSTEM), "companion-v1")).toMatchObject({ outcome: "queued" });
    await setSlowLoopPolicy(ctx.as(OPERATOR), "companion-v1", { enabled: false });
    expect(await evaluateSlowLoop(ctx.as(OPERATOR), "companion-v1")).toMatchObject({ reason: "disabled" });
    expect(await evaluateSlowLoops(ctx.as(SYSTEM))).toBe(0);
    await expect(evaluateSlowLoop(ctx.as(OPERATOR), "rover-v2")).rejects.toMatchObject({ code: "not_found" });
  });
});
