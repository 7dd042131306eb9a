import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Ctx } from "@/lib/context";
import { AuditLog } from "@/lib/audit/schemas";
import { createTestContext, type TestContext } from "@/server/testing/create-test-context";
import { approveRollout } from "./approve-rollout";
import { checkForUpdate } from "./check-for-update";
import { isInCohort } from "./cohort";
import { pauseRollout } from "./pause-rollout";
import { raiseRollout } from "./raise-rollout";
import { reportDeployment } from "./report-deployment";
import { resumeRollout } from "./resume-rollout";
import { rollbackRollout } from "./rollback-rollout";
import { OtaBundles, OtaDeployments, OtaTracks } from "./schemas";
import { stageRollout } from "./stage-rollout";
import { buildReadyBundle, OPERATOR, OWNER, seedModel, seedRobot } from "./testing";

/**
 * Misuse of the rollout and robot verbs: every case gets its exact error, and nothing changes —
 * bundles, deployments, tracks and the audit log read the same before and after.
 */
describe("misuse is refused with the exact error and no side effect", () => {
  let ctx: TestContext;
  let ids: { v1: string; v2: string; v3: string };
  let devices: { inCohort: string; outOfCohort: string; rover: string };
  const robot = (deviceId: string): Ctx => ctx.as({ kind: "robot", deviceId });

  beforeEach(async () => {
    ctx = createTestContext();
    const operator = ctx.as(OPERATOR);
    const v1 = await buildReadyBundle(ctx, { model_id: (await seedModel(ctx)).id, version: "1.0.0" });
    const v2 = await buildReadyBundle(ctx, {
      model_id: (await seedModel(ctx, { version: "2.0.0" })).id,
      version: "2.0.0",
      requires_version: ">=1.5.0",
    });
    const v3 = await buildReadyBundle(ctx, {
      model_id: (await seedModel(ctx, { version: "1.2.0" })).id,
      version: "1.2.0",
    });
    ids = { v1: v1.id, v2: v2.id, v3: v3.id };
    // Robots of companion-v1 until one lands inside v1's 10 % cohort and one outside it.
    let inCohort: string | undefined;
    let outOfCohort: string | undefined;
    for (let i = 0; !inCohort || !outOfCohort; i++) {
      const deviceId = (0xc0000000 + i * 7).toString(16);
      await seedRobot(ctx, { deviceId });
      if (isInCohort(v1.id, deviceId, 10)) inCohort ??= deviceId;
      else outOfCohort ??= deviceId;
    }
    devices = {
      inCohort,
      outOfCohort,
      rover: (await seedRobot(ctx, { deviceId: "0badc0de", robotModel: "rover-x" })).id,
    };
    // v1: the first bundle of companion-v1, in canary at 10 %; one robot took it.
    await stageRollout(operator, { bundle_id: v1.id });
    await approveRollout(operator, { bundle_id: v1.id, to: "canary", target_percentage: 10 });
    await checkForUpdate(robot(inCohort), {});
  });
  afterEach(() => ctx.cleanup());

  async function snapshot() {
    const [bundles, deployments, tracks, audit] = await Promise.all([
      ctx.db.query(OtaBundles, { limit: 100 }),
      ctx.db.query(OtaDeployments, { limit: 100 }),
      ctx.db.query(OtaTracks, { limit: 100 }),
      ctx.db.count(AuditLog),
    ]);
    return JSON.stringify({ bundles: bundles.docs, deployments: deployments.docs, tracks: tracks.docs, audit });
  }

  const cases: Array<{ name: string; run: () => Promise<unknown>; code: string; reason: string; message?: RegExp }> = [
    {
      name: "a report for a bundle of another robot model",
      run: () => reportDeployment(robot(devices.rover), { bundle_id: ids.v1, status: "installed" }),
      code: "forbidden",
      reason: "wrong_robot_model",
      message: /companion-v1 robots; robot 0badc0de is a rover-x/,
    },
    {
      name: "a report for an unknown bundle",
      run: () => reportDeployment(robot(devices.inCohort), { bundle_id: "companion-v1@9.9.9", status: "installed" }),
      code: "not_found",
      reason: "bundle_not_found",
    },
    {
      name: "a report for a bundle the robot was never offered",
      run: () => reportDeployment(robot(devices.outOfCohort), { bundle_id: ids.v1, status: "failed", error: "?" }),
      code: "conflict",
      reason: "bundle_not_offered",
    },
    {
      name: "a report naming another robot",
      run: () =>
        reportDeployment(robot(devices.inCohort), {
          bundle_id: ids.v1,
          status: "installed",
          device_id: devices.outOfCohort,
        }),
      code: "forbidden",
      reason: "robot_mismatch",
    },
    {
      name: "a report with an unknown status",
      run: () => reportDeployment(robot(devices.inCohort), { bundle_id: ids.v1, status: "exploded" }),
      code: "invalid",
      reason: "invalid_input",
    },
    {
      name: "a report from a signed-in user",
      run: () => reportDeployment(ctx.as(OPERATOR), { bundle_id: ids.v1, status: "installed" }),
      code: "unauthenticated",
      reason: "robot_signature_required",
    },
    {
      name: "a check with a non-semver current_version",
      run: () => checkForUpdate(robot(devices.inCohort), { current_version: "v1.0.1" }),
      code: "invalid",
      reason: "invalid_version",
    },
    {
      name: "an approval by an owner",
      run: () => approveRollout(ctx.as(OWNER), { bundle_id: ids.v1, to: "production" }),
      code: "forbidden",
      reason: "role_required",
    },
    {
      name: "staging by an owner",
      run: () => stageRollout(ctx.as(OWNER), { bundle_id: ids.v3 }),
      code: "forbidden",
      reason: "role_required",
    },
    {
      name: "a rollback with no previous bundle",
      run: () => rollbackRollout(ctx.as(OPERATOR), { bundle_id: ids.v1 }),
      code: "conflict",
      reason: "no_previous_bundle",
      message: /nothing to roll back to/,
    },
    {
      name: "a second active rollout for the same robot model",
      run: () => stageRollout(ctx.as(OPERATOR), { bundle_id: ids.v3 }),
      code: "conflict",
      reason: "rollout_active",
    },
    {
      name: "lowering the percentage",
      run: () => raiseRollout(ctx.as(OPERATOR), { bundle_id: ids.v1, target_percentage: 5 }),
      code: "invalid",
      reason: "percentage_not_raised",
    },
    {
      name: "raising to 100 % without the production approval",
      run: () => raiseRollout(ctx.as(OPERATOR), { bundle_id: ids.v1, target_percentage: 100 }),
      code: "invalid",
      reason: "invalid_percentage",
    },
    {
      name: "approving a canary twice",
      run: () => approveRollout(ctx.as(OPERATOR), { bundle_id: ids.v1, to: "canary", target_percentage: 20 }),
      code: "conflict",
      reason: "invalid_transition",
    },
    {
      name: "resuming a rollout that is not paused",
      run: () => resumeRollout(ctx.as(OPERATOR), { bundle_id: ids.v1 }),
      code: "conflict",
      reason: "invalid_transition",
    },
    {
      name: "pausing a bundle that was never staged",
      run: () => pauseRollout(ctx.as(OPERATOR), { bundle_id: ids.v2 }),
      code: "conflict",
      reason: "invalid_transition",
    },
    {
      name: "approving an unknown bundle",
      run: () => approveRollout(ctx.as(OPERATOR), { bundle_id: "companion-v1@7.7.7", to: "production" }),
      code: "not_found",
      reason: "bundle_not_found",
    },
  ];

  it.each(cases)("$name → $code/$reason", async ({ run, code, reason, message }) => {
    const before = await snapshot();
    const error = await run().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code, reason });
    if (message) expect((error as Error).message).toMatch(message);
    expect(await snapshot()).toBe(before);
  });

  it("gives a robot of another model no bundle, and a robot below requires_version none either", async () => {
    expect(await checkForUpdate(robot(devices.rover), {})).toEqual({ update: null, reason: "no_release" });
    // v1 to production, then v2 (requires >= 1.5.0) to production: a robot on 1.0.0 cannot take it.
    const operator = ctx.as(OPERATOR);
    await approveRollout(operator, { bundle_id: ids.v1, to: "production" });
    await stageRollout(operator, { bundle_id: ids.v2 });
    await approveRollout(operator, { bundle_id: ids.v2, to: "production" });
    const before = await snapshot();
    expect(await checkForUpdate(robot(devices.outOfCohort), { current_version: "1.0.0" })).toEqual({
      update: null,
      reason: "requires_version_not_met",
    });
    expect(await snapshot()).toBe(before);
    expect((await checkForUpdate(robot(devices.outOfCohort), { current_version: "1.5.0" })).update).toMatchObject({
      version: "2.0.0",
    });
  });

  it("gives a robot whose runtime is older than min_brain_version nothing", async () => {
    const operator = ctx.as(OPERATOR);
    await approveRollout(operator, { bundle_id: ids.v1, to: "production" });
    const v4 = await buildReadyBundle(ctx, {
      model_id: (await seedModel(ctx, { version: "1.3.0" })).id,
      version: "1.3.0",
      min_brain_version: "0.5.0",
    });
    await stageRollout(operator, { bundle_id: v4.id });
    await approveRollout(operator, { bundle_id: v4.id, to: "production" });
    expect(
      await checkForUpdate(robot(devices.outOfCohort), { current_version: "1.0.0", brain_version: "0.4.9" }),
    ).toEqual({
      update: null,
      reason: "min_brain_version_not_met",
    });
    expect(
      (await checkForUpdate(robot(devices.outOfCohort), { current_version: "1.0.0", brain_version: "0.5.0" })).update,
    ).toMatchObject({ version: "1.3.0" });
  });

  it("refuses to stage a version that is not newer than production", async () => {
    const operator = ctx.as(OPERATOR);
    await approveRollout(operator, { bundle_id: ids.v1, to: "production" });
    const old = await buildReadyBundle(ctx, {
      model_id: (await seedModel(ctx, { version: "0.9.0" })).id,
      version: "0.9.0",
    });
    const before = await snapshot();
    await expect(stageRollout(operator, { bundle_id: old.id })).rejects.toMatchObject({
      code: "conflict",
      reason: "version_not_newer",
    });
    expect(await snapshot()).toBe(before);
  });
});
