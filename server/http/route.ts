import type { z } from "zod";
import type { Actor, Ctx, Logger, RequestInfo } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { createId } from "@/lib/ids";
import { parseInput } from "@/lib/validation";
import { routeLabel } from "@/server/metrics";
import { getRuntime, type Runtime } from "@/server/runtime";
import { errorResponse } from "./errors";
import { bufferedBodyOf, parseJsonBody, readBodyLimited } from "./read-body";

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** What an authenticator sees: the request and, for buffered bodies, its bytes. */
export interface AuthInput {
  request: Request;
  runtime: Runtime;
  info: RequestInfo;
  /** The body bytes (buffered modes), or null when the handler streams the body itself. */
  bodyBytes: Buffer | null;
}

export interface AuthResult {
  actor: Actor;
  /**
   * For streamed bodies: the body to hand the handler instead of `request.body` (a robot's
   * digest-checking stream, for instance).
   */
  body?: ReadableStream<Uint8Array> | null;
}

export type Authenticator = (input: AuthInput) => Promise<AuthResult>;

export interface RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  params?: P;
  query?: Q;
  body?: B;
  /** `json` (default for POST/PUT/PATCH): buffered up to `maxBodyBytes` and parsed with `body`. `stream`: the handler reads it. */
  bodyMode?: "json" | "raw" | "stream" | "none";
  maxBodyBytes?: number;
  /**
   * Log successful calls at `debug` instead of `info`: for robot polls every robot makes every
   * minute (heartbeats, update checks), whose volume would drown the log. Failures still log at
   * `info`, and the metrics count every call.
   */
  quietSuccess?: boolean;
}

export interface HandlerArgs<P, Q, B> {
  ctx: Ctx;
  runtime: Runtime;
  request: Request;
  params: P;
  query: Q;
  body: B;
  /** Buffered body bytes (`raw` mode). */
  rawBody: Buffer | null;
  /** The body stream (`stream` mode). */
  bodyStream: ReadableStream<Uint8Array> | null;
}

type RouteContext = { params: Promise<Record<string, string | string[]>> };
type Infer<T> = T extends z.ZodType ? z.output<T> : undefined;

function requestInfo(request: Request, runtime: Runtime): RequestInfo {
  const forwarded = request.headers.get("x-forwarded-for");
  // The custom server overwrites x-continuon-remote-addr with the socket address; behind
  // Google's front end the last x-forwarded-for hop is the one it added.
  const ip =
    runtime.config.trustProxy && forwarded
      ? (forwarded.split(",").pop()?.trim() ?? null)
      : request.headers.get("x-continuon-remote-addr");
  const given = request.headers.get("x-request-id");
  return {
    requestId: given && /^[A-Za-z0-9_.:-]{1,100}$/.test(given) ? given : createId("req"),
    ip,
    userAgent: request.headers.get("user-agent")?.slice(0, 300) ?? null,
  };
}

/** What an authenticated actor adds to the request's log line, and the per-minute budget it draws from. */
function actorScope(
  actor: Actor,
  limits: Runtime["config"]["rateLimits"],
): { logFields: Record<string, string>; budget: { key: string; limit: number } | null } {
  if (actor.kind === "robot") {
    return {
      logFields: { robot_id: actor.deviceId },
      budget: { key: `robot:${actor.deviceId}`, limit: limits.robotPerMinute },
    };
  }
  if (actor.kind === "user") {
    return { logFields: { user_id: actor.uid }, budget: { key: `user:${actor.uid}`, limit: limits.userPerMinute } };
  }
  return { logFields: {}, budget: null };
}

/** A response helper for handlers that want a status other than 200. */
export function json(data: unknown, init: ResponseInit = {}): Response {
  return Response.json(data, init);
}

/**
 * A JSON answer as the custom server's direct routes take it: the status, headers and serialized
 * body, written to the socket as they are (no web `Response` to build and read back).
 */
export interface JsonReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A route: Next calls it with a web Request; the custom server's direct path calls `reply`. */
export type Route = ((request: Request, context?: RouteContext) => Promise<Response>) & {
  /** The same route, answering a plain JSON result as a {@link JsonReply} instead of a Response. */
  reply(request: Request): Promise<Response | JsonReply>;
};

/**
 * A logger that makes the request's child logger (with its bindings) on first use: most
 * requests log nothing but their one request line.
 */
function lazyChild(parent: Logger, bindings: object): Logger {
  let child: Logger | null = null;
  const get = () => (child ??= parent.child(bindings));
  return {
    debug: (obj, msg) => get().debug(obj, msg),
    info: (obj, msg) => get().info(obj, msg),
    warn: (obj, msg) => get().warn(obj, msg),
    error: (obj, msg) => get().error(obj, msg),
    child: (more) => get().child(more),
  };
}

