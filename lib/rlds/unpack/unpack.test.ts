import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DomainError } from "@/lib/errors";
import { buildTar, buildZip, npyFile, streamOf, type TarSpec, type ZipSpec } from "@/lib/rlds/__fixtures__/archives";
import { declaredPayloadSize, parseNpyHeader } from "@/lib/rlds/unpack/declared-payload";
import type { EpisodeLimits } from "@/lib/rlds/limits";
import type { ArchiveEntry } from "@/lib/rlds/unpack/archive-entry";
import { normalizeEntryPath } from "@/lib/rlds/unpack/normalize-entry-path";
import { readTar, readTarGz } from "@/lib/rlds/unpack/read-tar";
import { readZipFile } from "@/lib/rlds/unpack/read-zip";
import { detectFormat } from "@/lib/rlds/unpack/sniff-format";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rlds-unpack-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function collect(entries: AsyncIterable<ArchiveEntry>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for await (const entry of entries) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry.stream) chunks.push(Buffer.from(chunk));
    out[entry.path] = Buffer.concat(chunks).toString("utf8");
  }
  return out;
}

async function refusal(
  run: () => Promise<unknown>,
): Promise<{ code: string; reason: string | undefined; message: string }> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    const e = error as DomainError;
    return { code: e.code, reason: e.reason, message: e.message };
  }
  throw new Error("expected a refusal");
}

let zipCounter = 0;
function writeZip(bytes: Buffer): string {
  const file = path.join(tmp, `case-${zipCounter++}.zip`);
  fs.writeFileSync(file, bytes);
  return file;
}

describe("normalizeEntryPath", () => {
  const limits = { maxPathBytes: 64, maxPathDepth: 4 };
  it.each([
    ["a/b/c.txt", "a/b/c.txt"],
    ["./a//b/./c", "a/b/c"],
    ["dir/", "dir"],
    ["./", ""],
  ])("normalizes %j to %j", (raw, expected) => {
    expect(normalizeEntryPath(raw, limits)).toBe(expected);
  });

  it.each([
    ["../evil", "path_traversal"],
    ["a/../../evil", "path_traversal"],
    ["a/..", "path_traversal"],
    ["/etc/passwd", "absolute_path"],
    ["C:/Windows/x", "absolute_path"],
    ["a\\..\\evil", "backslash_path"],
    ["a\u0000b", "invalid_path"],
    ["a/b/c/d/e", "invalid_path"],
    ["x".repeat(65), "invalid_path"],
  ])("refuses %j with %s", (raw, reason) => {
    try {
      normalizeEntryPath(raw, limits);
      throw new Error("accepted");
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe("invalid");
      expect((error as DomainError).reason).toBe(reason);
    }
  });
});

