/**
 * The OpenAPI 3.1 document of the API, generated from the operation registry and the zod schemas
 * it points at (zod 4's own JSON Schema output, draft 2020-12, which OpenAPI 3.1 uses as is).
 * Request bodies are converted as the schema's input (what a caller may send: defaults optional),
 * answers as its output (what the server sends: every field present, no unknown fields).
 */
import { z } from "zod";
import { ZValidationIssue } from "@/lib/episodes/schemas";
import { ZIngestAnswer, ZEpisodeSummary, ZEpisodeUploadGrant } from "@/lib/episodes/schemas";
import { ZOtaPublicKey, ZUpdateOffer } from "@/lib/ota/schemas";
import { ZKeyEvent, ZPublicRobotView, ZRobotEndpoint, ZRobotView } from "@/lib/robots/schemas";
import { OPERATIONS, WEBSOCKETS } from "./operations";
import { ZErrorBody } from "./operations/common";
import {
  AREAS,
  type AuthKind,
  type BodySpec,
  type OperationSpec,
  type ResponseEntry,
  type ResponseSpec,
  type WebSocketSpec,
} from "./types";

type Json = Record<string, unknown>;
export type OpenApiDocument = Json & {
  openapi: string;
  paths: Record<string, Record<string, Json>>;
  components: { schemas: Record<string, Json>; securitySchemes: Record<string, Json>; responses: Record<string, Json> };
};

const JSON_SCHEMA_OPTIONS = { target: "draft-2020-12", unrepresentable: "any" } as const;

/** Schemas several operations share get a stable component name (the rest are named after their operation). */
const SHARED_NAMES: ReadonlyArray<[z.ZodType, string]> = [
  [ZErrorBody, "Error"],
  [ZRobotView, "Robot"],
  [ZPublicRobotView, "PublicRobot"],
  [ZKeyEvent, "KeyEvent"],
  [ZRobotEndpoint, "RobotEndpoint"],
  [ZValidationIssue, "ValidationIssue"],
  [ZEpisodeUploadGrant, "EpisodeUploadGrant"],
  [ZIngestAnswer, "IngestAnswer"],
  [ZEpisodeSummary, "EpisodeSummary"],
  [ZUpdateOffer, "UpdateOffer"],
  [ZOtaPublicKey, "OtaPublicKey"],
];

/** Component names the docs show once, in their own section, and link to. */
export const SHARED_SCHEMA_NAMES: readonly string[] = [
  ...SHARED_NAMES.map(([, name]) => name),
  ...WEBSOCKETS.map((socket) => socket.messageName),
  "JsonValue",
];

export const SECURITY_SCHEMES: Record<string, Json> = {
  robotSignature: {
    type: "apiKey",
    in: "header",
    name: "Signature",
    description:
      'A robot signs every request with its Ed25519 device key (HTTP Message Signatures, RFC 9421): `Signature-Input: sig1=("@method" "@authority" "@path" ["@query"] ["content-digest"]);created=…;expires=…;nonce="…";keyid="<device_id>";alg="ed25519"` and `Signature: sig1=:<base64>:`, with `Content-Digest: sha-256=:<base64>:` (RFC 9530) over any body. Nonces are single-use; `created` may be at most 5 minutes old. Registration is signed by the key being registered. The worked example, byte for byte: /docs/signatures',
    "x-docs": "/docs/signatures",
  },
  sessionCookie: {
    type: "apiKey",
    in: "cookie",
    name: "next-auth.session-token",
    description:
      "The console's session (`__Secure-next-auth.session-token` over HTTPS), set by signing in (`POST /api/auth/callback/{provider}`). Writes must come from the site's own origin.",
  },
  firebaseIdToken: {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "On Google Cloud deployments: a Firebase Auth ID token of the signed-in user, in place of the cookie.",
  },
  trainingToken: {
    type: "http",
    scheme: "bearer",
    bearerFormat: "ctt_…",
    description:
      "A training token (`ctt_…`) an admin created, with the `training` or `training:read` scope (notebooks, workers).",
  },
  metricsToken: {
    type: "http",
    scheme: "bearer",
    description: "The deployment's METRICS_TOKEN.",
  },
};

const SECURITY_BY_AUTH: Record<AuthKind, Json[]> = {
  robot: [{ robotSignature: [] }],
  user: [{ sessionCookie: [] }, { firebaseIdToken: [] }],
  operator: [{ sessionCookie: [] }, { firebaseIdToken: [] }],
  admin: [{ sessionCookie: [] }, { firebaseIdToken: [] }],
  training: [{ trainingToken: [] }],
  "metrics-token": [{ metricsToken: [] }],
  public: [{}],
  "signed-url": [{}],
};

