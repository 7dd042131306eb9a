import { DomainError } from "@/lib/errors";
import { isFieldTransform, type DocumentData, type UpdatePatch } from "./port";

/**
 * Field paths are dot-separated segments of letters, digits and underscores. The SQLite adapter
 * inlines them into JSON path expressions (so that queries match expression indexes), which is
 * only safe because of this rule.
 */
const SEGMENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function assertFieldPath(path: string): string[] {
  const segments = path.split(".");
  if (segments.length === 0 || segments.some((segment) => !SEGMENT.test(segment))) {
    throw new DomainError(
      "invalid",
      `Field path "${path}" is not valid: use letters, digits and underscores joined by dots.`,
      {
        reason: "invalid_field_path",
      },
    );
  }
  return segments;
}

/** The value at a dotted path, or undefined. */
export function getField(data: unknown, path: string): unknown {
  let current: unknown = data;
  for (const segment of path.split(".")) {
    if (typeof current !== "object" || current === null || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function jsonEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Apply a Firestore-style update patch to a copy of `data`: keys are field paths, values replace
 * the field or are transforms (increment, arrayUnion, arrayRemove, delete).
 */
export function applyPatch(data: DocumentData, patch: UpdatePatch): DocumentData {
  const result = structuredClone(data);
  for (const [path, value] of Object.entries(patch)) {
    const segments = assertFieldPath(path);
    let parent: Record<string, unknown> = result;
    for (const segment of segments.slice(0, -1)) {
      const next = parent[segment];
      if (!isPlainObject(next)) {
        parent[segment] = {};
      }
      parent = parent[segment] as Record<string, unknown>;
    }
    const leaf = segments[segments.length - 1] as string;
    if (!isFieldTransform(value)) {
      if (value === undefined) continue;
      parent[leaf] = normalizeValue(value, path);
      continue;
    }
    const current = parent[leaf];
    switch (value.__transform) {
      case "delete":
        delete parent[leaf];
        break;
      case "increment":
        parent[leaf] = (typeof current === "number" ? current : 0) + value.by;
        break;
      case "arrayUnion": {
        const array = Array.isArray(current) ? [...current] : [];
        for (const item of value.values) {
          const normalized = normalizeValue(item, path, true);
          if (!array.some((existing) => jsonEqual(existing, normalized))) array.push(normalized);
        }
        parent[leaf] = array;
        break;
      }
      case "arrayRemove": {
        const array = Array.isArray(current) ? current : [];
        const removed = value.values.map((item) => normalizeValue(item, path, true));
        parent[leaf] = array.filter((existing) => !removed.some((item) => jsonEqual(existing, item)));
        break;
      }
    }
  }
  return result;
}

/**
 * What crosses the port: plain JSON. Dates become ISO strings, undefined fields are dropped, so
 * both backends store the same thing. Values neither backend can hold the same way are refused
 * here, naming the field: NaN/Infinity, and an array directly inside an array (Firestore cannot
 * store one).
 */
export function normalizeValue(value: unknown, path = "value", inArray = false): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) {
    if (inArray) {
      throw new DomainError("invalid", `Field ${path} holds an array inside an array, which documents cannot store.`, {
        reason: "nested_array",
      });
    }
    return value.map((item, index) => (item === undefined ? null : normalizeValue(item, `${path}[${index}]`, true)));
  }
  if (isPlainObject(value)) return normalizeData(value, path);
  if (typeof value === "number" && !Number.isFinite(value)) {
    throw new DomainError("invalid", `Field ${path} is NaN or Infinity, which documents cannot hold.`, {
      reason: "invalid_number",
    });
  }
  return value;
}

export function normalizeData(data: Record<string, unknown>, path = ""): DocumentData {
  const out: DocumentData = {};
  for (const [key, value] of Object.entries(data)) {
    if (value === undefined) continue;
    out[key] = normalizeValue(value, path ? `${path}.${key}` : key);
  }
  return out;
}
