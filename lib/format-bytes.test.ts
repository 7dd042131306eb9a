import { describe, expect, it } from "vitest";
import { formatBytes } from "./format-bytes";

describe("formatBytes", () => {
  it.each([
    [null, "—"],
    [undefined, "—"],
    [0, "0 B"],
    [1023, "1023 B"],
    [1024, "1.0 KiB"],
    [1331, "1.3 KiB"],
    [108_032, "106 KiB"],
    [5 * 1024 * 1024, "5.0 MiB"],
    [2.4 * 1024 ** 3, "2.4 GiB"],
    [3 * 1024 ** 5, "3072 TiB"],
  ])("%s → %s", (bytes, shown) => {
    expect(formatBytes(bytes)).toBe(shown);
  });
});