export const AUTH_LABELS: Record<AuthKind, string> = {
  robot: "Signed robot request",
  user: "Signed-in user (any role)",
  operator: "Operator or admin",
  admin: "Admin",
  training: "Training token",
  public: "No credentials",
  "signed-url": "Signed URL (the URL is the credential)",
  "metrics-token": "Metrics token",
};

function pascal(id: string): string {
  return id.charAt(0).toUpperCase() + id.slice(1);
}

function normalizeResponse(entry: ResponseEntry, status: number): ResponseSpec {
  if (typeof entry === "string") return { description: entry };
  if (entry instanceof z.ZodType) return { schema: entry, description: status < 300 ? "OK" : "Error" };
  return entry;
}

/** An operation's answers with the shared error answers added. */
export function responsesOf(operation: OperationSpec): Array<[number, ResponseSpec]> {
  return Object.entries(operation.responses).map(([status, entry]) => [
    Number(status),
    normalizeResponse(entry, Number(status)),
  ]);
}

/** The component name an operation's body or answer is filed under. */
export function componentName(operation: OperationSpec, kind: "request" | number, body: BodySpec): string {
  if (body.name) return body.name;
  if (kind === "request") return `${pascal(operation.operationId)}Request`;
  const successes = Object.keys(operation.responses).filter((status) => Number(status) < 300);
  return kind < 300 && successes[0] === String(kind)
    ? `${pascal(operation.operationId)}Response`
    : `${pascal(operation.operationId)}Response${kind}`;
}

/** zod's JSON Schema is standalone; inside OpenAPI components the `$schema`/`$id` keys do not belong. */
function tidy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(tidy);
  if (value && typeof value === "object") {
    const out: Json = {};
    for (const [key, child] of Object.entries(value)) {
      if (key === "$schema" || key === "$id") continue;
      // z.number().int() says "a safe integer": noise for readers.
      if ((key === "minimum" || key === "maximum") && Math.abs(child as number) === Number.MAX_SAFE_INTEGER) continue;
      out[key] = tidy(child);
    }
    return out;
  }
  return value;
}

const SHARED = "__shared";

/** z.json(): any JSON value. */
function isJsonValue(schema: Json): boolean {
  const types = ((schema.anyOf as Json[] | undefined) ?? []).map((branch) => branch.type);
  return ["string", "number", "boolean", "null", "array", "object"].every((type) => types.includes(type));
}

function rewriteRefs(value: unknown, renames: Map<string, string>): unknown {
  if (Array.isArray(value)) return value.map((item) => rewriteRefs(item, renames));
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, child]) => [
        key,
        key === "$ref" && typeof child === "string" ? (renames.get(child) ?? child) : rewriteRefs(child, renames),
      ]),
    );
  }
  return value;
}

/** The component schemas, and which name each operation's schemas got. */
function buildComponents(operations: readonly OperationSpec[], sockets: readonly WebSocketSpec[]) {
  const input = z.registry<{ id: string }>();
  const output = z.registry<{ id: string }>();
  for (const [schema, id] of SHARED_NAMES) output.add(schema, { id });
  const add = (registry: typeof input, schema: z.ZodType, id: string) => {
    if (!registry.has(schema)) registry.add(schema, { id });
    return registry.get(schema)!.id;
  };
  const names = new Map<string, string>();
  for (const operation of operations) {
    if (operation.body?.schema) {
      names.set(
        `${operation.operationId} request`,
        add(input, operation.body.schema, componentName(operation, "request", operation.body)),
      );
    }
    for (const [status, response] of responsesOf(operation)) {
      if (response.schema) {
        names.set(
          `${operation.operationId} ${status}`,
          add(output, response.schema, componentName(operation, status, response)),
        );
      }
    }
  }
  for (const socket of sockets) names.set(socket.operationId, add(output, socket.message, socket.messageName));
  const uri = (id: string) => `#/components/schemas/${id}`;
  const inputs = z.toJSONSchema(input, { ...JSON_SCHEMA_OPTIONS, io: "input", uri }).schemas;
  const outputs = z.toJSONSchema(output, { ...JSON_SCHEMA_OPTIONS, io: "output", uri }).schemas;
  const schemas: Record<string, Json> = {};
  for (const [id, schema] of [...Object.entries(outputs), ...Object.entries(inputs)]) {
    if (id === SHARED) continue;
    if (schemas[id]) throw new Error(`Two component schemas are named ${id}: name one of them in its operation.`);
    schemas[id] = tidy(schema) as Json;
  }
  // Recursive schemas (z.json()) land in zod's `__shared` entry as `$defs`: give each a component of
  // its own, since `#/components/schemas/__shared#/$defs/…` is not a valid reference.
  const renames = new Map<string, string>();
  for (const converted of [outputs, inputs]) {
    const defs = (converted[SHARED] as { $defs?: Record<string, Json> } | undefined)?.$defs ?? {};
    for (const [def, schema] of Object.entries(defs)) {
      const name = isJsonValue(schema) ? "JsonValue" : `Shared${pascal(def)}`;
      renames.set(`#/components/schemas/${SHARED}#/$defs/${def}`, `#/components/schemas/${name}`);
      schemas[name] = tidy(schema) as Json;
    }
  }
  return { schemas: renames.size > 0 ? (rewriteRefs(schemas, renames) as typeof schemas) : schemas, names };
}

