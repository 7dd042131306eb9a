import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encode } from "next-auth/jwt";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RELAY_CONTROL_KEY } from "@/lib/remote/relay-control";
import { BEARER_SUBPROTOCOL_PREFIX, SUBPROTOCOL } from "@/lib/remote/protocol";
import { seedRobot, seedUser } from "@/lib/remote/test-support";
import { verifyRemoteAccess } from "@/lib/remote/verify-remote-access";
import { installModules } from "@/server/modules";
import { createRuntime, setRuntime, type Runtime } from "@/server/runtime";
import { findUpgradeHandler } from "@/server/upgrades";
import { identityFromKey, RobotClient } from "@/tools/robot-client";

/**
 * The relay (installed by the custom server's `installModules`) and Next's route handlers share
 * live state only through the runtime on `globalThis`. This runs both against one runtime: a robot
 * and a client connect through the upgrade handler the custom server would use, and the route
 * handler module — imported separately, reaching the runtime with `getRuntime()` as it does under
 * Next — reports the relay's live view. (The e2e suite checks the same across Next's real bundles.)
 */
let runtime: Runtime;
let server: Server;
let dir: string;
let baseUrl: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "remote-registry-"));
  server = createServer((_request, response) => response.writeHead(404).end());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  runtime = await createRuntime({
    CONTINUON_DATA_DIR: dir,
    PUBLIC_URL: baseUrl,
    LOG_LEVEL: "silent",
    CONTINUON_WORKERS: "0",
    NEXTAUTH_SECRET: "registry-test-secret-0123456789abcdef",
  });
  setRuntime(runtime);
  installModules(runtime);
  server.on("upgrade", (request, socket, head) => {
    const handler = findUpgradeHandler(runtime, new URL(request.url ?? "/", baseUrl).pathname);
    if (handler) handler(request, socket, head);
    else socket.destroy();
  });
});

afterAll(async () => {
  await runtime?.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

function open(ws: WebSocket): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
  });
}

describe("runtime registry", () => {
  it("installModules registers the relay's control object and its upgrade path", () => {
    expect(runtime.services.registry.get(RELAY_CONTROL_KEY)).toBeDefined();
    expect(findUpgradeHandler(runtime, "/api/remote/signal/14d4b680")).toBeDefined();
    expect(findUpgradeHandler(runtime, "/api/remote/other")).toBeUndefined();
  });

  it("a route handler sees the relay's live session", async () => {
    const ctx = runtime.contextFor({ kind: "system", name: "test" });
    const owner = await seedUser(ctx);
    const robot = await seedRobot(ctx, { ownerUid: owner.uid });
    const session = await verifyRemoteAccess(runtime.contextFor(owner), {
      robot_ruri: robot.ruri,
      user_uid: owner.uid,
      local_claim_proof: await robot.claimProof(owner.uid),
    });
    const signed = new RobotClient({ identity: identityFromKey(robot.ruri, robot.privateKey), baseUrl }).prepare(
      "GET",
      `/api/remote/signal/${robot.deviceId}`,
    );
    const robotWs = await open(
      new WebSocket(`${baseUrl.replace("http", "ws")}/api/remote/signal/${robot.deviceId}`, {
        headers: signed.headers,
      }),
    );
    const clientWs = await open(
      new WebSocket(`${baseUrl.replace("http", "ws")}/api/remote/signal`, [
        SUBPROTOCOL,
        `${BEARER_SUBPROTOCOL_PREFIX}${session.session_token}`,
      ]),
    );
    const { GET } = await import("@/app/api/remote/session/route");
    const cookie = await encode({ token: { uid: owner.uid }, secret: runtime.secrets.nextAuthSecret });
    const response = await GET(
      new Request(`${baseUrl}/api/remote/session?session_id=${session.session_id}`, {
        headers: { cookie: `next-auth.session-token=${cookie}` },
      }),
      { params: Promise.resolve({}) },
    );
    expect(response.status).toBe(200);
    const body = (await response.json()) as { live: Record<string, unknown> | null };
    expect(body.live).toMatchObject({ client_connected: true, robot_connected: true, device_id: robot.deviceId });
    robotWs.terminate();
    clientWs.terminate();
  });
});
