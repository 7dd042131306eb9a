import { describe, expect, it } from "vitest";
import { formatAgo, formatDuration } from "./format-time";

describe("formatDuration", () => {
  it.each([
    [null, "—"],
    [undefined, "—"],
    [0, "0 ms"],
    [850, "850 ms"],
    [999.4, "999 ms"],
    [999.6, "1.0 s"],
    [4_240, "4.2 s"],
    [9_960, "10 s"],
    [42_000, "42 s"],
    [59_600, "1 min"],
    [299_900, "5 min"],
    [299_400, "4 min 59 s"],
    [300_000, "5 min"],
    [61_000, "1 min 1 s"],
    [3_599_700, "1 h"],
    [7_500_000, "2 h 5 min"],
  ])("%s ms → %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe("formatAgo", () => {
  const now = Date.parse("2026-06-01T12:00:00.000Z");
  it.each([
    ["2026-06-01T11:59:59.500Z", "0 s ago"],
    ["2026-06-01T12:00:05.000Z", "0 s ago"],
    ["2026-06-01T11:59:18.000Z", "42 s ago"],
    ["2026-06-01T11:55:00.000Z", "5 min ago"],
    ["2026-06-01T09:00:00.000Z", "3 h ago"],
    ["2026-05-30T12:00:00.000Z", "2026-05-30"],
  ])("%s → %s", (iso, text) => {
    expect(formatAgo(iso, now)).toBe(text);
    expect(formatAgo(iso, new Date(now))).toBe(text);
  });

  it("names a missing time", () => {
    expect(formatAgo(null, now)).toBe("never");
    expect(formatAgo(undefined, now, "—")).toBe("—");
  });
});