/**
 * Build a route handler: authenticate, read and validate params/query/body, call the handler,
 * map DomainErrors to statuses in one table, tag the request id, log one line. Handlers stay thin:
 * they call one domain verb and shape the answer.
 */
export function createRoute<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(
  authenticate: Authenticator,
  spec: RouteSpec<P, Q, B>,
  handler: (args: HandlerArgs<Infer<P>, Infer<Q>, Infer<B>>) => Promise<Response | unknown>,
): Route {
  const run = async (request: Request, context: RouteContext | undefined, plain: boolean) => {
    const started = performance.now();
    let runtime: Runtime;
    try {
      runtime = await getRuntime();
    } catch (error) {
      console.error("runtime failed to start", error);
      return errorResponse(
        new DomainError("unavailable", "The service is starting or misconfigured.", { reason: "runtime_unavailable" }),
      );
    }
    const info = requestInfo(request, runtime);
    const url = new URL(request.url);
    // The request's log fields: its id, then the actor once it is known.
    let logFields: Record<string, string> = { request_id: info.requestId };
    let response: Response | JsonReply;
    let actor: Actor = { kind: "anonymous" };
    try {
      const mode = spec.bodyMode ?? (["GET", "HEAD", "DELETE"].includes(request.method) ? "none" : "json");
      // A body already in memory (a direct route) is checked as bytes even in stream mode.
      const buffered = bufferedBodyOf(request);
      const bodyBytes =
        mode === "json" || mode === "raw" || (mode === "stream" && buffered)
          ? await readBodyLimited(request, spec.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES)
          : null;
      const auth = await authenticate({ request, runtime, info, bodyBytes });
      actor = auth.actor;
      const scope = actorScope(actor, runtime.config.rateLimits);
      if (scope.budget) runtime.rateLimiter.consume(scope.budget.key, { limit: scope.budget.limit, windowS: 60 });
      logFields = { ...logFields, ...scope.logFields };
      const ctx = runtime.contextFor(actor, info, lazyChild(runtime.log, logFields));
      const params = spec.params ? parseInput(spec.params, context ? await context.params : {}, "path") : undefined;
      const query = spec.query ? parseInput(spec.query, Object.fromEntries(url.searchParams), "query") : undefined;
      const body =
        spec.body && mode === "json"
          ? parseInput(spec.body, parseJsonBody(bodyBytes as Buffer, request.headers.get("content-type")), "body")
          : undefined;
      const result = await handler({
        ctx,
        runtime,
        request,
        params: params as Infer<P>,
        query: query as Infer<Q>,
        body: body as Infer<B>,
        rawBody: mode === "raw" ? bodyBytes : null,
        bodyStream:
          mode === "stream"
            ? auth.body !== undefined
              ? auth.body
              : buffered
                ? new Blob([new Uint8Array(buffered)]).stream()
                : request.body
            : null,
      });
      if (result instanceof Response) response = result;
      else if (plain) {
        response = {
          status: 200,
          headers: { "content-type": "application/json" },
          body: JSON.stringify(result ?? { ok: true }),
        };
      } else response = Response.json(result ?? { ok: true });
    } catch (error) {
      response = errorResponse(error, info.requestId);
      if (response.status >= 500) {
        runtime.log.error({ ...logFields, err: error, path: url.pathname }, "request failed");
      }
    }
    if (response instanceof Response) response.headers.set("x-request-id", info.requestId);
    else response.headers["x-request-id"] = info.requestId;
    const route = routeLabel(url.pathname);
    runtime.metrics.httpRequests.inc({ route, method: request.method, status: String(response.status) });
    runtime.metrics.httpDuration.observe({ route, method: request.method }, (performance.now() - started) / 1000);
    const level = spec.quietSuccess && response.status < 400 ? "debug" : "info";
    runtime.log[level](
      {
        ...logFields,
        method: request.method,
        path: url.pathname,
        status: response.status,
        ms: Math.round(performance.now() - started),
        actor: actor.kind,
      },
      "request",
    );
    return response;
  };
  const route = (request: Request, context?: RouteContext) => run(request, context, false) as Promise<Response>;
  return Object.assign(route, { reply: (request: Request) => run(request, undefined, true) });
}

/** Anyone may call (landing-page forms, sign-up, health). */
export const anonymous: Authenticator = async () => ({ actor: { kind: "anonymous" } });
