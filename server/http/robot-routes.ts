/**
 * The robot API's hot routes (PRODUCT.md §6.1). `app/api/rcan/*\/route.ts` export them for Next,
 * and {@link installRobotRoutes} registers them as direct routes of the custom server (see
 * `direct-routes.ts` for why). Handlers stay thin: one verb each.
 */
import { z } from "zod";
import { lookupRobot } from "@/lib/robots/lookup-robot";
import { recordHeartbeat } from "@/lib/robots/record-heartbeat";
import { registerRobot } from "@/lib/robots/register-robot";
import type { Runtime } from "@/server/runtime";
import { registerDirectRoute } from "./direct-routes";
import { otaTrackCache } from "./ota-track-cache";
import { robotKeyCache } from "./robot-key-cache";
import { createRoute, json } from "./route";
import { robotAuthOf, withRobot, withRobotOrUser } from "./with-robot";

// POST /api/rcan/register — a robot registers its Ed25519 key with a provisioning token (signed by that key)
export const registerRoute = createRoute(
  withRobot({ registration: true }),
  { body: z.unknown(), maxBodyBytes: 16 * 1024 },
  async ({ ctx, body, runtime }) => {
    const { robot, created } = await registerRobot(ctx, body);
    robotKeyCache(runtime).invalidate(robot.device_id);
    return json(robot, { status: created ? 201 : 200 });
  },
);

// POST /api/rcan/heartbeat — a signed robot reports it is alive; answers when to come back and what is pending
export const heartbeatRoute = createRoute(
  withRobot({ nonceInHandler: true }),
  { body: z.unknown(), maxBodyBytes: 16 * 1024, quietSuccess: true },
  async ({ ctx, body, request, runtime }) => {
    const { nonce, robot } = robotAuthOf(request);
    const known = robot
      ? {
          model: robot.model,
          currentBundle: robot.currentBundle,
          brainVersion: robot.brainVersion,
          track: await otaTrackCache(runtime).get(robot.model),
        }
      : undefined;
    const answer = await recordHeartbeat(ctx, body, { nonce, knownFirmware: robot?.firmwareVersion, known });
    // A new firmware version went through the registry: read it afresh next time.
    const firmware = (body as { firmware_version?: unknown } | undefined)?.firmware_version;
    if (robot && firmware !== undefined && firmware !== robot.firmwareVersion)
      robotKeyCache(runtime).invalidate(robot.deviceId);
    return answer;
  },
);

// GET /api/rcan/lookup?ruri=… — a robot or a signed-in user finds a robot by RURI, device id or legacy alias
export const lookupRoute = createRoute(
  withRobotOrUser(),
  { query: z.object({ ruri: z.string().optional() }) },
  async ({ ctx, query }) => lookupRobot(ctx, { ruri: query.ruri ?? "" }),
);

/** Serve the robot API's hot routes from the custom server directly (one line in `server/modules.ts`). */
export function installRobotRoutes(runtime: Runtime): void {
  registerDirectRoute(runtime, "POST", "/api/rcan/register", registerRoute);
  registerDirectRoute(runtime, "POST", "/api/rcan/heartbeat", heartbeatRoute);
  registerDirectRoute(runtime, "GET", "/api/rcan/lookup", lookupRoute);
}
