import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { seedRobot } from "@/lib/ota/testing";
import { buildZip, jsonl, METADATA, step } from "@/lib/rlds/__fixtures__/archives";
import { createTestContext, type TestContext } from "@/server/testing/create-test-context";
import { Episodes, uploadXrEpisode } from "./index";

const contexts: TestContext[] = [];
afterEach(async () => {
  for (const ctx of contexts.splice(0)) await ctx.cleanup();
});

describe("the XR app's upload", () => {
  it("X-Continuon-Tag-* headers fill the metadata the archive lacks, and its checks", async () => {
    const ctx = createTestContext();
    contexts.push(ctx);
    await seedRobot(ctx, { deviceId: "14d4b680", ownerUid: "owner-1" });
    const robot = ctx.as({ kind: "robot", deviceId: "14d4b680" });
    const { xr_mode: _x, control_role: _c, environment_id: _e, tags: _t, ...rest } = METADATA;
    const zip = await buildZip([
      { name: "metadata.json", body: JSON.stringify(rest) },
      { name: "steps/000000.jsonl", body: jsonl(Array.from({ length: 12 }, (_, i) => step(i))) },
    ]);
    const answer = await uploadXrEpisode(robot, {
      episodeId: "xr_tags_1",
      sha256: createHash("sha256").update(zip).digest("hex"),
      tags: { xr_mode: "trainer", control_role: "human_teleop", environment_id: "lab", list: "pick,place" },
      body: Readable.from([zip]),
    });
    expect(answer.status).toBe("validated");
    expect(answer.warnings.filter((issue) => issue.code === "missing_metadata")).toEqual([]);
    const doc = await ctx.db.require(Episodes, "xr_tags_1");
    expect(doc.data.quality?.flags ?? []).not.toContain("incomplete_metadata");
    expect(doc.data.metadata).toMatchObject({
      xr_mode: "trainer",
      control_role: "human_teleop",
      environment_id: "lab",
      tags: ["pick", "place"],
    });
  });
});