describe("readTarGz", () => {
  it("yields regular files with normalized paths and skips directories", async () => {
    const bytes = await buildTar([
      { name: "ep/", type: "directory" },
      { name: "./ep/metadata.json", body: "{}" },
      { name: "ep/steps/000000.jsonl", body: "line\n" },
    ]);
    expect(await collect(readTarGz(streamOf(bytes, 100)))).toEqual({
      "ep/metadata.json": "{}",
      "ep/steps/000000.jsonl": "line\n",
    });
  });

  it("reads a plain tar", async () => {
    const bytes = await buildTar([{ name: "a.txt", body: "hello" }], { gzip: false });
    expect(await collect(readTar(streamOf(bytes)))).toEqual({ "a.txt": "hello" });
  });

  const cases: { name: string; entries: TarSpec[]; limits?: Partial<EpisodeLimits>; reason: string; names: string }[] =
    [
      {
        name: "tar ../ entry",
        entries: [{ name: "../evil.sh", body: "x" }],
        reason: "path_traversal",
        names: "../evil.sh",
      },
      {
        name: "nested ../ entry",
        entries: [{ name: "ep/../../evil", body: "x" }],
        reason: "path_traversal",
        names: "ep/../../evil",
      },
      {
        name: "absolute path",
        entries: [{ name: "/etc/cron.d/x", body: "x" }],
        reason: "absolute_path",
        names: "/etc/cron.d/x",
      },
      {
        name: "backslash path",
        entries: [{ name: "ep\\..\\x", body: "x" }],
        reason: "backslash_path",
        names: "ep\\..\\x",
      },
      {
        name: "symlink",
        entries: [{ name: "ep/link", type: "symlink", linkname: "/etc/passwd" }],
        reason: "symlink_entry",
        names: "ep/link",
      },
      {
        name: "hardlink",
        entries: [
          { name: "ep/a", body: "x" },
          { name: "ep/b", type: "link", linkname: "ep/a" },
        ],
        reason: "hardlink_entry",
        names: "ep/b",
      },
      { name: "fifo", entries: [{ name: "ep/pipe", type: "fifo" }], reason: "special_entry", names: "ep/pipe" },
      {
        name: "character device",
        entries: [{ name: "ep/null", type: "character-device" }],
        reason: "special_entry",
        names: "ep/null",
      },
      {
        name: "duplicate path",
        entries: [
          { name: "ep/metadata.json", body: "{}" },
          { name: "./ep/metadata.json", body: "{}" },
        ],
        reason: "duplicate_entry",
        names: "ep/metadata.json",
      },
      {
        name: "too many entries",
        entries: [
          { name: "a", body: "1" },
          { name: "b", body: "2" },
          { name: "c", body: "3" },
        ],
        limits: { maxEntries: 2 },
        reason: "too_many_entries",
        names: "c",
      },
      {
        name: "too many decompressed bytes",
        entries: [{ name: "big.bin", zeros: 2 * 1024 * 1024 }],
        limits: { maxUncompressedBytes: 1024 * 1024, maxCompressionRatio: 1e9 },
        reason: "uncompressed_too_large",
        names: "Archive",
      },
    ];

  it.each(cases)("refuses $name with $reason", async ({ entries, limits, reason, names }) => {
    const bytes = await buildTar(entries);
    const result = await refusal(() => collect(readTarGz(streamOf(bytes), { limits })));
    expect(result.code).toBe("invalid");
    expect(result.reason).toBe(reason);
    expect(result.message).toContain(names);
  });

  it("stops a decompression bomb while inflating, long before its declared size", async () => {
    const bytes = await buildTar([{ name: "bomb.bin", zeros: 64 * 1024 * 1024 }]);
    expect(bytes.length).toBeLessThan(200 * 1024);
    let read = 0;
    const result = await refusal(async () => {
      for await (const entry of readTarGz(streamOf(bytes), { limits: { ratioGraceBytes: 4 * 1024 * 1024 } })) {
        for await (const chunk of entry.stream) read += chunk.length;
      }
    });
    expect(result.reason).toBe("compression_ratio_exceeded");
    expect(result.message).toMatch(/decompression bomb/);
    expect(read).toBeLessThan(16 * 1024 * 1024);
  });

  it("refuses a truncated gzip stream", async () => {
    const bytes = await buildTar([{ name: "a.txt", body: "x".repeat(100_000) + Math.random() }]);
    const result = await refusal(() => collect(readTarGz(streamOf(bytes.subarray(0, bytes.length - 30)))));
    expect(result.reason).toBe("truncated_archive");
  });

  it("refuses data that is not gzip", async () => {
    const result = await refusal(() => collect(readTarGz(streamOf(Buffer.from("not a gzip stream at all")))));
    expect(result.reason).toBe("corrupt_archive");
  });

  it("refuses a tar cut inside an entry", async () => {
    const bytes = await buildTar([{ name: "a.txt", body: "y".repeat(5000) }], { gzip: false });
    const result = await refusal(() => collect(readTar(streamOf(bytes.subarray(0, 2048)))));
    expect(result.reason).toBe("truncated_archive");
  });
});

