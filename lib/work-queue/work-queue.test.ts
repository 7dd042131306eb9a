import { afterEach, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "@/server/testing/create-test-context";
import { claimWork, enqueueWork, failWork, getWorkItem, requeueExpiredWork, runNextWork } from "./work-queue";

let ctx: TestContext;
afterEach(async () => ctx?.cleanup());

describe("work queue", () => {
  it("runs an item once, and enqueueing the same id twice is one item", async () => {
    ctx = createTestContext();
    await enqueueWork(ctx, { queue: "q", id: "job_1", payload: { n: 1 } });
    await enqueueWork(ctx, { queue: "q", id: "job_1", payload: { n: 1 } });
    const seen: unknown[] = [];
    expect(await runNextWork(ctx, "q", async (_ctx, item) => void seen.push(item.data.payload))).toBe(1);
    expect(await runNextWork(ctx, "q", async () => undefined)).toBe(0);
    expect(seen).toEqual([{ n: 1 }]);
    expect((await getWorkItem(ctx, "job_1"))?.data.status).toBe("done");
  });

  it("retries with exponential backoff, then stays failed with the last error", async () => {
    ctx = createTestContext();
    await enqueueWork(ctx, { queue: "q", id: "flaky", payload: {}, maxAttempts: 3 });
    const fail = async () => {
      throw new Error("disk on fire");
    };
    expect(await runNextWork(ctx, "q", fail)).toBe(1);
    let item = await getWorkItem(ctx, "flaky");
    expect(item?.data).toMatchObject({ status: "queued", attempts: 1, last_error: "disk on fire" });
    expect(await runNextWork(ctx, "q", fail)).toBe(0); // not due yet
    ctx.clock.advance(5_000);
    expect(await runNextWork(ctx, "q", fail)).toBe(1);
    item = await getWorkItem(ctx, "flaky");
    expect(Date.parse(item?.data.run_after ?? "") - ctx.now().getTime()).toBe(10_000);
    ctx.clock.advance(10_000);
    expect(await runNextWork(ctx, "q", fail)).toBe(1);
    expect((await getWorkItem(ctx, "flaky"))?.data).toMatchObject({ status: "failed", attempts: 3 });
    // re-arming a failed item starts over
    await enqueueWork(ctx, { queue: "q", id: "flaky", payload: {} });
    expect((await getWorkItem(ctx, "flaky"))?.data).toMatchObject({ status: "queued", attempts: 0 });
  });

  it("a lapsed lease puts the item back; two workers never hold one item", async () => {
    ctx = createTestContext();
    await enqueueWork(ctx, { queue: "q", id: "a", payload: {} });
    const [first, second] = await Promise.all([claimWork(ctx, "q", 1000, "w1"), claimWork(ctx, "q", 1000, "w2")]);
    expect([first, second].filter(Boolean)).toHaveLength(1);
    expect(await requeueExpiredWork(ctx)).toBe(0);
    ctx.clock.advance(1001);
    expect(await requeueExpiredWork(ctx)).toBe(1);
    const again = await claimWork(ctx, "q", 1000, "w3");
    expect(again?.data).toMatchObject({ lease_holder: "w3", attempts: 2 });
    await failWork(ctx, again!, new Error("x"));
  });
});
