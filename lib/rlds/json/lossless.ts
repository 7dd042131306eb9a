import { isLosslessNumber, LosslessNumber, parse, stringify } from "lossless-json";

/** A JSON value whose numbers are kept as their source lexemes (`LosslessNumber`). */
export type LosslessValue =
  null | boolean | string | LosslessNumber | LosslessValue[] | { [key: string]: LosslessValue };

/**
 * Parse JSON keeping every number's exact text (a 19-digit nanosecond timestamp is not rounded,
 * `0.0` stays distinguishable from `0`). Duplicate keys keep the last value, as `JSON.parse` and
 * Python do. Used for metadata and for the TFRecord converter; the ingest hot path uses
 * `JSON.parse` and keeps the source text instead.
 */
export function parseLossless(text: string): LosslessValue {
  return parse(text, null, { onDuplicateKey: ({ newValue }) => newValue }) as LosslessValue;
}

/** Compact JSON text of a lossless value; numbers are written exactly as they were read. */
export function stringifyLossless(value: LosslessValue): string {
  return stringify(value) ?? "null";
}

/** The same value with numbers turned into JS numbers (for checks that do arithmetic). */
export function toPlainJson(value: LosslessValue): unknown {
  if (isLosslessNumber(value)) return Number(value.value);
  if (Array.isArray(value)) return value.map(toPlainJson);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) out[key] = toPlainJson(child);
    return out;
  }
  return value;
}

/** Wrap a JS number as a lossless number (integers without a fraction, others in shortest form). */
export function losslessNumber(value: number): LosslessNumber {
  return new LosslessNumber(String(value));
}

export function isLosslessObject(value: unknown): value is { [key: string]: LosslessValue } {
  return value !== null && typeof value === "object" && !Array.isArray(value) && !isLosslessNumber(value);
}

export { isLosslessNumber, LosslessNumber };
