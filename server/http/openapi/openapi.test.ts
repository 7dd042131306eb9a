import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { describe, expect, it } from "vitest";
import { ZRelayMessage } from "@/lib/remote/protocol";
import { SIGNAL_PATH } from "@/lib/remote/views";
import { buildOpenApiDocument, componentName, responsesOf, type OpenApiDocument } from "./build-openapi-document";
import { OPERATIONS, WEBSOCKETS } from "./operations";
import { HTTP_METHODS, type OperationSpec } from "./types";
import {
  checkOpenApiDocument,
  componentOfRef,
  resolvePointer,
  validateAgainstComponent,
} from "./validate-openapi-document";

const ROOT = join(import.meta.dirname, "../../..");

/** `app/**\/route.ts` files (every route handler of the app router). */
function routeFiles(dir = join(ROOT, "app")): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return routeFiles(full);
    return name === "route.ts" ? [full] : [];
  });
}

/** The HTTP methods a route file exports, read from its source (no import: routes pull in the runtime). */
function exportedMethods(source: string): string[] {
  const methods = new Set<string>();
  const names = HTTP_METHODS.join("|");
  for (const match of source.matchAll(new RegExp(`export\\s+(?:const|let)\\s+(${names})\\b`, "g")))
    methods.add(match[1]!);
  for (const match of source.matchAll(new RegExp(`export\\s+(?:async\\s+)?function\\s+(${names})\\b`, "g")))
    methods.add(match[1]!);
  for (const match of source.matchAll(/export\s*\{([^}]*)\}/g)) {
    for (const part of match[1]!.split(",")) {
      const name = part
        .trim()
        .split(/\s+as\s+/)
        .pop()
        ?.trim();
      if (name && (HTTP_METHODS as readonly string[]).includes(name)) methods.add(name);
    }
  }
  return [...methods].sort();
}

/** `app/api/robots/[deviceId]/route.ts` → `/api/robots/{deviceId}` (route groups dropped). */
function routePath(file: string): string {
  const segments = relative(join(ROOT, "app"), file).split(sep).slice(0, -1);
  return `/${segments
    .filter((segment) => !/^\(.*\)$/.test(segment))
    .map((segment) => segment.replace(/^\[(?:\.\.\.)?([^\]]+)\]$/, "{$1}"))
    .join("/")}`;
}

/**
 * Routes the registry does not list one entry per file: the JSON 404 for unknown API paths is no
 * operation of its own, and next-auth's catch-all is documented by the endpoints clients use.
 */
const NOT_AN_OPERATION = new Set(["/api/{slug}"]);
const NEXT_AUTH = "/api/auth/{nextauth}";
/** Routes of our own under /api/auth/ (everything else there is next-auth's catch-all). */
const OWN_AUTH_ROUTES = new Set(["/api/auth/signup", "/api/auth/sign-in", "/api/auth/password"]);
const isNextAuthEntry = (operation: OperationSpec) =>
  operation.path.startsWith("/api/auth/") && !OWN_AUTH_ROUTES.has(operation.path);

