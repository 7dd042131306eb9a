/**
 * The numeric fields of an episode: every number, boolean (0/1) or null (NaN) leaf of the first
 * step's `observation` and `action`, by path (`observation.robot_state.joint_positions[3]`).
 * They are the tensors a trainer reads and the series the replay charts, so they must keep the
 * same shape on every step — that is the "consistent field set" rule of validation:
 *
 * - a numeric field of the first step must be present on every step, with a numeric value;
 * - a numeric array must keep its length (arrays longer than `maxSeriesArrayLength`, arrays of
 *   objects and nested arrays are opaque: free-form, like strings);
 * - a key that did not exist on the first step may appear later only if it holds no number.
 *
 * Subtrees without numbers (text, annotations, tool calls) are free-form and never checked.
 */

export type FieldGroup = "observation" | "action";

export interface NumericField {
  /** Position in a step row. */
  index: number;
  path: string;
  group: FieldGroup;
  /** A timestamp, counter or id: excluded from frozen-signal detection. */
  isClockLike: boolean;
}

type SchemaNode =
  | { kind: "object"; path: string; keys: string[]; children: SchemaNode[]; keySet: Set<string>; numeric: boolean }
  | { kind: "vector"; path: string; first: number; length: number }
  | { kind: "leaf"; path: string; field: number }
  | { kind: "opaque" };

export interface FieldMismatch {
  field: string;
  why: string;
}

const CLOCK_LIKE = /(time|stamp|nanos|millis|_ns$|_us$|_ms$|^t$|seq|count|idx|index|frame|rssi|drops)/i;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isNumericLeaf(value: unknown): boolean {
  return typeof value === "number" || typeof value === "boolean" || value === null;
}

function containsNumeric(value: unknown, depth = 0): boolean {
  if (typeof value === "number" || typeof value === "boolean") return true;
  if (depth > 64) return false;
  if (Array.isArray(value)) return value.some((item) => containsNumeric(item, depth + 1));
  if (isPlainObject(value)) {
    for (const key in value) if (containsNumeric(value[key], depth + 1)) return true;
  }
  return false;
}

function lastKey(path: string): string {
  const cut = path.lastIndexOf(".");
  return (cut === -1 ? path : path.slice(cut + 1)).replace(/\[\d+\]$/, "");
}

export class NumericFieldSchema {
  readonly fields: NumericField[] = [];
  private readonly roots: [SchemaNode, SchemaNode];

  /** Build the schema from the first step's observation and action. */
  constructor(
    observation: Record<string, unknown>,
    action: Record<string, unknown>,
    private readonly maxArrayLength: number,
  ) {
    this.roots = [this.build(observation, "observation", "observation"), this.build(action, "action", "action")];
  }

  get size(): number {
    return this.fields.length;
  }

  private addField(path: string, group: FieldGroup): number {
    const index = this.fields.length;
    this.fields.push({ index, path, group, isClockLike: CLOCK_LIKE.test(lastKey(path)) });
    return index;
  }

  private build(value: unknown, path: string, group: FieldGroup): SchemaNode {
    if (isNumericLeaf(value)) return { kind: "leaf", path, field: this.addField(path, group) };
    if (Array.isArray(value)) {
      if (value.length <= this.maxArrayLength && value.every(isNumericLeaf)) {
        const first = this.fields.length;
        for (let i = 0; i < value.length; i++) this.addField(`${path}[${i}]`, group);
        return { kind: "vector", path, first, length: value.length };
      }
      return { kind: "opaque" };
    }
    if (isPlainObject(value)) {
      const keys: string[] = [];
      const children: SchemaNode[] = [];
      let numeric = false;
      for (const key in value) {
        const child = this.build(value[key], `${path}.${key}`, group);
        keys.push(key);
        children.push(child);
        if (child.kind !== "opaque" && (child.kind !== "object" || child.numeric)) numeric = true;
      }
      return { kind: "object", path, keys, children, keySet: new Set(keys), numeric };
    }
    return { kind: "opaque" };
  }

  /**
   * Write this step's values into `row` (NaN where absent) and return the first field that breaks
   * the first step's shape, or null.
   */
  extract(observation: unknown, action: unknown, row: Float64Array): FieldMismatch | null {
    const a = this.walk(this.roots[0], observation, row);
    const b = this.walk(this.roots[1], action, row);
    return a ?? b;
  }

  private walk(node: SchemaNode, value: unknown, row: Float64Array): FieldMismatch | null {
    switch (node.kind) {
      case "opaque":
        return null;
      case "leaf": {
        if (typeof value === "number") row[node.field] = value;
        else if (typeof value === "boolean") row[node.field] = value ? 1 : 0;
        else {
          row[node.field] = NaN;
          if (value === undefined) return { field: node.path, why: "is missing" };
          if (value !== null) return { field: node.path, why: "is no longer a number" };
        }
        return null;
      }
      case "vector": {
        if (!Array.isArray(value)) {
          this.fill(node, row);
          return { field: node.path, why: value === undefined ? "is missing" : "is no longer an array" };
        }
        if (value.length !== node.length) {
          this.fill(node, row);
          return { field: node.path, why: `has ${value.length} elements, the first step had ${node.length}` };
        }
        let mismatch: FieldMismatch | null = null;
        for (let i = 0; i < node.length; i++) {
          const item = value[i];
          if (typeof item === "number") row[node.first + i] = item;
          else if (typeof item === "boolean") row[node.first + i] = item ? 1 : 0;
          else {
            row[node.first + i] = NaN;
            if (item !== null && mismatch === null) mismatch = { field: `${node.path}[${i}]`, why: "is not a number" };
          }
        }
        return mismatch;
      }
      case "object": {
        if (!isPlainObject(value)) {
          this.fill(node, row);
          if (!node.numeric) return null;
          return { field: node.path, why: value === undefined ? "is missing" : "is no longer an object" };
        }
        let mismatch: FieldMismatch | null = null;
        let present = 0;
        const { keys, children } = node;
        for (let i = 0; i < keys.length; i++) {
          const child = value[keys[i]!];
          if (child !== undefined) present += 1;
          const found = this.walk(children[i]!, child, row);
          if (mismatch === null) mismatch = found;
        }
        let count = 0;
        for (const _ in value) count += 1;
        if (count !== present && mismatch === null) {
          for (const key in value) {
            if (!node.keySet.has(key) && containsNumeric(value[key])) {
              mismatch = { field: `${node.path}.${key}`, why: "holds numbers but is not in the first step" };
              break;
            }
          }
        }
        return mismatch;
      }
    }
  }

  private fill(node: SchemaNode, row: Float64Array): void {
    if (node.kind === "leaf") row[node.field] = NaN;
    else if (node.kind === "vector") row.fill(NaN, node.first, node.first + node.length);
    else if (node.kind === "object") for (const child of node.children) this.fill(child, row);
  }
}
