import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Ctx } from "@/lib/context";
import { Robots } from "@/lib/robots/schemas";
import { runNextWork } from "@/lib/work-queue/work-queue";
import { createTestContext, type TestContext } from "@/server/testing/create-test-context";
import { ROLLBACK_QUEUE } from "./apply-rollout-action";
import { approveRollout } from "./approve-rollout";
import { checkForUpdate, type CheckAnswer } from "./check-for-update";
import { isInCohort } from "./cohort";
import { markRolledBackDeployments } from "./mark-rolled-back-deployments";
import { raiseRollout } from "./raise-rollout";
import { reportDeployment } from "./report-deployment";
import { rollbackRollout } from "./rollback-rollout";
import { offerViewOf, OtaBundles, OtaDeployments, OtaTracks, type DeploymentState } from "./schemas";
import { stageRollout } from "./stage-rollout";
import { buildReadyBundle, OPERATOR, seedModel, seedRobot } from "./testing";

const robot = (ctx: TestContext, deviceId: string): Ctx => ctx.as({ kind: "robot", deviceId });

async function checkAll(ctx: TestContext, devices: string[], current?: string) {
  const answers = new Map<string, CheckAnswer>();
  for (const device of devices) {
    answers.set(device, await checkForUpdate(robot(ctx, device), current ? { current_version: current } : {}));
  }
  return answers;
}

const offered = (answers: Map<string, CheckAnswer>) =>
  [...answers]
    .filter(([, answer]) => answer.update !== null)
    .map(([device]) => device)
    .sort();

async function statesOf(ctx: TestContext, bundleId: string): Promise<Record<DeploymentState, number>> {
  const counts: Record<DeploymentState, number> = {
    offered: 0,
    downloaded: 0,
    installed: 0,
    failed: 0,
    rolled_back: 0,
  };
  const page = await ctx.db.query(OtaDeployments, {
    where: [{ field: "bundle_id", op: "==", value: bundleId }],
    orderBy: { field: "updated_at", direction: "desc" },
    limit: 1000,
  });
  for (const doc of page.docs) counts[doc.data.state]++;
  return counts;
}

