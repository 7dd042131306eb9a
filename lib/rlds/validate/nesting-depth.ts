/** A value nested past the limit: its path from the step root and its level. */
export interface TooDeep {
  /** `observation.a.b[3]`, as other step issues name fields (long paths are shortened with `…`). */
  field: string;
  /** The level of the value found past the limit (always `maxDepth + 1`). */
  level: number;
}

/** Longest field path an issue carries; a path made of long keys is cut here. */
const MAX_FIELD_CHARS = 512;

/**
 * The first object or array of a parsed step nested deeper than `maxDepth` levels (the step object
 * itself is level 1), or null when there is none. The walk never goes below `maxDepth + 1`
 * levels, so its stack use is bounded by the limit however deep the value is; `JSON.parse`
 * itself does not recurse on the call stack, so a 100 000-level step is parsed and then stopped
 * here before any other walk of the step (blob references, numeric fields) meets it.
 */
export function findTooDeep(step: unknown, maxDepth: number): TooDeep | null {
  const path: (string | number)[] = [];
  if (!exceeds(step, 1, maxDepth, path)) return null;
  return { field: formatPath(path), level: maxDepth + 1 };
}

/** Whether `value`, at `level`, is or holds a container past `maxDepth`; fills `path` (root first) if so. */
function exceeds(value: unknown, level: number, maxDepth: number, path: (string | number)[]): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (level > maxDepth) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const child: unknown = value[i];
      if (typeof child === "object" && child !== null && exceeds(child, level + 1, maxDepth, path)) {
        path.unshift(i);
        return true;
      }
    }
    return false;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) {
    const child = record[key];
    if (typeof child === "object" && child !== null && exceeds(child, level + 1, maxDepth, path)) {
      path.unshift(key);
      return true;
    }
  }
  return false;
}

function formatPath(path: readonly (string | number)[]): string {
  let text = "";
  for (const segment of path) {
    text += typeof segment === "number" ? `[${segment}]` : text === "" ? segment : `.${segment}`;
    if (text.length > MAX_FIELD_CHARS) return `${text.slice(0, MAX_FIELD_CHARS - 1)}…`;
  }
  return text;
}
