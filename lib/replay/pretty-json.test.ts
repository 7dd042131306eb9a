import { describe, expect, it } from "vitest";
import { prettyJson } from "./pretty-json";

describe("prettyJson", () => {
  it("indents without touching numbers or strings, flat arrays on one line", () => {
    const raw =
      '{"a":[1,2.50,3],"b":{"c":"x,y: {z}","d":[],"e":{}},"f":[{"g":1}],"n":1764979200000000123,"s":"q\\"[,]"}';
    expect(prettyJson(raw)).toBe(
      [
        "{",
        '  "a": [1, 2.50, 3],',
        '  "b": {',
        '    "c": "x,y: {z}",',
        '    "d": [],',
        '    "e": {}',
        "  },",
        '  "f": [',
        "    {",
        '      "g": 1',
        "    }",
        "  ],",
        '  "n": 1764979200000000123,',
        '  "s": "q\\"[,]"',
        "}",
      ].join("\n"),
    );
    expect(JSON.parse(prettyJson(raw))).toEqual(JSON.parse(raw));
  });
});
