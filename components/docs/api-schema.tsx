import type { ReactNode } from "react";

/** A JSON Schema node of the generated OpenAPI document (draft 2020-12, as zod writes it). */
export type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  prefixItems?: JsonSchema[];
  additionalProperties?: JsonSchema | boolean;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  contentMediaType?: string;
};

export type Components = Record<string, JsonSchema>;

const REF = "#/components/schemas/";

/** Named components get their own section at the bottom of the page; others are shown in place. */
export function schemaAnchor(name: string): string {
  return `schema-${name}`;
}

function refName(ref: string): string {
  return ref.startsWith(REF) ? ref.slice(REF.length) : ref;
}

function constraints(schema: JsonSchema): string[] {
  const out: string[] = [];
  if (schema.format) out.push(schema.format);
  if (schema.minLength !== undefined && schema.maxLength !== undefined)
    out.push(`${schema.minLength}–${schema.maxLength} chars`);
  else if (schema.maxLength !== undefined) out.push(`≤ ${schema.maxLength} chars`);
  else if (schema.minLength !== undefined && schema.minLength > 0) out.push(`≥ ${schema.minLength} chars`);
  if (schema.minimum !== undefined && schema.maximum !== undefined) out.push(`${schema.minimum}–${schema.maximum}`);
  else if (schema.minimum !== undefined) out.push(`≥ ${schema.minimum}`);
  else if (schema.maximum !== undefined) out.push(`≤ ${schema.maximum}`);
  if (schema.exclusiveMinimum !== undefined) out.push(`> ${schema.exclusiveMinimum}`);
  if (schema.maxItems !== undefined) out.push(`≤ ${schema.maxItems} items`);
  if (schema.pattern) out.push(`pattern ${schema.pattern}`);
  if (schema.default !== undefined) out.push(`default ${JSON.stringify(schema.default)}`);
  return out;
}

/** A short type label: `string`, `integer | null`, `array of Robot`, `"online" | "offline"`. */
export function typeLabel(schema: JsonSchema | boolean | undefined, shared: ReadonlySet<string>): ReactNode {
  if (schema === undefined || schema === true) return "any";
  if (schema === false) return "nothing";
  if (schema.$ref) {
    const name = refName(schema.$ref);
    return shared.has(name) ? <a href={`#${schemaAnchor(name)}`}>{name}</a> : name;
  }
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return schema.enum.map((value) => JSON.stringify(value)).join(" | ");
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) {
    return branches.map((branch, index) => (
      <span key={index}>
        {index > 0 ? " | " : ""}
        {typeLabel(branch, shared)}
      </span>
    ));
  }
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.includes("array")) {
    const rest = types.filter((type) => type !== "array");
    return (
      <>
        array of {schema.prefixItems ? "[" : ""}
        {schema.prefixItems
          ? schema.prefixItems.map((item, index) => (
              <span key={index}>
                {index > 0 ? ", " : ""}
                {typeLabel(item, shared)}
              </span>
            ))
          : typeLabel(schema.items, shared)}
        {schema.prefixItems ? "]" : ""}
        {rest.length ? ` | ${rest.join(" | ")}` : ""}
      </>
    );
  }
  if (types.includes("object") && !schema.properties && schema.additionalProperties) {
    return <>map of {typeLabel(schema.additionalProperties, shared)}</>;
  }
  if (schema.contentMediaType) return `${schema.contentMediaType} bytes`;
  return types.length ? types.join(" | ") : "any";
}

/** A union member's label: its `type` discriminator (`"offer"`) when it has one. */
function variantLabel(schema: JsonSchema, components: Components, shared: ReadonlySet<string>): ReactNode {
  const object = objectOf(schema, components, shared);
  const discriminator = object?.properties?.type?.const;
  return discriminator !== undefined ? `type ${JSON.stringify(discriminator)}` : typeLabel(schema, shared);
}

