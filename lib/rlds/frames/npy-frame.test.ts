import fs from "node:fs";
import path from "node:path";
import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import { npyFile } from "@/lib/rlds/__fixtures__/archives";
import { renderNpyFrame } from "@/lib/rlds/frames/npy-frame";

const FIXTURE = path.join(process.cwd(), "tests/fixtures/upstream/robot-package");

function decode(png: Buffer) {
  return PNG.sync.read(png);
}

describe("renderNpyFrame", () => {
  it("renders a uint8 H×W×3 frame pixel for pixel", async () => {
    const data = Buffer.alloc(2 * 3 * 3);
    for (let i = 0; i < data.length; i++) data[i] = i * 10;
    const result = await renderNpyFrame(npyFile("|u1", [2, 3, 3], { data }));
    if (!result.ok) throw new Error(result.why);
    expect(result).toMatchObject({ width: 3, height: 2, kind: "color" });
    const image = decode(result.png);
    expect([image.width, image.height]).toEqual([3, 2]);
    // pixel (row 1, column 2) = data[15..17]
    const at = (1 * 3 + 2) * 4;
    expect([...image.data.subarray(at, at + 4)]).toEqual([150, 160, 170, 255]);
  });

  it("renders a uint16 depth map as grey scaled to its largest value, 0 staying black", async () => {
    const data = Buffer.alloc(4 * 2);
    [0, 1000, 2000, 4000].forEach((v, i) => data.writeUInt16LE(v, i * 2));
    const result = await renderNpyFrame(npyFile("<u2", [2, 2], { data }));
    if (!result.ok) throw new Error(result.why);
    const image = decode(result.png);
    const grey = [0, 1, 2, 3].map((i) => image.data[i * 4]);
    expect(grey).toEqual([0, 64, 128, 255]);
  });

  it("renders the field recorder's own frames (96×128 RGB, uint16 depth)", async () => {
    const rgb = await renderNpyFrame(fs.readFileSync(path.join(FIXTURE, "step_0003_rgb.npy")));
    const depth = await renderNpyFrame(fs.readFileSync(path.join(FIXTURE, "step_0003_depth.npy")));
    expect(rgb).toMatchObject({ ok: true, width: 128, height: 96, kind: "color" });
    expect(depth).toMatchObject({ ok: true, width: 128, height: 96, kind: "gray" });
  });

  it.each([
    ["not an .npy", Buffer.from("hello"), "not a NumPy .npy file"],
    ["a truncated frame", npyFile("|u1", [4, 4, 3]).subarray(0, 100 + 28), "its header declares 176"],
    ["a 1-D array", npyFile("|u1", [12]), "is not H×W or H×W×C"],
    ["an unsupported dtype", npyFile("<u2", [2, 2, 3]), "with 3 channels is not an image"],
  ])("explains why %s is not rendered", async (_name, bytes, why) => {
    const result = await renderNpyFrame(bytes);
    expect(result.ok).toBe(false);
    expect((result as { why: string }).why).toContain(why);
  });
});
