import { isLosslessNumber } from "lossless-json";
import type { LosslessValue } from "@/lib/rlds/json/lossless";

/**
 * `json.dumps(value, sort_keys=True)` as CPython writes it, byte for byte: separators `", "` and
 * `": "`, `ensure_ascii` (every character outside space..`~` escaped as `\uXXXX`, lowercase hex,
 * astral characters as surrogate pairs), keys sorted by code point, integers exact (any size),
 * floats as `repr(float)` (`0.0`, `1e-05`, `1.5e+16`), and `NaN`/`Infinity` as Python writes them.
 *
 * Hand-written: no JavaScript library reproduces Python's float repr and escaping rules, and the
 * robot runtime's TFRecord files store observation and action as these exact bytes. Numbers must
 * come from `parseLossless` so integer and float lexemes stay distinct (`0` vs `0.0`).
 */
export function pythonJsonDumps(value: LosslessValue | number | undefined): string {
  const out: string[] = [];
  write(value, out);
  return out.join("");
}

function write(value: LosslessValue | number | undefined, out: string[]): void {
  if (value === null || value === undefined) {
    out.push("null");
  } else if (value === true) {
    out.push("true");
  } else if (value === false) {
    out.push("false");
  } else if (typeof value === "string") {
    out.push(pythonString(value));
  } else if (typeof value === "number") {
    out.push(Number.isInteger(value) && !Object.is(value, -0) ? BigInt(value).toString() : pythonFloat(value));
  } else if (isLosslessNumber(value)) {
    out.push(pythonNumber(value.value));
  } else if (Array.isArray(value)) {
    out.push("[");
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(", ");
      write(value[i], out);
    }
    out.push("]");
  } else {
    const keys = Object.keys(value).sort(compareCodePoints);
    out.push("{");
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (i > 0) out.push(", ");
      out.push(pythonString(key), ": ");
      write(value[key], out);
    }
    out.push("}");
  }
}

/** A JSON number lexeme as Python re-serializes it: ints stay ints (exact), the rest go through float. */
export function pythonNumber(lexeme: string): string {
  // Sensor streams repeat the same lexemes ("0.0", "1.0", "9.81"): remember recent answers.
  let text = recent.get(lexeme);
  if (text === undefined) {
    if (recent.size >= 8192) recent.clear();
    text = convertNumber(lexeme);
    recent.set(lexeme, text);
  }
  return text;
}

const recent = new Map<string, string>();

function convertNumber(lexeme: string): string {
  if (INTEGER.test(lexeme)) return SAFE_INTEGER.test(lexeme) ? String(Number(lexeme)) : BigInt(lexeme).toString();
  const x = Number(lexeme);
  // Fast path (most sensor values): a plain decimal that already is the shortest round-trip
  // form, in the range where repr uses fixed notation, is repr'd to itself.
  if (DECIMAL.test(lexeme)) {
    const magnitude = Math.abs(x);
    if (magnitude >= 1e-4 && magnitude < 1e16) {
      const shortest = String(x);
      if (shortest === lexeme || `${shortest}.0` === lexeme) return lexeme;
    }
  }
  return pythonFloat(x);
}

const INTEGER = /^-?\d+$/;
// Up to 15 digits, no leading zero (other than "0" itself) and not "-0": exact as a double, printed back the same.
const SAFE_INTEGER = /^(?:0|-?[1-9]\d{0,14})$/;
const DECIMAL = /^-?(?:0|[1-9]\d*)\.\d+$/;

/** `repr(float)` in CPython 3 (shortest round-trip digits; exponent form below 1e-4 and from 1e16). */
export function pythonFloat(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  // toExponential() without an argument gives the shortest digits that round-trip, as repr does.
  const [mantissa, exponentText] = x.toExponential().split("e") as [string, string];
  const exponent = Number(exponentText);
  const sign = mantissa.startsWith("-") ? "-" : "";
  const digits = mantissa.replace("-", "").replace(".", "");
  if (exponent >= -4 && exponent < 16) {
    if (exponent >= 0) {
      const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, "0");
      const fraction = digits.slice(exponent + 1) || "0";
      return `${sign}${whole}.${fraction}`;
    }
    return `${sign}0.${"0".repeat(-exponent - 1)}${digits}`;
  }
  const head = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${head}e${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

// Everything outside printable ASCII (space..~), plus quote and backslash, as CPython's ESCAPE_ASCII.
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u007f-\uffff]/g;

export function pythonString(value: string): string {
  return `"${value.replace(
    NEEDS_ESCAPE,
    (ch) => SIMPLE_ESCAPES[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`,
  )}"`;
}

/** Python orders str keys by code point; JS `<` orders by UTF-16 unit (they differ past U+FFFF). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i += 1;
  }
  return a.length - b.length;
}
