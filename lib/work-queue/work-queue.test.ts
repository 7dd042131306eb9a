import { afterEach, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "@/server/testing/create-test-context";
import {
  claimWork,
  completeWork,
  enqueueWork,
  failWork,
  getWorkItem,
  renewWorkLease,
  requeueExpiredWork,
  runNextWork,
  type Every,
} from "./work-queue";

/** Renewal ticks driven by the test: `tick()` runs one renewal and waits for it. */
function manualEvery() {
  const ticks: Array<() => Promise<void>> = [];
  const intervals: number[] = [];
  const every: Every = (tick, ms) => {
    ticks.push(tick);
    intervals.push(ms);
    return () => ticks.splice(ticks.indexOf(tick), 1);
  };
  return { every, intervals, tick: async () => Promise.all(ticks.map((tick) => tick())), running: () => ticks.length };
}

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

  it("a running worker renews its short lease every third of it, so nobody else takes the item", async () => {
    ctx = createTestContext();
    expect(ctx.config.workLeaseS).toBe(30);
    await enqueueWork(ctx, { queue: "q", id: "long", payload: {} });
    const clock = manualEvery();
    const seen: Array<string | null | undefined> = [];
    const handled = await runNextWork(
      ctx,
      "q",
      async (_ctx, item, lease) => {
        const started = ctx.now().getTime();
        expect(item.data.lease_expires_at).toBe(new Date(started + 30_000).toISOString());
        for (let i = 1; i <= 6; i++) {
          ctx.clock.advance(10_000); // a minute of work in all, twice the lease
          await clock.tick();
          seen.push((await getWorkItem(ctx, "long"))?.data.lease_expires_at);
          expect(await claimWork(ctx, "q", 30_000, "other")).toBeNull();
        }
        expect(lease.signal.aborted).toBe(false);
        expect(seen).toEqual([1, 2, 3, 4, 5, 6].map((i) => new Date(started + i * 10_000 + 30_000).toISOString()));
      },
      { every: clock.every },
    );
    expect(handled).toBe(1);
    expect(clock.intervals).toEqual([10_000]);
    expect(clock.running()).toBe(0);
    expect((await getWorkItem(ctx, "long"))?.data).toMatchObject({
      status: "done",
      attempts: 1,
      lease_holder: null,
      lease_expires_at: null,
    });
  });

  it("a dead worker's item is taken over by the next claim once its lease lapsed; the old holder can no longer touch it", async () => {
    ctx = createTestContext();
    await enqueueWork(ctx, { queue: "q", id: "b", payload: {} });
    const dead = await claimWork(ctx, "q", 30_000, "w1");
    expect(dead?.data).toMatchObject({ status: "running", attempts: 1, lease_holder: "w1" });
    ctx.clock.advance(29_999);
    expect(await claimWork(ctx, "q", 30_000, "w2")).toBeNull();
    ctx.clock.advance(2);
    const taken = await claimWork(ctx, "q", 30_000, "w2");
    expect(taken?.data).toMatchObject({ status: "running", attempts: 2, lease_holder: "w2" });
    expect(taken?.data.last_error).toBe("The worker of attempt 1 stopped (its lease expired); taken over.");
    const before = (await getWorkItem(ctx, "b"))?.data;
    expect(await renewWorkLease(ctx, dead!, 30_000)).toBe(false);
    expect(await completeWork(ctx, dead!)).toBe(false);
    expect(await failWork(ctx, dead!, new Error("late"))).toBe("lost");
    expect((await getWorkItem(ctx, "b"))?.data).toEqual(before);
    expect(await renewWorkLease(ctx, taken!, 30_000)).toBe(true);
  });

  it("a worker whose lease was taken over sees its signal abort and its outcome is dropped", async () => {
    ctx = createTestContext();
    await enqueueWork(ctx, { queue: "q", id: "c", payload: {} });
    const clock = manualEvery();
    await runNextWork(
      ctx,
      "q",
      async (_ctx, _item, lease) => {
        ctx.clock.advance(31_000); // stalled past its lease (e.g. the process was frozen)
        expect((await claimWork(ctx, "q", 30_000, "w2"))?.data.lease_holder).toBe("w2");
        await clock.tick();
        expect(lease.signal.aborted).toBe(true);
      },
      { every: clock.every },
    );
    expect((await getWorkItem(ctx, "c"))?.data).toMatchObject({ status: "running", lease_holder: "w2", attempts: 2 });
  });

  it("an item whose last attempt's worker died is failed and handed to the domain", async () => {
    ctx = createTestContext();
    await enqueueWork(ctx, { queue: "q", id: "d", payload: {}, maxAttempts: 1 });
    await claimWork(ctx, "q", 30_000, "w1");
    ctx.clock.advance(30_001);
    expect(await requeueExpiredWork(ctx)).toBe(0);
    const exhausted: string[] = [];
    const ran: string[] = [];
    expect(
      await runNextWork(ctx, "q", async (_c, item) => void ran.push(item.id), {
        onExhausted: async (_c, item, message) => void exhausted.push(`${item.id}: ${message}`),
      }),
    ).toBe(1);
    expect(ran).toEqual([]);
    expect(exhausted).toEqual([
      "d: The worker of attempt 1 of 1 stopped (its lease expired at 2026-06-01T12:00:30.000Z).",
    ]);
    expect((await getWorkItem(ctx, "d"))?.data).toMatchObject({ status: "failed", lease_holder: null });
    expect(await runNextWork(ctx, "q", async () => undefined)).toBe(0);
  });
});
