import { describe, expect, it } from "vitest";
import { assertPlainVersion, assertVersionRange, compareVersions, fieldVersion, satisfiesRange } from "./versions";

describe("versions as the field runtime reads them", () => {
  it.each([
    ["1.1.0", [1, 1, 0]],
    ["0.0.1", [0, 0, 1]],
    ["10.20.30", [10, 20, 30]],
    ["v1.0.1", [0, 0, 0]],
    ["1.0.0-rc1", [0, 0, 0]],
    ["1.0", [0, 0, 0]],
    ["01.0.0", [0, 0, 0]],
    ["", [0, 0, 0]],
    [null, [0, 0, 0]],
  ])("%s reads as %j", (value, expected) => {
    expect(fieldVersion(value)).toEqual(expected);
  });

  it.each([
    ["1.10.0", "1.9.0", 1],
    ["1.0.0", "1.0.0", 0],
    ["0.9.9", "1.0.0", -1],
    ["2.0.0", "10.0.0", -1],
  ])("compares %s with %s as %i", (a, b, expected) => {
    expect(compareVersions(a, b)).toBe(expected);
  });

  it("accepts only plain versions for publishing, naming the field", () => {
    expect(assertPlainVersion("1.2.3")).toBe("1.2.3");
    for (const bad of ["1.2", "v1.2.3", "1.2.3-beta", "1.2.3+build", " 1.2.3", "a.b.c"]) {
      expect(() => assertPlainVersion(bad, "version")).toThrowError(
        expect.objectContaining({ code: "invalid", reason: "invalid_version" }),
      );
    }
  });

  it("checks requires_version ranges", () => {
    expect(assertVersionRange(">=1.0.0")).toBe(">=1.0.0");
    expect(() => assertVersionRange("soon")).toThrowError(
      expect.objectContaining({ reason: "invalid_requires_version" }),
    );
    expect(satisfiesRange("1.2.0", ">=1.0.0 <2.0.0")).toBe(true);
    expect(satisfiesRange("2.0.0", ">=1.0.0 <2.0.0")).toBe(false);
    expect(satisfiesRange(null, ">=1.0.0")).toBe(false);
    expect(satisfiesRange(null, null)).toBe(true);
  });
});
