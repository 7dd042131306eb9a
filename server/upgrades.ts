import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Runtime } from "./runtime";

export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

const PREFIX = "upgrade:";

/**
 * WebSocket paths the custom server hands to modules (the relay registers
 * `/api/remote/signal`). A path matches itself and anything below it (`/api/remote/signal/{id}`).
 */
export function registerUpgradeHandler(runtime: Runtime, path: string, handler: UpgradeHandler): void {
  runtime.services.registry.set(PREFIX + path, handler);
}

export function findUpgradeHandler(runtime: Runtime, pathname: string): UpgradeHandler | undefined {
  for (const [key, handler] of runtime.services.registry) {
    if (!key.startsWith(PREFIX)) continue;
    const path = key.slice(PREFIX.length);
    if (pathname === path || pathname.startsWith(`${path}/`)) return handler as UpgradeHandler;
  }
  return undefined;
}