/** A parameter list from an object schema's JSON Schema (input: what the caller writes). */
function parametersOf(schema: z.ZodType | undefined, where: "path" | "query", operation: OperationSpec): Json[] {
  if (!schema) return [];
  const json = tidy(z.toJSONSchema(schema, { ...JSON_SCHEMA_OPTIONS, io: "input" })) as {
    properties?: Record<string, Json>;
    required?: string[];
  };
  if (!json.properties) throw new Error(`${operation.operationId}: the ${where} schema must be an object.`);
  return Object.entries(json.properties).map(([name, property]) => {
    const examples: Record<string, Json> = {};
    for (const example of operation.examples ?? []) {
      const value = (where === "path" ? example.params : example.query)?.[name];
      if (value !== undefined) examples[example.id] = { summary: example.title, value };
    }
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      required: where === "path" || (json.required ?? []).includes(name),
      ...(description ? { description } : {}),
      schema: rest,
      ...(Object.keys(examples).length > 0 ? { examples } : {}),
    };
  });
}

function contentOf(body: BodySpec, ref: string | undefined, examples: Record<string, Json>): Json {
  const contentType = body.contentType ?? (body.schema ? "application/json" : "application/octet-stream");
  const schema = ref ? { $ref: `#/components/schemas/${ref}` } : { type: "string", contentMediaType: contentType };
  return {
    [contentType]: { schema, ...(Object.keys(examples).length > 0 ? { examples } : {}) },
  };
}

function securityOf(auth: readonly AuthKind[]): Json[] {
  const seen = new Set<string>();
  const out: Json[] = [];
  for (const kind of auth) {
    for (const requirement of SECURITY_BY_AUTH[kind]) {
      const key = JSON.stringify(requirement);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(requirement);
    }
  }
  return out;
}

function operationObject(operation: OperationSpec, names: Map<string, string>): Json {
  const examples = operation.examples ?? [];
  const parameters = [
    ...parametersOf(operation.params, "path", operation),
    ...parametersOf(operation.query, "query", operation),
    ...Object.entries(operation.headers ?? {}).map(([name, header]) => ({
      name,
      in: "header",
      required: header.required ?? false,
      description: header.description,
      schema: { type: "string" },
    })),
  ];
  let requestBody: Json | undefined;
  if (operation.body) {
    const bodyExamples: Record<string, Json> = {};
    for (const example of examples) {
      if (example.body !== undefined) bodyExamples[example.id] = { summary: example.title, value: example.body };
      else if (example.rawBody !== undefined)
        bodyExamples[example.id] = { summary: example.title, description: example.rawBody };
    }
    const ref = names.get(`${operation.operationId} request`);
    requestBody = {
      required: operation.body.schema ? !operation.body.schema.safeParse(undefined).success : true,
      ...(operation.body.description ? { description: operation.body.description } : {}),
      content: contentOf(operation.body, ref, bodyExamples),
    };
  }
  const responses: Record<string, Json> = {};
  for (const [status, response] of responsesOf(operation)) {
    const responseExamples: Record<string, Json> = {};
    for (const example of examples.filter((candidate) => candidate.status === status)) {
      if (example.response !== undefined)
        responseExamples[example.id] = { summary: example.title, value: example.response };
      else if (example.responseText !== undefined)
        responseExamples[example.id] = { summary: example.title, description: example.responseText };
    }
    const ref = names.get(`${operation.operationId} ${status}`);
    const hasBody = ref !== undefined || response.contentType !== undefined;
    responses[String(status)] = {
      description: response.description,
      ...(response.headers
        ? {
            headers: Object.fromEntries(
              Object.entries(response.headers).map(([name, description]) => [
                name,
                { description, schema: { type: "string" } },
              ]),
            ),
          }
        : {}),
      ...(hasBody
        ? {
            content: {
              ...contentOf(response, ref, responseExamples),
              ...Object.fromEntries(
                Object.entries(response.alternatives ?? {}).map(([type, description]) => [
                  type,
                  { schema: { type: "string", contentMediaType: type, description } },
                ]),
              ),
            },
          }
        : {}),
    };
  }
  responses["4XX"] ??= { $ref: "#/components/responses/Error" };
  responses["5XX"] ??= { $ref: "#/components/responses/Error" };
  const title = AREAS.find((area) => area.id === operation.area)?.title ?? operation.area;
  return {
    operationId: operation.operationId,
    summary: operation.summary,
    ...(operation.description ? { description: operation.description } : {}),
    tags: [title],
    security: securityOf(operation.auth),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses,
    ...(operation.deprecated ? { deprecated: true } : {}),
    "x-continuon-auth": operation.auth,
    ...(operation.robotFacing ? { "x-continuon-robot-facing": true } : {}),
    ...(operation.direct ? { "x-continuon-direct-route": true } : {}),
  };
}

