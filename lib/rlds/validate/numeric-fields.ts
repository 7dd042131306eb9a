/**
 * The numeric fields of an episode: every number, boolean (0/1) or null (NaN) leaf of the steps'
 * `observation` and `action`, by path (`observation.robot_state.joint_positions[3]`). They are the
 * tensors a trainer reads and the series the replay charts, so their shape must hold across
 * steps — the "consistent field set" rule of validation.
 *
 * Observations are made of channels: the top-level keys of `observation` and `action`, and each
 * camera under `observation.media`. Sensors run at different rates (a camera every tenth step, a
 * glove that connects late), so a channel may be absent from a step (its fields are NaN there)
 * or appear after the first step. Inside a channel that is present the shape is strict:
 *
 * - every numeric field the channel had when first seen is present, and still numeric;
 * - numeric arrays keep their length (arrays longer than `maxSeriesArrayLength`, arrays of
 *   objects and nested arrays are opaque: free-form, like strings);
 * - no new key holding numbers appears.
 *
 * Channels and sub-objects that held no number when first seen (text, annotations, tool calls),
 * and values first seen as null or as an empty array, are free-form and never checked.
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
  | { kind: "object"; path: string; keys: string[]; children: SchemaNode[]; keySet: Set<string> }
  | { kind: "vector"; path: string; first: number; length: number }
  | { kind: "leaf"; path: string; field: number }
  | { kind: "opaque" };

/** Checks a channel and writes its values; true when its shape held (else the interpreter explains). */
type CompiledChannel = (value: unknown, row: Float64Array) => boolean;

interface Channel {
  key: string;
  node: SchemaNode;
  compiled: CompiledChannel;
}

interface Container {
  path: string;
  group: FieldGroup;
  channels: Channel[];
  /** Keys whose value is itself a container (`observation.media`). */
  nested: { key: string; container: Container }[];
  known: Set<string>;
}

export interface FieldMismatch {
  field: string;
  why: string;
}