describe("the operation registry covers every route", () => {
  const routes = routeFiles().map((file) => ({
    path: routePath(file),
    methods: exportedMethods(readFileSync(file, "utf8")),
  }));

  it("reads route files as the app router does", () => {
    expect(routePath(join(ROOT, "app/api/robots/[deviceId]/route.ts"))).toBe("/api/robots/{deviceId}");
    expect(routePath(join(ROOT, "app/api/blobs/[...key]/route.ts"))).toBe("/api/blobs/{key}");
    expect(routePath(join(ROOT, "app/(docs)/x/route.ts"))).toBe("/x");
    expect(
      exportedMethods(
        "export const GET = a;\nexport async function POST() {}\nexport { h as PUT, h as HEAD, other };\nexport { x as DELETE } from 'y';",
      ),
    ).toEqual(["DELETE", "GET", "HEAD", "POST", "PUT"]);
    expect(routes.length).toBeGreaterThan(50);
  });

  it("every exported method of every route has an entry", () => {
    const documented = new Set(OPERATIONS.map((operation) => `${operation.method} ${operation.path}`));
    const missing = routes
      .filter((route) => !NOT_AN_OPERATION.has(route.path) && route.path !== NEXT_AUTH)
      .flatMap((route) => route.methods.map((method) => `${method} ${route.path}`))
      .filter((key) => !documented.has(key));
    expect(missing).toEqual([]);
  });

  it("every entry has a route", () => {
    const served = new Set(routes.flatMap((route) => route.methods.map((method) => `${method} ${route.path}`)));
    const nextAuth = routes.find((route) => route.path === NEXT_AUTH);
    const orphans = OPERATIONS.filter((operation) =>
      isNextAuthEntry(operation)
        ? !nextAuth?.methods.includes(operation.method)
        : !served.has(`${operation.method} ${operation.path}`),
    ).map((operation) => `${operation.method} ${operation.path}`);
    expect(orphans).toEqual([]);
  });

  it("next-auth's catch-all is documented by its GET and POST endpoints", () => {
    const nextAuth = routes.find((route) => route.path === NEXT_AUTH);
    const methods = new Set(OPERATIONS.filter(isNextAuthEntry).map((operation) => operation.method));
    expect([...methods].sort()).toEqual(nextAuth?.methods);
  });

  it("the custom server's direct routes are the documented operations marked direct", () => {
    const sources = ["server/http/robot-routes.ts", "server/http/install-ota-routes.ts"].map((file) =>
      readFileSync(join(ROOT, file), "utf8"),
    );
    const registered = sources
      .flatMap((source) => [...source.matchAll(/registerDirectRoute\(\s*runtime,\s*"(\w+)",\s*"([^"]+)"/g)])
      .map((match) => `${match[1]} ${match[2]}`)
      .sort();
    const marked = OPERATIONS.filter((operation) => operation.direct)
      .map((operation) => `${operation.method} ${operation.path}`)
      .sort();
    expect(registered.length).toBeGreaterThan(0);
    expect(marked).toEqual(registered);
  });

  it("the relay's WebSocket is documented", () => {
    expect(readFileSync(join(ROOT, "server/relay/install-relay.ts"), "utf8")).toContain(
      "registerUpgradeHandler(runtime, SIGNAL_PATH",
    );
    expect(WEBSOCKETS.map((socket) => socket.path)).toEqual([`${SIGNAL_PATH}/{device_id}`]);
  });
});

describe("the examples match the schemas", () => {
  const document = buildOpenApiDocument();
  const examples = OPERATIONS.flatMap((operation) =>
    (operation.examples ?? []).map((example) => ({ operation, example })),
  );

  it("robot-facing operations all have examples", () => {
    const robotFacing = OPERATIONS.filter((operation) => operation.robotFacing);
    expect(robotFacing.length).toBeGreaterThan(15);
    expect(
      robotFacing.filter((operation) => !operation.examples?.length).map((operation) => operation.operationId),
    ).toEqual([]);
  });

  it.each(examples.map(({ operation, example }) => [`${operation.operationId} ${example.id}`, operation, example]))(
    "%s",
    (_name, operation, example) => {
      const templateParams = [...operation.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
      expect(Object.keys(example.params ?? {}).sort(), "path parameters").toEqual(templateParams.sort());
      if (operation.params) expect(operation.params.safeParse(example.params).error).toBeUndefined();
      if (operation.query) expect(operation.query.safeParse(example.query ?? {}).error).toBeUndefined();
      else expect(example.query).toBeUndefined();
      if (example.body !== undefined) {
        expect(operation.body?.schema, "a JSON body needs a body schema").toBeDefined();
        expect(operation.body!.schema!.safeParse(example.body).error).toBeUndefined();
        const name = componentName(operation, "request", operation.body!);
        expect(validateAgainstComponent(document, name, example.body)).toEqual([]);
      }
      const response = responsesOf(operation).find(([status]) => status === example.status)?.[1];
      expect(response, `status ${example.status} is documented`).toBeDefined();
      if (example.response !== undefined) {
        expect(response!.schema, "a JSON answer needs a schema").toBeDefined();
        expect(response!.schema!.safeParse(example.response).error).toBeUndefined();
        // Strictly, as the document says it: no field the reference does not know.
        const content = (
          document.paths[operation.path]![operation.method.toLowerCase()]!.responses as Record<
            string,
            { content: Record<string, { schema: { $ref: string } }> }
          >
        )[String(example.status)]!.content;
        const ref = Object.values(content)[0]!.schema.$ref;
        expect(validateAgainstComponent(document, componentOfRef(ref)!, example.response)).toEqual([]);
      }
    },
  );

  it("the relay's message examples are relay messages", () => {
    for (const socket of WEBSOCKETS) {
      for (const example of socket.examples)
        expect(ZRelayMessage.safeParse(example.message).success, example.id).toBe(!example.malformed);
    }
  });
});

describe("the OpenAPI document", () => {
  const document = buildOpenApiDocument({ serverUrl: "https://continuon.cloud" });

  it("is valid OpenAPI 3.1: the official schema, every $ref resolves, every path parameter declared", () => {
    expect(checkOpenApiDocument(document)).toEqual([]);
  });

  it("has every operation once, with its auth and the robot signature scheme", () => {
    const operations = Object.values(document.paths).flatMap((item) => Object.keys(item));
    expect(operations).toHaveLength(OPERATIONS.length + WEBSOCKETS.length);
    const heartbeat = document.paths["/api/rcan/heartbeat"]!.post!;
    expect(heartbeat.security).toEqual([{ robotSignature: [] }]);
    expect(document.components.securitySchemes.robotSignature).toMatchObject({
      type: "apiKey",
      in: "header",
      name: "Signature",
    });
    expect(String(document.components.securitySchemes.robotSignature!.description)).toContain("/docs/signatures");
    expect(resolvePointer(document, "#/components/schemas/Robot")).toMatchObject({ type: "object" });
  });

  const broken = (edit: (copy: OpenApiDocument) => void) => {
    const copy = structuredClone(document);
    edit(copy);
    return checkOpenApiDocument(copy);
  };

  it.each([
    [
      "a $ref to a missing schema",
      (copy: OpenApiDocument) => {
        copy.components.schemas.Robot = { $ref: "#/components/schemas/Nowhere" };
      },
      "$ref #/components/schemas/Nowhere does not resolve",
    ],
    [
      "an undeclared path parameter",
      (copy: OpenApiDocument) => {
        copy.paths["/api/robots/{robotId}"] = copy.paths["/api/robots/{deviceId}"]!;
        delete copy.paths["/api/robots/{deviceId}"];
      },
      "path parameter {robotId} is not declared",
    ],
    [
      "an info without a version",
      (copy: OpenApiDocument) => {
        delete (copy.info as { version?: string }).version;
      },
      "OpenAPI 3.1 schema",
    ],
    [
      "a duplicate operationId",
      (copy: OpenApiDocument) => {
        copy.paths["/api/health"]!.get!.operationId = "getReadiness";
      },
      "operationId getReadiness is also used",
    ],
  ])("finds %s", (_name, edit, expected) => {
    expect(broken(edit).join("\n")).toContain(expected);
  });
});