function socketObject(socket: WebSocketSpec, names: Map<string, string>): Json {
  const title = AREAS.find((area) => area.id === socket.area)?.title ?? socket.area;
  return {
    operationId: socket.operationId,
    summary: `${socket.summary} (WebSocket)`,
    description: socket.description,
    tags: [title],
    security: securityOf(socket.auth),
    parameters: [
      {
        name: "device_id",
        in: "path",
        required: true,
        description: "The robot (the bare path works too)",
        schema: { type: "string" },
      },
      { name: "Upgrade", in: "header", required: true, schema: { type: "string", const: "websocket" } },
      {
        name: "Sec-WebSocket-Protocol",
        in: "header",
        required: false,
        description: `"${socket.subprotocols.join(", ")}" and, for browsers, the bearer subprotocol carrying the session token`,
        schema: { type: "string" },
      },
    ],
    responses: {
      101: {
        description: "Switching protocols: JSON messages both ways, each a `RelayMessage`",
        content: {
          "application/json": {
            schema: { $ref: `#/components/schemas/${names.get(socket.operationId)}` },
            examples: Object.fromEntries(
              socket.examples.map((example) => [
                example.id,
                { summary: `${example.direction}: ${example.title}`, value: example.message },
              ]),
            ),
          },
        },
      },
      "4XX": { $ref: "#/components/responses/Error" },
    },
    "x-continuon-auth": socket.auth,
    "x-continuon-websocket": { subprotocols: socket.subprotocols, message: names.get(socket.operationId) },
  };
}

let cached: { key: string; document: OpenApiDocument } | undefined;

/** The whole document (built once per server URL: the registry does not change at run time). */
export function buildOpenApiDocument(options: { serverUrl?: string; version?: string } = {}): OpenApiDocument {
  const key = `${options.serverUrl ?? ""} ${options.version ?? ""}`;
  if (cached?.key === key) return cached.document;
  const { schemas, names } = buildComponents(OPERATIONS, WEBSOCKETS);
  const paths: OpenApiDocument["paths"] = {};
  for (const operation of OPERATIONS) {
    const item = (paths[operation.path] ??= {});
    const method = operation.method.toLowerCase();
    if (item[method]) throw new Error(`Two operations for ${operation.method} ${operation.path}.`);
    item[method] = operationObject(operation, names);
  }
  for (const socket of WEBSOCKETS) (paths[socket.path] ??= {}).get = socketObject(socket, names);
  const document: OpenApiDocument = {
    openapi: "3.1.1",
    info: {
      title: "continuon.cloud API",
      version: options.version ?? "1",
      summary: "The robot fleet cloud: registry, episodes, OTA, remote sessions, training.",
      description:
        'Robots sign every request (RFC 9421). The robot-facing endpoints are a contract with deployed robots: fields are added, never repurposed, so clients must ignore fields they do not know. Errors are `{"error": {"code", "message", "reason"}}` with a fitting status. Rendered at /docs/api.',
    },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    tags: AREAS.map((area) => ({ name: area.title })),
    paths,
    components: {
      schemas,
      securitySchemes: SECURITY_SCHEMES,
      responses: {
        Error: {
          description: "A refusal: `error.code` is transport-neutral, `error.reason` the finer, stable cause",
          content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
        },
      },
    },
  };
  cached = { key, document };
  return document;
}
