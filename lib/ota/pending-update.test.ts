import { afterEach, describe, expect, it } from "vitest";
import { recordHeartbeat } from "@/lib/robots/record-heartbeat";
import { createTestContext, type TestContext } from "@/server/testing/create-test-context";
import { approveRollout } from "./approve-rollout";
import { stageRollout } from "./stage-rollout";
import { buildReadyBundle, OPERATOR, seedModel, seedRobot } from "./testing";

let ctx: TestContext;
afterEach(() => ctx?.cleanup());

describe("the heartbeat's pending.ota hint", () => {
  it("is empty with no release, names the production bundle once one rolls out, and clears when installed", async () => {
    ctx = createTestContext();
    const robot = await seedRobot(ctx, { deviceId: "0a1b2c3d" });
    const asRobot = ctx.as({ kind: "robot", deviceId: robot.id });
    expect((await recordHeartbeat(asRobot, {})).pending).toEqual({});

    const model = await seedModel(ctx);
    const bundle = await buildReadyBundle(ctx, { model_id: model.id, version: "1.0.0" });
    await stageRollout(ctx.as(OPERATOR), { bundle_id: bundle.id });
    expect((await recordHeartbeat(asRobot, {})).pending).toEqual({});
    await approveRollout(ctx.as(OPERATOR), { bundle_id: bundle.id, to: "production" });

    const answer = await recordHeartbeat(asRobot, {});
    expect(answer.pending).toEqual({
      ota: {
        bundle_id: bundle.id,
        version: "1.0.0",
        rollback: false,
        check_url: `${ctx.config.publicUrl}/api/ota/check`,
      },
    });
    // The robot says it runs the bundle's version: nothing is pending any more.
    expect((await recordHeartbeat(asRobot, { current_bundle: "1.0.0" })).pending).toEqual({});
  });

  it("never names another robot model's bundle", async () => {
    ctx = createTestContext();
    const other = await seedRobot(ctx, { deviceId: "0b1b2c3d", robotModel: "rover-x" });
    const model = await seedModel(ctx);
    const bundle = await buildReadyBundle(ctx, { model_id: model.id, version: "1.0.0" });
    await stageRollout(ctx.as(OPERATOR), { bundle_id: bundle.id });
    await approveRollout(ctx.as(OPERATOR), { bundle_id: bundle.id, to: "production" });
    expect((await recordHeartbeat(ctx.as({ kind: "robot", deviceId: other.id }), {})).pending).toEqual({});
  });
});
