import { describe, expect, it } from "vitest";
import { assertValidBlobKey, blobKey } from "./keys";

describe("assertValidBlobKey", () => {
  it.each([
    ["episodes/raw/14d4b680/ep_1/episode.tar.gz"],
    ["bundles/ota/companion-v1/1.0.3.bundle"],
    ["models/checkpoints/job_1/step 100.npz"],
    ["a"],
  ])("accepts %s", (key) => {
    expect(assertValidBlobKey(key)).toBe(key);
  });

  it.each([
    ["", "it is empty"],
    ["../x", '".." segment'],
    ["a/../b", '".." segment'],
    ["a/./b", '"." segment'],
    ["/abs", "it is absolute"],
    ["a//b", "empty segment"],
    ["a/", "empty segment"],
    ["a\\b", "backslash"],
    ["a\u0000b", "control character"],
    ["a\nb", "control character"],
    ["x".repeat(1025), "longer than 1024"],
  ])("refuses %j (%s)", (key, why) => {
    expect(() => assertValidBlobKey(key)).toThrow(why);
    try {
      assertValidBlobKey(key);
    } catch (error) {
      expect(error).toMatchObject({ code: "invalid", reason: "invalid_blob_key" });
    }
  });

  it("blobKey refuses a segment carrying a slash", () => {
    expect(() => blobKey("episodes", "raw", "../../etc")).toThrow(/slash/);
    expect(blobKey("episodes", "raw", "r1")).toBe("episodes/raw/r1");
  });
});
