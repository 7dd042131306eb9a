import { describe, expect, it } from "vitest";
import { bucketInCohort, cohortBucket, isInCohort } from "./cohort";

describe("cohorts", () => {
  const devices = Array.from({ length: 4000 }, (_, i) => (0x10000000 + i * 65537).toString(16).slice(-8));

  it("are a fixed function of bundle and device", () => {
    expect(cohortBucket("companion-v1@1.1.0", "14d4b680")).toBe(cohortBucket("companion-v1@1.1.0", "14d4b680"));
    // Known value: the first 32 bits of sha256("companion-v1@1.1.0:14d4b680") modulo 10 000.
    expect(cohortBucket("companion-v1@1.1.0", "14d4b680")).toBe(885);
  });

  it("only grow as the percentage grows", () => {
    for (const percentage of [1, 5, 10, 25, 50, 99.99]) {
      const inside = devices.filter((device) => isInCohort("b@1.0.0", device, percentage));
      const wider = devices.filter((device) => isInCohort("b@1.0.0", device, Math.min(100, percentage * 2)));
      expect(inside.every((device) => wider.includes(device))).toBe(true);
    }
    expect(devices.every((device) => isInCohort("b@1.0.0", device, 100))).toBe(true);
    expect(devices.some((device) => isInCohort("b@1.0.0", device, 0))).toBe(false);
  });

  it("hold about the share asked for, and differ between bundles", () => {
    const share = devices.filter((device) => isInCohort("b@1.0.0", device, 10)).length / devices.length;
    expect(share).toBeGreaterThan(0.08);
    expect(share).toBeLessThan(0.12);
    const a = devices.filter((device) => isInCohort("b@1.0.0", device, 10));
    const b = devices.filter((device) => isInCohort("b@1.1.0", device, 10));
    expect(a.filter((device) => b.includes(device)).length).toBeLessThan(a.length / 3);
  });

  it("takes two-decimal percentages", () => {
    expect(bucketInCohort(24, 0.25)).toBe(true);
    expect(bucketInCohort(25, 0.25)).toBe(false);
  });
});