const CLOCK_LIKE = /(time|stamp|nanos|millis|_ns$|_us$|_ms$|^t$|seq|count|idx|index|frame|rssi|drops)/i;
/** Channels beyond this count are not tracked (a hostile episode could invent one per step). */
const MAX_CHANNELS = 1024;

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
  private readonly roots: [Container, Container];
  private channelCount = 0;

  /**
   * @param firstIndex row position of the first field (rows may start with step-level values)
   * @param maxFields fields beyond this are not tracked (bounded memory whatever the input)
   */
  constructor(
    private readonly firstIndex: number,
    private readonly maxArrayLength: number,
    private readonly maxFields: number,
  ) {
    this.roots = [
      { path: "observation", group: "observation", channels: [], nested: [], known: new Set() },
      { path: "action", group: "action", channels: [], nested: [], known: new Set() },
    ];
  }

  /** Row width needed for the fields known so far. */
  get width(): number {
    return this.firstIndex + this.fields.length;
  }

  private addField(path: string, group: FieldGroup): number {
    const index = this.firstIndex + this.fields.length;
    this.fields.push({ index, path, group, isClockLike: CLOCK_LIKE.test(lastKey(path)) });
    return index;
  }

  /**
   * Learn a channel's shape from its first value. A null, or an empty array, says nothing about the
   * type it stands for (a string not set yet? a list filled later?), so it is left free-form rather
   * than risk calling a later value inconsistent.
   */
  private build(value: unknown, path: string, group: FieldGroup): SchemaNode {
    if (this.fields.length >= this.maxFields) return { kind: "opaque" };
    if (typeof value === "number" || typeof value === "boolean") {
      return { kind: "leaf", path, field: this.addField(path, group) };
    }
    if (Array.isArray(value)) {
      if (
        value.length > 0 &&
        value.length <= this.maxArrayLength &&
        value.every(isNumericLeaf) &&
        value.some((item) => item !== null)
      ) {
        const first = this.firstIndex + this.fields.length;
        for (let i = 0; i < value.length; i++) this.addField(`${path}[${i}]`, group);
        return { kind: "vector", path, first, length: value.length };
      }
      return { kind: "opaque" };
    }
    if (isPlainObject(value) && containsNumeric(value)) {
      const keys: string[] = [];
      const children: SchemaNode[] = [];
      for (const key in value) {
        keys.push(key);
        children.push(this.build(value[key], `${path}.${key}`, group));
      }
      return { kind: "object", path, keys, children, keySet: new Set(keys) };
    }
    return { kind: "opaque" };
  }

  /**
   * Write this step's values into `row` (NaN where absent; the row must be `width` wide, and is
   * widened by the caller when `width` grows) and return the first field that breaks its
   * channel's shape, or null. Channels seen for the first time are learned here.
   */
  extract(observation: unknown, action: unknown, row: Float64Array): FieldMismatch | null {
    const a = isPlainObject(observation)
      ? this.walkContainer(this.roots[0], observation, row)
      : this.blank(this.roots[0], row);
    const b = isPlainObject(action) ? this.walkContainer(this.roots[1], action, row) : this.blank(this.roots[1], row);
    return a ?? b;
  }

  private blank(container: Container, row: Float64Array): null {
    for (const channel of container.channels) this.fill(channel.node, row);
    for (const { container: nested } of container.nested) this.blank(nested, row);
    return null;
  }

  private walkContainer(container: Container, value: Record<string, unknown>, row: Float64Array): FieldMismatch | null {
    let mismatch: FieldMismatch | null = null;
    let present = 0;
    const channels = container.channels;
    for (let i = 0; i < channels.length; i++) {
      const channel = channels[i]!;
      const child = value[channel.key];
      if (child === undefined) {
        this.fill(channel.node, row);
        continue;
      }
      present += 1;
      // Fast path: generated code; only a channel that broke its shape is walked again to say how.
      if (!channel.compiled(child, row)) mismatch ??= this.walk(channel.node, child, row);
    }
    for (const { key, container: nested } of container.nested) {
      const child = value[key];
      if (isPlainObject(child)) {
        present += 1;
        const found = this.walkContainer(nested, child, row);
        mismatch ??= found;
      } else {
        this.blank(nested, row);
        if (child !== undefined) {
          present += 1;
          mismatch ??= { field: nested.path, why: "is no longer an object" };
        }
      }
    }
    let count = 0;
    for (const _ in value) count += 1;
    if (count !== present) {
      // New channels: learn them (their values start at this step).
      for (const key in value) {
        if (container.known.has(key)) continue;
        container.known.add(key);
        const child = value[key];
        const path = `${container.path}.${key}`;
        if (this.channelCount >= MAX_CHANNELS) {
          container.channels.push({ key, node: { kind: "opaque" }, compiled: () => true });
          continue;
        }
        this.channelCount += 1;
        if (path === "observation.media" && isPlainObject(child)) {
          const nested: Container = { path, group: container.group, channels: [], nested: [], known: new Set() };
          container.nested.push({ key, container: nested });
          const found = this.walkContainer(nested, child, row);
          mismatch ??= found;
        } else {
          const node = this.build(child, path, container.group);
          container.channels.push({ key, node, compiled: compileNode(node) });
          this.write(node, child, row);
        }
      }
    }
    return mismatch;
  }

  /** Values of a node built from this very value (always consistent). */
  private write(node: SchemaNode, value: unknown, row: Float64Array): void {
    if (row.length < this.width) return; // the caller widens the row and the next step fills it
    this.walk(node, value, row);
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
          return { field: node.path, why: `has ${value.length} elements, it had ${node.length}` };
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
          return { field: node.path, why: value === undefined ? "is missing" : "is no longer an object" };
        }
        let mismatch: FieldMismatch | null = null;
        let present = 0;
        const { keys, children } = node;
        for (let i = 0; i < keys.length; i++) {
          const child = value[keys[i]!];
          if (child !== undefined) present += 1;
          const found = this.walk(children[i]!, child, row);
          mismatch ??= found;
        }
        let count = 0;
        for (const _ in value) count += 1;
        if (count !== present && mismatch === null) {
          for (const key in value) {
            if (!node.keySet.has(key) && containsNumeric(value[key])) {
              mismatch = { field: `${node.path}.${key}`, why: "holds numbers but is new (the field set changed)" };
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

/**
 * Compile a channel's schema into straight-line JavaScript. Why generated code: every step of a
 * long episode walks the same shape, and an interpreter pays a megamorphic keyed property load
 * per key; the generated function uses constant property names, so V8's inline caches make each
 * load a single hidden-class check (JSON.parse gives all steps the same hidden classes). This is
 * most of the validator's cost on the ingest hot path. Keys are embedded with `JSON.stringify`,
 * so no input can inject code; field positions are integers we allocated.
 */
function compileNode(node: SchemaNode): CompiledChannel {
  if (node.kind === "opaque") return () => true;
  let counter = 0;
  const fresh = (prefix: string) => `${prefix}${counter++}`;
  const nanFill = (target: SchemaNode): string[] => {
    if (target.kind === "leaf") return [`row[${target.field}] = NaN;`];
    if (target.kind === "vector")
      return target.length > 0 ? [`row.fill(NaN, ${target.first}, ${target.first + target.length});`] : [];
    if (target.kind === "object") return target.children.flatMap(nanFill);
    return [];
  };
  const gen = (target: SchemaNode, expr: string): string[] => {
    switch (target.kind) {
      case "opaque":
        return [];
      case "leaf": {
        const x = fresh("x");
        return [
          `const ${x} = ${expr};`,
          `if (typeof ${x} === "number") row[${target.field}] = ${x};`,
          `else if (${x} === true) row[${target.field}] = 1;`,
          `else if (${x} === false) row[${target.field}] = 0;`,
          `else { row[${target.field}] = NaN; if (${x} !== null) ok = false; }`,
        ];
      }
      case "vector": {
        const a = fresh("a");
        const x = fresh("x");
        return [
          `const ${a} = ${expr};`,
          `if (Array.isArray(${a}) && ${a}.length === ${target.length}) {`,
          `  for (let i = 0; i < ${target.length}; i++) {`,
          `    const ${x} = ${a}[i];`,
          `    if (typeof ${x} === "number") row[${target.first} + i] = ${x};`,
          `    else if (${x} === true) row[${target.first} + i] = 1;`,
          `    else if (${x} === false) row[${target.first} + i] = 0;`,
          `    else { row[${target.first} + i] = NaN; if (${x} !== null) ok = false; }`,
          `  }`,
          `} else { ${nanFill(target).join(" ")} ok = false; }`,
        ];
      }
      case "object": {
        const o = fresh("o");
        const present = fresh("p");
        const count = fresh("n");
        const lines = [
          `const ${o} = ${expr};`,
          `if (${o} !== null && typeof ${o} === "object" && !Array.isArray(${o})) {`,
          `  let ${present} = 0;`,
        ];
        target.keys.forEach((key, i) => {
          const child = fresh("c");
          lines.push(`  const ${child} = ${o}[${JSON.stringify(key)}];`, `  if (${child} !== undefined) ${present}++;`);
          lines.push(...gen(target.children[i]!, child).map((line) => `  ${line}`));
        });
        lines.push(
          `  let ${count} = 0;`,
          `  for (const _ in ${o}) ${count}++;`,
          // Extra keys: the interpreter decides whether they hold numbers (non-numeric ones are fine).
          `  if (${count} !== ${present}) ok = false;`,
          `} else { ${nanFill(target).join(" ")} ok = false; }`,
        );
        return lines;
      }
    }
  };
  const body = ["let ok = true;", ...gen(node, "value"), "return ok;"].join("\n");
  return new Function("value", "row", body) as CompiledChannel;
}
