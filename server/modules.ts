import { installRobotRoutes } from "./http/robot-routes";
import { installOtaRoutes } from "./http/install-ota-routes";
import { installRelay } from "./relay/install-relay";
import type { Runtime } from "./runtime";

/**
 * Process-wide modules installed once at start-up by the custom server (each registers what it
 * needs on the runtime: upgrade handlers, live registries). Add one line per module.
 */
export function installModules(runtime: Runtime): void {
  installRelay(runtime);
  installOtaRoutes(runtime);
  installRobotRoutes(runtime);
}