/** The object a schema describes in place (through `anyOf` with null, or a non-shared reference). */
function objectOf(schema: JsonSchema, components: Components, shared: ReadonlySet<string>): JsonSchema | null {
  if (schema.$ref) {
    const name = refName(schema.$ref);
    return shared.has(name) ? null : objectOf(components[name] ?? {}, components, shared);
  }
  if (schema.properties) return schema;
  if (schema.items) return objectOf(schema.items, components, shared);
  const branches = (schema.anyOf ?? schema.oneOf ?? []).filter((branch) => branch.type !== "null");
  if (branches.length === 1) return objectOf(branches[0]!, components, shared);
  return null;
}

/**
 * A schema as a field list: name, type, required, constraints and description, nested objects
 * indented. Shared components are linked, not repeated.
 */
export function SchemaFields({
  schema,
  components,
  shared,
  depth = 0,
}: {
  schema: JsonSchema;
  components: Components;
  shared: ReadonlySet<string>;
  depth?: number;
}) {
  if (schema.$ref && depth < 4) {
    // An operation's own component is shown in place; shared ones are linked (see typeLabel).
    const name = refName(schema.$ref);
    const target = components[name];
    if (!shared.has(name) && target)
      return <SchemaFields schema={target} components={components} shared={shared} depth={depth} />;
  }
  const object = objectOf(schema, components, shared);
  const branches = schema.$ref ? undefined : (schema.anyOf ?? schema.oneOf);
  if (!object) {
    const objectBranches = (branches ?? []).filter((branch) => objectOf(branch, components, shared) !== null);
    if (branches && objectBranches.length > 1 && depth < 3) {
      return (
        <ul className="my-1 space-y-1 pl-4 text-sm">
          {branches.map((branch, index) => (
            <li key={index}>
              <span className="text-xs font-semibold text-slate-500 uppercase">one of</span>{" "}
              <code>{variantLabel(branch, components, shared)}</code>
              <SchemaFields schema={branch} components={components} shared={shared} depth={depth + 1} />
            </li>
          ))}
        </ul>
      );
    }
    return depth === 0 ? (
      <p className="text-sm">
        <code>{typeLabel(schema, shared)}</code>
      </p>
    ) : null;
  }
  const required = new Set(object.required ?? []);
  return (
    <ul
      className={depth === 0 ? "my-2 space-y-1 pl-0 text-sm" : "mt-1 space-y-1 border-l border-slate-200 pl-3 text-sm"}
    >
      {Object.entries(object.properties ?? {}).map(([name, property]) => {
        const notes = constraints(property);
        return (
          <li key={name} className="list-none break-words">
            <code className="font-semibold">{name}</code>{" "}
            <span className="text-slate-600">{typeLabel(property, shared)}</span>
            {required.has(name) ? <span className="ml-1 text-xs font-medium text-amber-700">required</span> : null}
            {notes.length ? <span className="ml-1 text-xs text-slate-500">({notes.join(", ")})</span> : null}
            {property.description ? (
              <span className="block text-slate-600">
                <InlineText text={property.description} />
              </span>
            ) : null}
            {depth < 4 ? (
              <SchemaFields schema={property} components={components} shared={shared} depth={depth + 1} />
            ) : null}
          </li>
        );
      })}
      {object.additionalProperties && typeof object.additionalProperties === "object" ? (
        <li className="list-none text-slate-600">
          any other key: <code>{typeLabel(object.additionalProperties, shared)}</code>
        </li>
      ) : null}
    </ul>
  );
}

/** Text with `code` spans (the registry's descriptions use backticks as Markdown does). */
export function InlineText({ text }: { text: string }) {
  return (
    <>
      {text
        .split(/(`[^`]+`)/g)
        .map((part, index) =>
          part.startsWith("`") && part.endsWith("`") && part.length > 2 ? (
            <code key={index}>{part.slice(1, -1)}</code>
          ) : (
            part
          ),
        )}
    </>
  );
}
