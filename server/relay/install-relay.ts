import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { RELAY_CONTROL_KEY } from "@/lib/remote/relay-control";
import { SIGNAL_PATH } from "@/lib/remote/views";
import { withRobot } from "@/server/http/with-robot";
import type { Runtime } from "@/server/runtime";
import { registerUpgradeHandler } from "@/server/upgrades";
import { Relay, type RelayLimits } from "./relay";

/** How often the relay sweeps (expiry, grace, revocations from other instances, traffic writes). */
export const SWEEP_INTERVAL_MS = 5_000;
/** How often every connection is pinged; a peer that misses one ping is dropped. */
export const HEARTBEAT_INTERVAL_MS = 15_000;

/**
 * Install the relay in this process: the upgrade handler for `/api/remote/signal[/{device_id}]`,
 * its control object in the runtime registry (route handlers read live sessions and revoke through
 * it), the sweep and heartbeat timers, and its shutdown.
 */
export function installRelay(runtime: Runtime, options: { limits?: Partial<RelayLimits> } = {}): Relay {
  const instanceId = `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
  const authenticate = withRobot();
  const relay = new Relay({
    instanceId,
    config: runtime.config,
    log: runtime.log,
    now: () => runtime.now(),
    contextFor: (actor, request) => runtime.contextFor(actor, request),
    authenticateRobot: async (request, info) => {
      const result = await authenticate({ request, runtime, info, bodyBytes: null });
      if (result.actor.kind !== "robot") throw new Error("withRobot returned a non-robot actor");
      return { deviceId: result.actor.deviceId };
    },
    limits: options.limits,
  });
  runtime.services.registry.set(RELAY_CONTROL_KEY, relay);
  registerUpgradeHandler(runtime, SIGNAL_PATH, relay.handleUpgrade);
  const sweep = setInterval(() => {
    relay.sweep().catch((error: unknown) => runtime.log.error({ err: error }, "relay sweep failed"));
  }, SWEEP_INTERVAL_MS);
  const heartbeat = setInterval(() => relay.heartbeat(), HEARTBEAT_INTERVAL_MS);
  sweep.unref();
  heartbeat.unref();
  runtime.onClose(async () => {
    clearInterval(sweep);
    clearInterval(heartbeat);
    await relay.close();
    runtime.services.registry.delete(RELAY_CONTROL_KEY);
  });
  return relay;
}