describe("readZipFile", () => {
  it("yields entries, in the order asked", async () => {
    const file = writeZip(
      await buildZip([
        { name: "ep/steps/000000.jsonl", body: "line\n" },
        { name: "ep/metadata.json", body: "{}", compress: false },
        { name: "ep/blobs/a.png", body: "png" },
      ]),
    );
    const order: string[] = [];
    for await (const entry of readZipFile(file, { compare: (a, b) => (a < b ? -1 : 1) })) {
      order.push(entry.path);
      for await (const _ of entry.stream) {
        // drain
      }
    }
    expect(order).toEqual(["ep/blobs/a.png", "ep/metadata.json", "ep/steps/000000.jsonl"]);
    expect(await collect(readZipFile(file))).toEqual({
      "ep/steps/000000.jsonl": "line\n",
      "ep/metadata.json": "{}",
      "ep/blobs/a.png": "png",
    });
  });

  const cases: {
    name: string;
    entries: ZipSpec[];
    rename?: Record<string, string>;
    limits?: Partial<EpisodeLimits>;
    reason: string;
    names: string;
  }[] = [
    {
      name: "zip slip",
      entries: [{ name: "xx/evil.sh", body: "x" }],
      rename: { "xx/evil.sh": "../evil.sh" },
      reason: "path_traversal",
      names: "../evil.sh",
    },
    {
      name: "absolute path",
      entries: [{ name: "xetc/passwd", body: "x" }],
      rename: { "xetc/passwd": "/etc/passwd" },
      reason: "absolute_path",
      names: "/etc/passwd",
    },
    {
      name: "backslash path",
      entries: [{ name: "ep/x.txt", body: "x" }],
      rename: { "ep/x.txt": "ep\\x.txt" },
      reason: "backslash_path",
      names: "ep\\x.txt",
    },
    {
      name: "symlink",
      entries: [{ name: "ep/link", body: "/etc/passwd", mode: 0o120777 }],
      reason: "symlink_entry",
      names: "ep/link",
    },
    {
      name: "fifo",
      entries: [{ name: "ep/pipe", body: "", mode: 0o010644 }],
      reason: "special_entry",
      names: "ep/pipe",
    },
    {
      name: "duplicate path",
      entries: [
        { name: "ep/a.txt", body: "1" },
        { name: "ep/b.txt", body: "2" },
      ],
      rename: { "ep/b.txt": "ep/a.txt" },
      reason: "duplicate_entry",
      names: "ep/a.txt",
    },
    {
      name: "too many entries",
      entries: [
        { name: "a", body: "1" },
        { name: "b", body: "2" },
        { name: "c", body: "3" },
      ],
      limits: { maxEntries: 2 },
      reason: "too_many_entries",
      names: "3 entries",
    },
  ];

  it.each(cases)("refuses $name with $reason", async ({ entries, rename, limits, reason, names }) => {
    const file = writeZip(await buildZip(entries, rename));
    const result = await refusal(() => collect(readZipFile(file, { limits })));
    expect(result.code).toBe("invalid");
    expect(result.reason).toBe(reason);
    expect(result.message).toContain(names);
  });

  it("stops a zip bomb while inflating", async () => {
    const file = writeZip(await buildZip([{ name: "bomb.bin", body: Buffer.alloc(48 * 1024 * 1024) }]));
    expect(fs.statSync(file).size).toBeLessThan(200 * 1024);
    const result = await refusal(() => collect(readZipFile(file, { limits: { ratioGraceBytes: 4 * 1024 * 1024 } })));
    expect(result.reason).toBe("compression_ratio_exceeded");
    expect(result.message).toContain("bomb.bin");
  });

  it("refuses a zip whose header lies about the uncompressed size", async () => {
    const bytes = await buildZip([{ name: "a.txt", body: "hello world", compress: false }]);
    // Central directory uncompressed size (offset 24 from the "PK\x01\x02" signature) set to 5.
    const central = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    bytes.writeUInt32LE(5, central + 24);
    const result = await refusal(() => collect(readZipFile(writeZip(bytes))));
    expect(result.reason).toBe("corrupt_archive");
  });

  it("refuses a truncated zip", async () => {
    const bytes = await buildZip([{ name: "a.txt", body: "hello" }]);
    const result = await refusal(() => collect(readZipFile(writeZip(bytes.subarray(0, bytes.length - 10)))));
    expect(result.reason).toBe("corrupt_archive");
  });
});

describe("detectFormat", () => {
  it.each([
    [[0x1f, 0x8b, 8], "tar.gz"],
    [[0x50, 0x4b, 3, 4], "zip"],
    [[...Buffer.from('  \n{"metadata"')], "json"],
    [[0xef, 0xbb, 0xbf, 0x7b], "json"],
    [[...Buffer.from("hello")], null],
  ])("detects %j as %s", (bytes, format) => {
    expect(detectFormat(Uint8Array.from(bytes as number[]))).toBe(format);
  });
});

