import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DomainError } from "@/lib/errors";
import { camelToSnake, renameJsonKeysToSnake } from "@/lib/rlds/json/camel-case";
import { jsonNestsDeeperThan } from "@/lib/rlds/json/json-depth";
import { LineSplitter } from "@/lib/rlds/json/line-splitter";
import { parseLossless, stringifyLossless } from "@/lib/rlds/json/lossless";
import { pythonFloat, pythonJsonDumps, pythonNumber } from "@/lib/rlds/json/python-json";
import { JsonEpisodeScanner } from "@/lib/rlds/json/scan-json-episode";

function split(text: string, chunk: number, max = 1000) {
  const lines: [number, string][] = [];
  const tooLong: number[] = [];
  const splitter = new LineSplitter(max, {
    onLine: (line, n) => lines.push([n, line.toString("utf8")]),
    onTooLong: (n) => tooLong.push(n),
  });
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += chunk) splitter.push(bytes.subarray(i, i + chunk));
  splitter.end();
  return { lines, tooLong };
}

describe("LineSplitter", () => {
  it("gives the same lines whatever the chunking", () => {
    const text = 'a\n{"é": 1}\r\n\nlast';
    for (const chunk of [1, 2, 3, 5, 100]) {
      expect(split(text, chunk).lines).toEqual([
        [1, "a"],
        [2, '{"é": 1}\r'],
        [3, ""],
        [4, "last"],
      ]);
    }
  });

  it("skips a line over the cap without buffering it and keeps counting lines", () => {
    for (const chunk of [1, 4, 1000]) {
      const { lines, tooLong } = split(`ok\n${"x".repeat(50)}\nnext\n`, chunk, 10);
      expect(lines).toEqual([
        [1, "ok"],
        [3, "next"],
      ]);
      expect(tooLong).toEqual([2]);
    }
  });
});

function scan(text: string, chunk: number, options: { maxStepBytes?: number } = {}) {
  const members: [string, string, number][] = [];
  const steps: [number, string, number][] = [];
  const tooLong: number[] = [];
  const scanner = new JsonEpisodeScanner(
    {
      onMember: (key, raw, line) => members.push([key, raw.toString("utf8"), line]),
      onStep: (raw, index, line) => steps.push([index, raw.toString("utf8"), line]),
      onStepTooLong: (index) => tooLong.push(index),
    },
    { maxStepBytes: options.maxStepBytes ?? 10_000, maxMemberBytes: 10_000, source: "doc.json" },
  );
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += chunk) scanner.push(bytes.subarray(i, i + chunk));
  scanner.end();
  return { members, steps, tooLong, hasSteps: scanner.hasSteps };
}

describe("JsonEpisodeScanner", () => {
  const document = [
    "\uFEFF{",
    '  "metadata": { "tags": ["a b", "c\\"d"], "n": 1.50 },',
    '  "steps": [',
    '    { "observation": { "x": 0.0, "s": "a ] } , \\\\" }, "action": {} },',
    "    {",
    '      "observation": {"big": 1764952865006200430}, "action": {"k": [1, 2]}',
    "    }",
    "  ],",
    '  "assets": [], "flag": true, "none": null, "num": -1e3',
    "}",
  ].join("\n");

  it("hands out members and minified steps with their lines, whatever the chunking", () => {
    for (const chunk of [1, 2, 7, 64, 100_000]) {
      const result = scan(document, chunk);
      expect(result.hasSteps).toBe(true);
      expect(result.members).toEqual([
        ["metadata", '{"tags":["a b","c\\"d"],"n":1.50}', 2],
        ["assets", "[]", 9],
        ["flag", "true", 9],
        ["none", "null", 9],
        ["num", "-1e3", 9],
      ]);
      expect(result.steps).toEqual([
        [0, '{"observation":{"x":0.0,"s":"a ] } , \\\\"},"action":{}}', 4],
        [1, '{"observation":{"big":1764952865006200430},"action":{"k":[1,2]}}', 5],
      ]);
    }
  });

  it("skips a step over the cap and keeps going", () => {
    const result = scan(`{"steps": [{"a": "${"x".repeat(100)}"}, {"b": 1}]}`, 16, { maxStepBytes: 50 });
    expect(result.tooLong).toEqual([0]);
    expect(result.steps).toEqual([[1, '{"b":1}', 1]]);
  });

  it.each([
    ["an array root", "[1, 2]", /not a JSON object/],
    ["steps not an array", '{"steps": {}}', /"steps" is not an array/],
    ["a document cut short", '{"steps": [{"a": 1}', /ends early/],
    ["trailing garbage", '{"steps": []} x', /after the end/],
    ["a trailing comma", '{"steps": [{"a": 1},]}', /followed by "]"/],
    ["two steps members", '{"steps": [], "steps": []}', /appears twice/],
    ["an empty document", "   ", /empty/],
  ])("refuses %s with invalid_json naming the line", (_name, text, why) => {
    try {
      scan(text, 3);
      throw new Error("accepted");
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).reason).toBe("invalid_json");
      expect((error as DomainError).message).toMatch(why);
      expect((error as DomainError).message).toMatch(/doc\.json .*\(line \d+\)/);
    }
  });
});

