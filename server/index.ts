/**
 * The custom Node server: one HTTP server that hands every request to Next.js and routes
 * WebSocket upgrades on `/api/remote/signal` to the relay (other upgrades: Next's dev HMR, or
 * closed). It builds the runtime first, so Next's route handlers and the relay share one store,
 * one blob store and one live registry. Edit it to add an upgrade path or process lifecycle
 * (start-up, background workers, graceful shutdown); request logic belongs in routes and lib/.
 */
import { EventEmitter } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import next from "next";
import { ConfigError } from "@/lib/env";
import { createRuntime, setRuntime, type Runtime } from "./runtime";
import { startBackgroundWorkers } from "./workers";
import { findUpgradeHandler } from "./upgrades";
import { installModules } from "./modules";
import { DIRECT_ROUTE_BODY_LIMIT, findDirectRoute, serveDirectRoute } from "./http/direct-routes";
import {
  bodyLimitFor,
  declaresTooLarge,
  guardRequestBody,
  wasRefused,
  type BodyGuardEvents,
  type BodyLimit,
} from "./http/body-limits";
import { routeLabel } from "./metrics";
import { applySecurityHeaders, pagePolicySources } from "./http/security-headers";

const SHUTDOWN_GRACE_MS = 25_000;

export interface StartedServer {
  runtime: Runtime;
  url: string;
  stop(): Promise<void>;
}

export async function startServer(options: {
  dev: boolean;
  env?: Record<string, string | undefined>;
  dir?: string;
}): Promise<StartedServer> {
  const env = options.env ?? process.env;
  const runtime = await createRuntime(env);
  setRuntime(runtime);
  const { config, log } = runtime;
  // next-auth reads its callback base from here.
  process.env.NEXTAUTH_URL ??= config.publicUrl;
  installModules(runtime);

  // Next attaches its own 'upgrade' listener to the request's server on the first request and ends
  // every upgrade it routes to a page or API path (the relay's included, while the relay is still
  // checking credentials). Hand it a server of its own that never emits: upgrades are routed below.
  const app = next({
    dev: options.dev,
    dir: options.dir ?? process.cwd(),
    hostname: config.host,
    port: config.port,
    httpServer: new EventEmitter() as unknown as Server,
  });
  await app.prepare();
  const handle = app.getRequestHandler();
  const nextUpgrade = app.getUpgradeHandler();

  const bodyGuard: BodyGuardEvents = {
    refused({ method, path, limit, declared, requestId, answered }) {
      if (!answered) runtime.metrics.httpRequests.inc({ route: routeLabel(path), method, status: "413" });
      log.info(
        {
          request_id: requestId,
          method,
          path,
          ...(answered ? {} : { status: 413 }),
          limit: limit.name,
          max_bytes: limit.maxBytes,
          declared,
        },
        answered ? "request body over its cap: connection closed" : "request body over its cap",
      );
    },
  };

  const policySources = pagePolicySources(config, options.dev);

  let inFlight = 0;
  let draining = false;
  const limitFor = (req: IncomingMessage, direct: unknown): BodyLimit => {
    const limit = bodyLimitFor(req.method, req.url);
    return direct && limit.maxBytes > DIRECT_ROUTE_BODY_LIMIT.maxBytes ? DIRECT_ROUTE_BODY_LIMIT : limit;
  };
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    // Route handlers read the peer address from here; a client cannot forge it.
    req.headers["x-continuon-remote-addr"] = req.socket.remoteAddress ?? "";
    // What the browser asked for, for the console's signed-out redirect (`REQUEST_PATH_HEADER`
    // in server/http/page-context.ts): layouts are not told the pathname. Overwritten like the above.
    req.headers["x-continuon-request-path"] = req.url ?? "/";
    applySecurityHeaders(req, res, policySources);
    const direct = findDirectRoute(runtime, req.method, req.url);
    // Every body is capped here, before Next, next-auth or a direct route reads any of it.
    if (!guardRequestBody(req, res, bodyGuard, limitFor(req, direct))) return;
    if (draining) res.setHeader("connection", "close");
    inFlight++;
    res.on("close", () => inFlight--);
    (direct ? serveDirectRoute(direct, req, res) : handle(req, res)).catch((error: unknown) => {
      // A body cut at its cap fails the handler that was reading it; the client already has its 413.
      if (wasRefused(req)) return;
      log.error({ err: error }, "unhandled request error");
      if (!res.headersSent) {
        res.statusCode = 500;
        res.end();
      }
    });
  };
  const server = createServer(onRequest);
  // A client that asks before sending (`Expect: 100-continue`) is refused without being invited to
  // send a body over the cap.
  server.on("checkContinue", (req: IncomingMessage, res: ServerResponse) => {
    if (!declaresTooLarge(req, limitFor(req, findDirectRoute(runtime, req.method, req.url)))) res.writeContinue();
    onRequest(req, res);
  });

  server.on("upgrade", (req, socket, head) => {
    const pathname = new URL(req.url ?? "/", "http://localhost").pathname;
    req.headers["x-continuon-remote-addr"] = req.socket.remoteAddress ?? "";
    const handler = findUpgradeHandler(runtime, pathname);
    if (handler) {
      handler(req, socket, head);
    } else if (options.dev && pathname.startsWith("/_next/")) {
      void nextUpgrade(req, socket, head);
    } else {
      // Next leaves upgrades on unknown paths hanging: close them here.
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      socket.destroy();
    }
  });

  const stopWorkers = config.workers ? startBackgroundWorkers(runtime) : async () => undefined;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  log.info({ port, dev: options.dev, url: config.publicUrl }, "server listening");

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      draining = true;
      log.info({ inFlight }, "shutting down: no new connections, finishing in-flight requests");
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const deadline = Date.now() + SHUTDOWN_GRACE_MS;
      while (inFlight > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        server.closeIdleConnections();
      }
      server.closeAllConnections();
      await closed;
      await stopWorkers();
      await runtime.close();
      await app.close?.();
      log.info({}, "stopped");
    })();
    return stopping;
  };
  return { runtime, url: `http://127.0.0.1:${port}`, stop };
}

async function main(): Promise<void> {
  const dev = process.argv.includes("--dev");
  let started: StartedServer;
  try {
    started = await startServer({ dev });
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`continuon.cloud cannot start: ${error.message}`);
      process.exit(78);
    }
    throw error;
  }
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      void started.stop().then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(error);
          process.exit(1);
        },
      );
    });
  }
}

if (process.env.CONTINUON_SERVER_NO_MAIN !== "1") {
  void main();
}