describe("frames judged by their declared size", () => {
  // A mock camera: all-zero 640×480 RGB and depth frames, as the field's recorder writes them.
  const rgb = npyFile("|u1", [480, 640, 3]);
  const depth = npyFile("<u2", [480, 640]);
  const mockPackage = (frames: number): TarSpec[] => [
    { name: "ep/episode.json", body: '{"metadata":{},"steps":[]}' },
    ...Array.from({ length: frames }, (_, i) => [
      { name: `ep/step_${String(i).padStart(4, "0")}_rgb.npy`, body: rgb },
      { name: `ep/step_${String(i).padStart(4, "0")}_depth.npy`, body: depth },
    ]).flat(),
  ];
  const limits = { ratioGraceBytes: 4 * 1024 * 1024 };

  it("reads the header numpy writes", () => {
    expect(parseNpyHeader(rgb)).toEqual({
      dataOffset: 128,
      descr: "|u1",
      itemSize: 1,
      kind: "u",
      littleEndian: true,
      fortranOrder: false,
      shape: [480, 640, 3],
    });
    expect(declaredPayloadSize("a/step_0000_rgb.npy", rgb)).toBe(rgb.length);
    expect(declaredPayloadSize("a/step_0000_depth.npy", depth)).toBe(128 + 480 * 640 * 2);
    expect(declaredPayloadSize("a/x.npy", npyFile("|u1", [1_000_000_000], { data: Buffer.alloc(0) }))).toBeNull();
    expect(declaredPayloadSize("a/x.bin", rgb)).toBeNull();
  });

  it("reads the sizes BMP and binary PGM/PPM headers declare", () => {
    const bmp = Buffer.alloc(54);
    bmp.write("BM", 0, "latin1");
    bmp.writeUInt32LE(54, 10);
    bmp.writeInt32LE(641, 18); // width: rows of 641 × 3 bytes pad to 1924
    bmp.writeInt32LE(-480, 22); // top-down
    bmp.writeUInt16LE(24, 28);
    expect(declaredPayloadSize("f.bmp", bmp)).toBe(54 + 1924 * 480);
    bmp.writeUInt32LE(1, 30); // RLE: its size is not declared
    expect(declaredPayloadSize("f.bmp", bmp)).toBeNull();
    expect(declaredPayloadSize("f.ppm", Buffer.from("P6\n# cam\n640 480\n255\n"))).toBe(21 + 640 * 480 * 3);
    expect(declaredPayloadSize("f.pgm", Buffer.from("P5 640 480 65535\n"))).toBe(17 + 640 * 480 * 2);
    expect(declaredPayloadSize("f.pgm", Buffer.from("P5 99999 480 255\n"))).toBeNull();
  });

  it("accepts a mock camera's all-zero frames that compress far beyond the ratio cap (tar.gz)", async () => {
    const bytes = await buildTar(mockPackage(12));
    const inflated = 12 * (rgb.length + depth.length);
    // The archive compresses several hundred to one: the plain ratio check refuses it.
    expect(inflated / bytes.length).toBeGreaterThan(400);
    const sizes: Record<string, number> = {};
    for await (const entry of readTarGz(streamOf(bytes), { limits })) {
      let size = 0;
      for await (const chunk of entry.stream) size += chunk.length;
      sizes[entry.path] = size;
    }
    expect(Object.keys(sizes)).toHaveLength(25);
    expect(sizes["ep/step_0011_rgb.npy"]).toBe(rgb.length);
    expect(sizes["ep/step_0011_depth.npy"]).toBe(depth.length);
  });

  it("accepts all-zero frames in a zip (each entry judged on its own)", async () => {
    const large = npyFile("|u1", [1080, 1920, 3]);
    const file = writeZip(
      await buildZip([
        { name: "ep/step_0000_rgb.npy", body: large },
        { name: "ep/step_0001_rgb.npy", body: large },
      ]),
    );
    const out = await collect(readZipFile(file, { limits }));
    expect(Object.keys(out)).toEqual(["ep/step_0000_rgb.npy", "ep/step_0001_rgb.npy"]);
    expect(out["ep/step_0001_rgb.npy"]).toHaveLength(large.length);
  });

  it.each([
    ["zeros named .npy without a header", { name: "ep/step_0100_rgb.npy", zeros: 48 * 1024 * 1024 }],
    [
      "an .npy whose header declares a smaller frame than it holds",
      {
        name: "ep/step_0100_rgb.npy",
        body: Buffer.concat([npyFile("|u1", [4, 4, 3]), Buffer.alloc(48 * 1024 * 1024)]),
      },
    ],
    [
      "an .npy declaring an array that is not a frame",
      { name: "ep/step_0100_rgb.npy", body: npyFile("|u1", [48 * 1024 * 1024]) },
    ],
    ["zeros after honest frames", { name: "ep/blobs/zeros.bin", zeros: 48 * 1024 * 1024 }],
  ])("still refuses a bomb: %s", async (_name, bomb) => {
    const bytes = await buildTar([...mockPackage(4), bomb as TarSpec]);
    const result = await refusal(() => collect(readTarGz(streamOf(bytes), { limits })));
    expect(result.code).toBe("invalid");
    expect(result.reason).toBe("compression_ratio_exceeded");
    expect(result.message).toMatch(/decompression bomb/);
  });

  it("still refuses a lying .npy in a zip", async () => {
    const body = Buffer.concat([npyFile("|u1", [4, 4, 3]), Buffer.alloc(48 * 1024 * 1024)]);
    const file = writeZip(await buildZip([{ name: "ep/step_0000_rgb.npy", body }]));
    const result = await refusal(() => collect(readZipFile(file, { limits })));
    expect(result.reason).toBe("compression_ratio_exceeded");
    expect(result.message).toContain("ep/step_0000_rgb.npy");
  });
});
