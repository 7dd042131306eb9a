import { afterEach, describe, expect, it } from "vitest";
import { seedRobot } from "@/lib/ota/testing";
import { createTestContext, type TestContext } from "@/server/testing/create-test-context";
import { getUploadActivity, requestEpisodeUpload } from "./index";

const contexts: TestContext[] = [];
afterEach(async () => {
  for (const ctx of contexts.splice(0)) await ctx.cleanup();
});

describe("upload activity", () => {
  it("counts the last 24 hours by verdict for operators, and the owner's robots for owners", async () => {
    const ctx = createTestContext();
    contexts.push(ctx);
    await seedRobot(ctx, { deviceId: "14d4b680", ownerUid: "owner-1" });
    const robot = ctx.as({ kind: "robot", deviceId: "14d4b680" });
    await requestEpisodeUpload(robot, { episode_id: "old", metadata: {} });
    ctx.clock.advance(25 * 3600_000);
    await requestEpisodeUpload(robot, { episode_id: "new", metadata: {} });
    const operator = ctx.as({ kind: "user", uid: "op", role: "operator", email: "op@example.com" });
    const owner = ctx.as({ kind: "user", uid: "owner-1", role: "owner", email: "o@example.com" });
    const stranger = ctx.as({ kind: "user", uid: "owner-2", role: "owner", email: "s@example.com" });
    expect((await getUploadActivity(operator)).counts).toEqual({ validated: 0, rejected: 0, pending: 1 });
    const mine = await getUploadActivity(owner);
    expect(mine.counts).toEqual({ validated: 0, rejected: 0, pending: 1 });
    expect(mine.recent.map((e) => e.episode_id)).toEqual(["new", "old"]);
    expect((await getUploadActivity(stranger)).recent).toEqual([]);
  });
});
