import { afterEach, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "@/server/testing/create-test-context";
import { SharedRateLimiter } from "./shared-rate-limiter";

let ctx: TestContext;
afterEach(() => ctx?.cleanup());

const rule = { limit: 10, windowS: 60 };

describe("SharedRateLimiter", () => {
  it("refuses past the limit with a Retry-After to the window's end", () => {
    ctx = createTestContext();
    const limiter = new SharedRateLimiter(ctx.db, ctx.now, 60_000);
    for (let i = 0; i < 10; i++) limiter.consume("robot:a", rule);
    try {
      limiter.consume("robot:a", rule);
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: "rate_limited", reason: "rate_limited" });
      expect((error as { retryAfterS: number }).retryAfterS).toBeGreaterThan(0);
      expect((error as { retryAfterS: number }).retryAfterS).toBeLessThanOrEqual(60);
    }
    // other keys are unaffected
    limiter.consume("robot:b", rule);
    void limiter.close();
  });

  it("holds across instances sharing a store, and opens again in the next window", async () => {
    ctx = createTestContext();
    const first = new SharedRateLimiter(ctx.db, ctx.now, 60_000);
    const second = new SharedRateLimiter(ctx.db, ctx.now, 60_000);
    for (let i = 0; i < 6; i++) first.consume("user:u", rule);
    await first.flush();
    for (let i = 0; i < 4; i++) second.consume("user:u", rule);
    await second.flush();
    // second now knows the shared total (10): the 11th request is refused there…
    expect(() => second.consume("user:u", rule)).toThrow(/Too many requests/);
    // The first instance last read 6: it may admit within one flush interval, then it knows.
    first.consume("user:u", rule);
    await first.flush();
    expect(() => first.consume("user:u", rule)).toThrow(/Too many requests/);
    const stored = await ctx.db.store.query("rate_limits", { limit: 10 });
    expect(stored.docs.map((doc) => doc.data.count)).toEqual([11]);
    ctx.clock.advance(60_000);
    first.consume("user:u", rule);
    await Promise.all([first.close(), second.close()]);
  });

  it("keeps counts it could not write and writes them on the next flush", async () => {
    ctx = createTestContext();
    const limiter = new SharedRateLimiter(ctx.db, ctx.now, 60_000);
    limiter.consume("robot:c", rule);
    const original = ctx.db.batch.bind(ctx.db);
    let failOnce = true;
    ctx.db.batch = async (ops) => {
      if (failOnce) {
        failOnce = false;
        throw new Error("store unavailable");
      }
      return original(ops);
    };
    await limiter.flush();
    await limiter.flush();
    const page = await ctx.db.store.query("rate_limits", { limit: 10 });
    expect(page.docs.map((doc) => doc.data.count)).toEqual([1]);
  });
});
