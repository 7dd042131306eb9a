import { describe, expect, it } from "vitest";
import { safeCallbackPath } from "./safe-callback";

const ORIGIN = "https://continuon.example:8443";

describe("safeCallbackPath keeps sign-in on our own origin", () => {
  it.each([
    ["/console", "/console"],
    ["/console/episodes/ep_1/replay?step=1200", "/console/episodes/ep_1/replay?step=1200"],
    ["/console/ota?track=stable#top", "/console/ota?track=stable#top"],
    [`${ORIGIN}/console/training/jobs/job_1`, "/console/training/jobs/job_1"],
    ["/console/../console/robots", "/console/robots"],
    ["/%2F%2Fevil.example/", "/%2F%2Fevil.example/"],
    ["/%5Cevil.example/", "/%5Cevil.example/"],
    ["/%09/evil.example/", "/%09/evil.example/"],
  ])("accepts %j as %j", (candidate, expected) => {
    expect(safeCallbackPath(candidate, ORIGIN)).toBe(expected);
  });

  it.each([
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "\\/evil.example/",
    "/\t/evil.example/",
    "/\n/evil.example/",
    "/\r\n/evil.example/",
    "\t//evil.example/",
    " //evil.example/",
    "https://evil.example/",
    "HTTPS://evil.example/",
    "http:evil.example",
    "https:evil.example",
    "https:/evil.example",
    "http://continuon.example:8443/console",
    "https://continuon.example/console",
    "https://continuon.example:8443@evil.example/",
    "https://user:pass@continuon.example:8443/console",
    "//continuon.example:8443@evil.example/",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "/.//evil.example/",
    "/./\\evil.example/",
    "",
    "x".repeat(3000),
  ])("refuses %j", (candidate) => {
    expect(safeCallbackPath(candidate, ORIGIN)).toBe("/console");
  });

  it("refuses what is not a string and uses the given fallback", () => {
    expect(safeCallbackPath(["/a", "/b"], ORIGIN)).toBe("/console");
    expect(safeCallbackPath(undefined, ORIGIN, "/console/ota")).toBe("/console/ota");
  });
});