describe("pythonJsonDumps", () => {
  // Expected strings produced by CPython 3.11's json.dumps.
  it.each([
    [0, "0.0"],
    [-0, "-0.0"],
    [1, "1.0"],
    [0.1, "0.1"],
    [0.30000000000000004, "0.30000000000000004"],
    [1e-5, "1e-05"],
    [0.0001, "0.0001"],
    [123456789012345, "123456789012345.0"],
    [1234567890123456, "1234567890123456.0"],
    [1e16, "1e+16"],
    [1.5e16, "1.5e+16"],
    [1e22, "1e+22"],
    [1e-7, "1e-07"],
    [2.5e-300, "2.5e-300"],
    [1.7976931348623157e308, "1.7976931348623157e+308"],
    [5e-324, "5e-324"],
    [100, "100.0"],
    [-3.25, "-3.25"],
    [9.81, "9.81"],
  ])("writes the float %d as repr does: %s", (value, expected) => {
    expect(pythonFloat(value)).toBe(expected);
  });

  it("sorts keys by code point, escapes like ensure_ascii and keeps number lexemes", () => {
    const value = parseLossless(
      JSON.stringify({
        b: 1,
        a: [1, "__2.0__", { é: "ü", "\u2028": "\u007f", "😀": '\n\t"\\' }],
        A: null,
        ä: true,
        "\ue000": 1,
        "😀": 2,
      }).replace('"__2.0__"', "2.0"),
    );
    expect(pythonJsonDumps(value)).toBe(
      '{"A": null, "a": [1, 2.0, {"\\u00e9": "\\u00fc", "\\u2028": "\\u007f", "\\ud83d\\ude00": "\\n\\t\\"\\\\"}], "b": 1, "\\u00e4": true, "\\ue000": 1, "\\ud83d\\ude00": 2}',
    );
  });

  it("gives the same answer on the fast path as through float repr, for any double and any spelling", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: 0, max: 3 }), (x, form) => {
        const spellings = [String(x), x.toExponential(), x.toFixed(Math.min(20, form * 6)), `${String(x)}0`];
        const lexeme = spellings[form]!;
        if (!/^-?\d+(\.\d+)?(e[-+]?\d+)?$/i.test(lexeme) || /^-?\d+$/.test(lexeme)) return;
        expect(pythonNumber(lexeme)).toBe(pythonFloat(Number(lexeme)));
      }),
      { numRuns: 3000, seed: 42 },
    );
  });

  it("re-serializes numbers the way Python reads them", () => {
    const value = parseLossless('{"t": 1764952865006200430, "f": 1E5, "g": -0, "h": 1.0e2, "i": 1e400}');
    expect(pythonJsonDumps(value)).toBe('{"f": 100000.0, "g": 0, "h": 100.0, "i": Infinity, "t": 1764952865006200430}');
  });
});

describe("lossless JSON", () => {
  it("round-trips number lexemes and keeps the last duplicate key", () => {
    expect(stringifyLossless(parseLossless('{"a": 0.0, "b": 1764952865006200430, "a": 2.50}'))).toBe(
      '{"a":2.50,"b":1764952865006200430}',
    );
  });
});

describe("camelCase keys", () => {
  it.each([
    ["headsetPose", "headset_pose"],
    ["orientationQuat", "orientation_quat"],
    ["videoFrameId", "video_frame_id"],
    ["HTTPStatus", "http_status"],
    ["already_snake", "already_snake"],
    ["jointPositions2", "joint_positions2"],
  ])("%s → %s", (from, to) => expect(camelToSnake(from)).toBe(to));

  it("renames keys only, never values, keeping number lexemes", () => {
    expect(
      renameJsonKeysToSnake(
        '{"headsetPose": {"orientationQuat": [0.0, 1.0]}, "note": "keepMe", "isTerminal" : false, "s": "a\\"bC\\":"}',
      ),
    ).toBe(
      '{"headset_pose": {"orientation_quat": [0.0, 1.0]}, "note": "keepMe", "is_terminal" : false, "s": "a\\"bC\\":"}',
    );
  });
});

describe("jsonNestsDeeperThan", () => {
  const bytes = (text: string) => Buffer.from(text, "utf8");
  const depthOf = (value: unknown): number =>
    typeof value === "object" && value !== null ? 1 + Math.max(0, ...Object.values(value).map(depthOf)) : 0;

  it("counts the outermost container as level 1 and stops at one past the limit", () => {
    expect(jsonNestsDeeperThan(bytes(`{"a":[1,{"b":2}]}`), 3)).toBe(false);
    expect(jsonNestsDeeperThan(bytes(`{"a":[1,{"b":2}]}`), 2)).toBe(true);
    expect(jsonNestsDeeperThan(bytes(`17`), 0)).toBe(false);
  });

  it("ignores brackets, quotes and escapes inside strings", () => {
    const inStrings = String.raw`{"k[{":"]]}}\\\"[[[[{{{{","é[":"\u005b"}`;
    expect(JSON.parse(inStrings)).toEqual({ "k[{": ']]}}\\"[[[[{{{{', "é[": "[" });
    expect(jsonNestsDeeperThan(bytes(inStrings), 1)).toBe(false);
    const escapedBackslash = String.raw`["\\",["x"]]`;
    expect(JSON.parse(escapedBackslash)).toEqual(["\\", ["x"]]);
    expect(jsonNestsDeeperThan(bytes(escapedBackslash), 1)).toBe(true);
  });

  it("answers a 100 000-level document in constant stack", () => {
    const deep = bytes(`${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}`);
    expect(jsonNestsDeeperThan(deep, 64)).toBe(true);
    expect(jsonNestsDeeperThan(deep, 100_000)).toBe(false);
  });

  it("agrees with the depth of the parsed value", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.integer({ min: 0, max: 8 }), (value, limit) => {
        const text = JSON.stringify(value);
        expect(jsonNestsDeeperThan(bytes(text), limit)).toBe(depthOf(value) > limit);
      }),
    );
  });
});
