import { describe, expect, it } from "vitest";
import { BudgetCache } from "./budget-cache";
import { planFrameSteps, planWindows } from "./prefetch-plan";
import { formatClock, TimeMap } from "./time-map";

describe("BudgetCache", () => {
  it("stays within its budget by dropping what is farthest from the cursor, never what is protected", () => {
    const dropped: string[] = [];
    const cache = new BudgetCache<string>(300, (key) => dropped.push(key));
    for (const position of [0, 100, 200, 300, 400]) cache.set(`w${position}`, "x", position, 100);
    expect(cache.size).toBe(500);
    const evicted = cache.evict(120, (key) => key === "w400");
    expect(evicted).toEqual(["w300", "w0"]);
    expect(dropped).toEqual(["w300", "w0"]);
    expect([...cache.keys()].sort()).toEqual(["w100", "w200", "w400"]);
    expect(cache.size).toBe(300);
    expect(cache.evict(0)).toEqual([]);
  });

  it("replaces an entry without counting it twice", () => {
    const cache = new BudgetCache<number>(10);
    cache.set("a", 1, 0, 4);
    cache.set("a", 2, 5, 6);
    expect(cache.size).toBe(6);
    expect(cache.get("a")).toBe(2);
  });
});

describe("prefetch plan", () => {
  it("wants the cursor's window first, more ahead when playing fast, one behind", () => {
    expect(planWindows({ cursor: 130, stepCount: 10_000, windowSize: 64, direction: 1, playing: false })).toEqual([
      2, 3, 1,
    ]);
    expect(
      planWindows({ cursor: 130, stepCount: 10_000, windowSize: 64, direction: 1, playing: true, stepsPerSecond: 240 }),
    ).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 1]);
    expect(planWindows({ cursor: 130, stepCount: 10_000, windowSize: 64, direction: -1, playing: false })).toEqual([
      2, 1, 3,
    ]);
    expect(planWindows({ cursor: 99, stepCount: 100, windowSize: 64, direction: 1, playing: true })).toEqual([1, 0]);
    expect(planWindows({ cursor: 0, stepCount: 0, windowSize: 64, direction: 1, playing: false })).toEqual([]);
  });

  it("orders frames cursor first, then ahead, then behind, within the episode", () => {
    expect(planFrameSteps(5, 8, 1, 3)).toEqual([5, 6, 7, 4, 3]);
    expect(planFrameSteps(1, 8, -1, 3, 1)).toEqual([1, 0, 2]);
  });
});

describe("TimeMap", () => {
  const samples = { step: [0, 50, 100], t_us: [1_000_000, 2_000_000, 4_000_000] };
  const map = new TimeMap(samples, 101, 20_000, 1_000_000);

  it("maps steps to times and back between samples", () => {
    expect(map.timeOf(25)).toBe(1_500_000);
    expect(map.timeOf(75)).toBe(3_000_000);
    expect(map.stepAt(1_500_000)).toBe(25);
    expect(map.stepAt(3_000_000)).toBe(75);
    expect(map.stepAt(2_999_999)).toBe(74);
    expect(map.stepAt(0)).toBe(0);
    expect(map.stepAt(10_000_000)).toBe(100);
  });

  it("falls back to the step period without a clock", () => {
    const noClock = new TimeMap({ step: [0, 10], t_us: [null, null] }, 11, 100_000, null);
    expect(noClock.timeOf(3)).toBe(300_000);
    expect(noClock.stepAt(350_000)).toBe(3);
  });

  it("formats clock readouts", () => {
    expect(formatClock(0)).toBe("00:00.000");
    expect(formatClock(61_234_567)).toBe("01:01.235");
    expect(formatClock(3_723_000_000)).toBe("1:02:03.000");
  });
});