describe("a rollout from canary to production, an automatic pause and a rollback", () => {
  let ctx: TestContext;
  let devices: string[];
  beforeEach(async () => {
    ctx = createTestContext();
    devices = [];
    for (let i = 0; i < 120; i++)
      devices.push((await seedRobot(ctx, { deviceId: (0xa0000000 + i * 104729).toString(16) })).id);
  });
  afterEach(() => ctx.cleanup());

  it("offers only the cohort, keeps it as the percentage grows, and reaches everyone in production", async () => {
    const model = await seedModel(ctx);
    const bundle = await buildReadyBundle(ctx, { model_id: model.id, version: "1.0.0" });
    const operator = ctx.as(OPERATOR);

    expect(offered(await checkAll(ctx, devices))).toEqual([]);
    await stageRollout(operator, { bundle_id: bundle.id, policy: { error_threshold_pct: 20, min_sample: 10 } });
    expect(offered(await checkAll(ctx, devices))).toEqual([]);

    await approveRollout(operator, { bundle_id: bundle.id, to: "canary", target_percentage: 10, note: "first canary" });
    const at10 = await checkAll(ctx, devices);
    const cohort10 = devices.filter((device) => isInCohort(bundle.id, device, 10)).sort();
    expect(cohort10.length).toBeGreaterThan(3);
    expect(cohort10.length).toBeLessThan(30);
    expect(offered(at10)).toEqual(cohort10);
    for (const device of devices.filter((d) => !cohort10.includes(d))) {
      expect(at10.get(device)).toEqual({ update: null, reason: "not_in_cohort" });
    }
    const first = at10.get(cohort10[0]!)!;
    expect(first.update).toMatchObject({
      bundle_id: bundle.id,
      version: "1.0.0",
      checksum: bundle.data.manifest.checksum,
      signature: bundle.data.signature,
      key_id: bundle.data.key_id,
      size_bytes: bundle.data.manifest.size_bytes,
      requires_version: null,
      rollback: false,
    });
    expect(first.update?.download_url).toMatch(/\/api\/ota\/download\?bundle_id=companion-v1%401\.0\.0&device=/);

    await raiseRollout(operator, { bundle_id: bundle.id, target_percentage: 50 });
    const at50 = await checkAll(ctx, devices);
    const cohort50 = devices.filter((device) => isInCohort(bundle.id, device, 50)).sort();
    expect(offered(at50)).toEqual(cohort50);
    expect(cohort10.every((device) => cohort50.includes(device))).toBe(true);
    expect(cohort50.length).toBeGreaterThan(cohort10.length);

    await approveRollout(operator, { bundle_id: bundle.id, to: "production" });
    const at100 = await checkAll(ctx, devices);
    expect(offered(at100)).toEqual([...devices].sort());
    for (const device of devices) {
      await expect(
        reportDeployment(robot(ctx, device), { bundle_id: bundle.id, status: "installed" }),
      ).resolves.toMatchObject({
        state: "installed",
        changed: true,
      });
    }
    const done = await ctx.db.require(OtaBundles, bundle.id);
    expect(done.data.rollout).toMatchObject({
      status: "production",
      target_percentage: 100,
      deployed_count: 120,
      error_count: 0,
    });
    expect(done.data.rollout.counts).toEqual({ offered: 0, downloaded: 0, installed: 120, failed: 0, rolled_back: 0 });
    expect(done.data.approvals.map((a) => [a.step, a.to_status, a.target_percentage, a.by.email])).toEqual([
      ["stage", "staged", 0, OPERATOR.email],
      ["canary", "canary", 10, OPERATOR.email],
      ["raise", "canary", 50, OPERATOR.email],
      ["production", "production", 100, OPERATOR.email],
    ]);
    expect(done.data.approvals[1]?.note).toBe("first canary");
    // Installed robots are up to date; the registry shows what they run.
    expect(await checkForUpdate(robot(ctx, devices[0]!), { current_version: "1.0.0" })).toEqual({
      update: null,
      reason: "up_to_date",
    });
    expect((await ctx.db.require(Robots, devices[0]!)).data.current_bundle).toBe("1.0.0");
    const track = await ctx.db.require(OtaTracks, "companion-v1");
    expect(track.data).toMatchObject({ production_bundle_id: bundle.id, active_bundle_id: null });
  });

  it("pauses itself once the minimum sample is reached with too many failures, and a rollback re-offers the previous bundle", async () => {
    const operator = ctx.as(OPERATOR);
    const v1 = await buildReadyBundle(ctx, { model_id: (await seedModel(ctx)).id, version: "1.0.0" });
    await stageRollout(operator, { bundle_id: v1.id });
    await approveRollout(operator, { bundle_id: v1.id, to: "production" });
    for (const device of devices) {
      await checkForUpdate(robot(ctx, device), {});
      await reportDeployment(robot(ctx, device), { bundle_id: v1.id, status: "installed" });
    }

    const v2 = await buildReadyBundle(ctx, {
      model_id: (await seedModel(ctx, { version: "1.1.0" })).id,
      version: "1.1.0",
    });
    await stageRollout(operator, {
      bundle_id: v2.id,
      policy: { error_threshold_pct: 20, min_sample: 10, auto_pause: true },
    });
    await approveRollout(operator, { bundle_id: v2.id, to: "canary", target_percentage: 50 });
    const takers = offered(await checkAll(ctx, devices, "1.0.0"));
    expect(takers.length).toBeGreaterThan(30);

    // 4 failures in the first 9 outcomes: 44 %, but below the minimum sample, so the rollout goes on.
    const outcomes = [
      "failed",
      "installed",
      "failed",
      "installed",
      "installed",
      "failed",
      "installed",
      "failed",
      "installed",
      "installed",
    ] as const;
    for (const [index, status] of outcomes.entries()) {
      await reportDeployment(robot(ctx, takers[index]!), {
        bundle_id: v2.id,
        status,
        error: status === "failed" ? "checksum mismatch after unpack" : null,
      });
      const now = await ctx.db.require(OtaBundles, v2.id);
      expect(now.data.rollout.status, `after ${index + 1} outcomes`).toBe(index < 9 ? "canary" : "paused");
    }
    const paused = await ctx.db.require(OtaBundles, v2.id);
    expect(paused.data.rollout).toMatchObject({
      status: "paused",
      paused_from: "canary",
      auto_paused: true,
      paused_by: "ota-policy",
      deployed_count: 6,
      error_count: 4,
    });
    expect(paused.data.rollout.paused_reason).toBe(
      "Paused automatically: 4 of 10 robots reported a failure (40 %), above the 20 % threshold (applies from 10 reports).",
    );
    expect(paused.data.history.at(-1)).toMatchObject({
      action: "auto_pause",
      actor: { kind: "system", id: "ota-policy" },
    });
    // The track's offer views follow the status the policy set (the check reads only them).
    const pausedTrack = await ctx.db.require(OtaTracks, "companion-v1");
    expect(pausedTrack.data.offer_views[v2.id]?.rollout).toEqual({ status: "paused", target_percentage: 50 });
    expect(pausedTrack.data.offer_views[v1.id]).toEqual(
      offerViewOf(v1.data, { status: "production", target_percentage: 100 }),
    );
    // Paused: nobody new is offered 1.1.0.
    const waiting = takers.slice(10);
    for (const device of waiting)
      expect((await checkForUpdate(robot(ctx, device), { current_version: "1.0.0" })).update).toBeNull();

    await rollbackRollout(operator, { bundle_id: v2.id, reason: "install failures" });
    const affected = takers.slice(0, 10);
    for (const device of affected) {
      const answer = await checkForUpdate(robot(ctx, device), { current_version: "1.1.0" });
      expect(answer.update).toMatchObject({ bundle_id: v1.id, version: "1.0.0", rollback: true });
    }
    // Robots that never took 1.1.0 stay where they are.
    expect(await checkForUpdate(robot(ctx, waiting[0]!), { current_version: "1.0.0" })).toEqual({
      update: null,
      reason: "up_to_date",
    });

    expect(
      await runNextWork(ctx.as({ kind: "system", name: ROLLBACK_QUEUE }), ROLLBACK_QUEUE, markRolledBackDeployments),
    ).toBe(1);
    const states = await statesOf(ctx, v2.id);
    expect(states).toEqual({ offered: 0, downloaded: 0, installed: 0, failed: 0, rolled_back: takers.length });
    const rolledBack = await ctx.db.require(OtaBundles, v2.id);
    expect(rolledBack.data.rollout.counts).toEqual(states);
    expect(rolledBack.data.rollout.status).toBe("rolled_back");
    // The health record keeps what robots reported.
    expect(rolledBack.data.rollout).toMatchObject({ deployed_count: 6, error_count: 4 });
    const track = await ctx.db.require(OtaTracks, "companion-v1");
    expect(track.data).toMatchObject({
      production_bundle_id: v1.id,
      active_bundle_id: null,
      rolled_back_versions: ["1.1.0"],
    });
  });

  it("keeps counters exact under concurrent reports", async () => {
    const operator = ctx.as(OPERATOR);
    const bundle = await buildReadyBundle(ctx, { model_id: (await seedModel(ctx)).id, version: "1.0.0" });
    await stageRollout(operator, { bundle_id: bundle.id, policy: { auto_pause: false } });
    await approveRollout(operator, { bundle_id: bundle.id, to: "production" });
    await Promise.all(devices.map((device) => checkForUpdate(robot(ctx, device), {})));
    const statuses = ["downloaded", "installed", "failed", "rolled_back"] as const;
    await Promise.all(
      devices.flatMap((device, index) => [
        reportDeployment(robot(ctx, device), { bundle_id: bundle.id, status: statuses[index % 4]! }),
        reportDeployment(robot(ctx, device), { bundle_id: bundle.id, status: statuses[(index + 1) % 4]! }),
      ]),
    );
    const states = await statesOf(ctx, bundle.id);
    const stored = await ctx.db.require(OtaBundles, bundle.id);
    expect(stored.data.rollout.counts).toEqual(states);
    expect(Object.values(states).reduce((a, b) => a + b, 0)).toBe(devices.length);
    const page = await ctx.db.query(OtaDeployments, {
      where: [{ field: "bundle_id", op: "==", value: bundle.id }],
      orderBy: { field: "updated_at", direction: "desc" },
      limit: 1000,
    });
    expect(stored.data.rollout.deployed_count).toBe(page.docs.filter((doc) => doc.data.outcome === "installed").length);
    expect(stored.data.rollout.error_count).toBe(page.docs.filter((doc) => doc.data.outcome === "failed").length);
  });
});
