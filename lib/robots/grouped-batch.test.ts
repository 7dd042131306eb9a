import { afterEach, describe, expect, it, vi } from "vitest";
import { DomainError } from "@/lib/errors";
import { writes } from "@/lib/storage/typed";
import { createTestContext, type TestContext } from "@/server/testing/create-test-context";
import { GroupedBatch, groupedBatch } from "./grouped-batch";
import { RobotNonces } from "./schemas";

let ctx: TestContext;
afterEach(async () => {
  await ctx?.cleanup();
});

const nonce = (id: string) =>
  writes.create(RobotNonces, id, {
    device_id: "14d4b680",
    seen_at: "2026-06-01T12:00:00.000Z",
    expires_at: "2026-06-01T12:05:00.000Z",
  });

describe("GroupedBatch", () => {
  it("commits writes submitted together in one batch", async () => {
    ctx = createTestContext();
    const batch = vi.spyOn(ctx.db, "batch");
    const grouped = new GroupedBatch(ctx.db);
    await Promise.all(Array.from({ length: 20 }, (_, index) => grouped.submit([nonce(`n${index}`)])));
    expect(batch).toHaveBeenCalledTimes(1);
    expect(await ctx.db.count(RobotNonces)).toBe(20);
  });

  it("fails only the caller at fault when a grouped commit fails", async () => {
    ctx = createTestContext();
    await ctx.db.batch([nonce("taken")]);
    const grouped = new GroupedBatch(ctx.db);
    const results = await Promise.allSettled([
      grouped.submit([nonce("a")]),
      grouped.submit([nonce("taken")]),
      grouped.submit([nonce("b"), nonce("b")]),
      grouped.submit([nonce("c")]),
    ]);
    expect(results.map((result) => result.status)).toEqual(["fulfilled", "rejected", "rejected", "fulfilled"]);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(DomainError);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: "conflict" });
    const ids = (await ctx.db.query(RobotNonces, {})).docs.map((doc) => doc.id).sort();
    expect(ids).toEqual(["a", "c", "taken"]);
  });

  it("splits more than a batch's worth of writes", async () => {
    ctx = createTestContext();
    const grouped = new GroupedBatch(ctx.db);
    await Promise.all(
      Array.from({ length: 6 }, (_, group) =>
        grouped.submit(Array.from({ length: 100 }, (_, index) => nonce(`g${group}-${index}`))),
      ),
    );
    expect(await ctx.db.count(RobotNonces)).toBe(600);
  });

  it("does not start a commit while the previous one is still running, and then takes all that waited", async () => {
    ctx = createTestContext();
    const commit = ctx.db.batch.bind(ctx.db);
    const started: number[] = [];
    let release: () => void = () => undefined;
    const firstHeld = new Promise<void>((resolve) => (release = resolve));
    // The first commit is held open, as a commit on the store's writer thread is while it writes.
    const batch = vi.spyOn(ctx.db, "batch").mockImplementation(async (ops) => {
      started.push(ops.length);
      if (started.length === 1) await firstHeld;
      return commit(ops);
    });
    const grouped = new GroupedBatch(ctx.db);
    const first = grouped.submit([nonce("first")]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([1]);
    const later = Array.from({ length: 5 }, (_, index) => grouped.submit([nonce(`later${index}`)]));
    for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([1]);
    release();
    await Promise.all([first, ...later]);
    expect(started).toEqual([1, 5]);
    expect(batch).toHaveBeenCalledTimes(2);
    expect(await ctx.db.count(RobotNonces)).toBe(6);
  });

  it("is shared per store through the service registry", async () => {
    ctx = createTestContext();
    await groupedBatch(ctx, [nonce("x")]);
    const first = ctx.services.registry.get("robots:grouped-batch");
    await groupedBatch(ctx, [nonce("y")]);
    expect(ctx.services.registry.get("robots:grouped-batch")).toBe(first);
  });
});
