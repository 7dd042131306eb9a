/**
 * Routes the custom server answers itself, ahead of Next.js. Next's request pipeline (routing,
 * rewrites, its own request and response objects) costs several times what a small signed robot
 * request needs; robots send the most requests by far (every robot heartbeats every minute), so
 * their hot routes skip it. A direct route is the very same `createRoute` handler the app's
 * `route.ts` exports, so both paths behave alike; Next still serves it in any process that does not
 * register it (and in `next dev` without the custom server).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { pipeline } from "node:stream/promises";
import type { Runtime } from "@/server/runtime";
import { errorResponse } from "./errors";
import { nodeBodyOf, webRequestHeaders } from "./node-web-bridge";
import { bodyTooLarge, requestWithBufferedBody } from "./read-body";
import type { JsonReply, Route } from "./route";

export type DirectRoute = (request: Request) => Promise<Response | JsonReply>;

const PREFIX = "direct-route:";

/** Serve `method path` (exact path, no parameters) directly with a `createRoute` route. */
export function registerDirectRoute(runtime: Runtime, method: string, path: string, route: Route): void {
  runtime.services.registry.set(`${PREFIX}${method} ${path}`, route.reply satisfies DirectRoute);
}

export function findDirectRoute(
  runtime: Runtime,
  method: string | undefined,
  url: string | undefined,
): DirectRoute | undefined {
  if (!method || !url) return undefined;
  const query = url.indexOf("?");
  const path = query === -1 ? url : url.slice(0, query);
  return runtime.services.registry.get(`${PREFIX}${method} ${path}`) as DirectRoute | undefined;
}

/** Direct routes take small bodies (robot JSON); a larger one is refused before it is read in full. */
export const DIRECT_ROUTE_MAX_BODY_BYTES = 64 * 1024;

/** The custom server's body guard caps direct routes at this (server/http/body-limits.ts). */
export const DIRECT_ROUTE_BODY_LIMIT = { name: "direct_route", maxBytes: DIRECT_ROUTE_MAX_BODY_BYTES } as const;

/** Read a small body into memory, counting as it streams (Content-Length may lie or be absent). */
function readSmallBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    req.on("data", (chunk: Buffer) => {
      total += chunk.length;
      if (total > DIRECT_ROUTE_MAX_BODY_BYTES) {
        req.destroy();
        resolve(null);
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** The headers Next adds to an API answer. */
const SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "strict-origin-when-cross-origin",
} as const;

/**
 * Answer a Node request with a direct route (with the headers Next would add to an API answer).
 * Request bodies and JSON answers go buffered: a web stream per request costs more than these
 * small bodies do. A download (`nodeStreamResponse`) is piped from its Node stream to the
 * socket as the client takes it, so memory stays flat whatever the file's size.
 */
export async function serveDirectRoute(route: DirectRoute, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const headers = webRequestHeaders(req.headers);
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  const body = hasBody ? await readSmallBody(req) : null;
  let response: Response | JsonReply;
  if (hasBody && body === null) {
    response = errorResponse(bodyTooLarge(DIRECT_ROUTE_MAX_BODY_BYTES));
  } else {
    const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "localhost"}`);
    const method = req.method ?? "GET";
    response = await route(
      body ? requestWithBufferedBody(url, { method, headers }, body) : new Request(url, { method, headers }),
    );
  }
  const stream = response instanceof Response ? nodeBodyOf(response) : undefined;
  if (stream && response instanceof Response) {
    const out: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      out[name] = value;
    });
    res.writeHead(response.status, { ...out, ...SECURITY_HEADERS });
    // A client that goes away ends the pipeline: the file is closed, nothing more is read.
    await pipeline(stream, res).catch(() => undefined);
    return;
  }
  // Direct routes answer small JSON: write it in one piece with its length (no chunked stream).
  let payload: Buffer;
  let out: Record<string, string>;
  if (response instanceof Response) {
    payload = Buffer.from(await response.arrayBuffer());
    out = {};
    response.headers.forEach((value, name) => {
      out[name] = value;
    });
  } else {
    payload = Buffer.from(response.body);
    out = { ...response.headers };
  }
  Object.assign(out, SECURITY_HEADERS);
  // A HEAD answer has no body but reports the length a GET would send; a 304 reports none.
  if (response.status === 304) delete out["content-length"];
  else if (req.method !== "HEAD" || out["content-length"] === undefined) out["content-length"] = String(payload.length);
  res.writeHead(response.status, out);
  res.end(payload);
}
