/**
 * The API reference's registry types. Every route the server answers has one {@link OperationSpec}
 * that points at the zod schemas the route and its verb really parse with (never a copy), so the
 * OpenAPI document (`build-openapi-document.ts`), the `/docs/api` page and the tests that send the
 * examples to a running server all read one source.
 */
import type { z } from "zod";

export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/**
 * Who may call: a signed robot (RFC 9421), a signed-in user of at least that role (`user` is any
 * account: owners and up), a training token, nobody in particular (`public`), whoever holds a signed
 * URL (the URL is the credential), or the metrics token.
 */
export const AUTH_KINDS = [
  "robot",
  "user",
  "operator",
  "admin",
  "training",
  "public",
  "signed-url",
  "metrics-token",
] as const;
export type AuthKind = (typeof AUTH_KINDS)[number];

/** The areas of the reference, in the order the docs show them. */
export const AREAS = [
  { id: "robots", title: "Robots and registry" },
  { id: "episodes", title: "Episodes (RLDS)" },
  { id: "replay", title: "Episode replay" },
  { id: "ota", title: "OTA updates" },
  { id: "remote", title: "Remote sessions" },
  { id: "training", title: "Training" },
  { id: "models", title: "Models" },
  { id: "accounts", title: "Accounts, tokens and audit" },
  { id: "platform", title: "Platform" },
] as const;
export type Area = (typeof AREAS)[number]["id"];

/** A request or response body. JSON bodies have a schema; other media types describe their bytes. */
export interface BodySpec {
  /** The zod schema of a JSON body (`application/json`). */
  schema?: z.ZodType;
  /** Defaults to `application/json` with a schema, else `application/octet-stream`. */
  contentType?: string;
  description?: string;
  /** The component name when the schema is not one of the shared ones (default: from the operation id). */
  name?: string;
}

export interface ResponseSpec extends BodySpec {
  description: string;
  /** Response headers worth knowing: name → what it says. */
  headers?: Record<string, string>;
  /** Other media types the same status may answer with (chosen by a query parameter): type → what. */
  alternatives?: Record<string, string>;
}

/** A status's answer: a JSON schema, a plain description (no body, or one described in words), or both. */
export type ResponseEntry = z.ZodType | string | ResponseSpec;

/** A worked request and its answer, shown in the docs and checked against the schemas by the tests. */
export interface OperationExample {
  id: string;
  title: string;
  /** Path parameters by name (the ones of `path`'s template). */
  params?: Record<string, string>;
  query?: Record<string, string>;
  /** Headers the caller sets itself (credentials are added by the auth kind: see the docs). */
  headers?: Record<string, string>;
  /** A JSON request body. */
  body?: unknown;
  /** A body that is not JSON, described (archives, bundles). */
  rawBody?: string;
  status: number;
  /** The JSON answer. */
  response?: unknown;
  /** An answer that is not JSON, described. */
  responseText?: string;
  responseHeaders?: Record<string, string>;
  note?: string;
}

export interface OperationSpec {
  method: HttpMethod;
  /** OpenAPI path template: `/api/robots/{deviceId}` (the names of the app router's `[segments]`). */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  area: Area;
  /** Any of these may call (in the order the docs list them). */
  auth: readonly AuthKind[];
  params?: z.ZodType;
  query?: z.ZodType;
  /** Request headers that matter beyond credentials: name → description. */
  headers?: Record<string, { description: string; required?: boolean }>;
  body?: BodySpec;
  responses: Record<number, ResponseEntry>;
  examples?: readonly OperationExample[];
  /** Also served by the custom server ahead of Next (`server/http/direct-routes.ts`): same handler. */
  direct?: boolean;
  /** Robots call it (the robot API contract: fields are added, never repurposed). */
  robotFacing?: boolean;
  deprecated?: boolean;
}

/** A non-HTTP entry point (the relay's WebSocket), documented beside the operations. */
export interface WebSocketSpec {
  path: string;
  operationId: string;
  summary: string;
  description: string;
  area: Area;
  auth: readonly AuthKind[];
  /** The messages both ways, a zod discriminated union. */
  message: z.ZodType;
  messageName: string;
  subprotocols: readonly string[];
  /** A robot's exchange, in order: what it sends (`robot → relay`) and what it receives (`relay → robot`). */
  examples: readonly {
    id: string;
    title: string;
    direction: "robot → relay" | "relay → robot";
    message: unknown;
    /** A message the relay refuses (to show the error it answers). */
    malformed?: boolean;
  }[];
}
