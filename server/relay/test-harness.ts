/**
 * A relay on a real HTTP server and real WebSockets, with the domain on the SQLite test store and a
 * clock the test moves: what relay tests (and the registry test) drive.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import WebSocket from "ws";
import type { Actor, Ctx, RequestInfo } from "@/lib/context";
import { BEARER_SUBPROTOCOL_PREFIX, SUBPROTOCOL } from "@/lib/remote/protocol";
import { RELAY_CONTROL_KEY } from "@/lib/remote/relay-control";
import { seedRobot, seedUser, type SeededRobot, type UserActor } from "@/lib/remote/test-support";
import { verifyRemoteAccess, type VerifyResult } from "@/lib/remote/verify-remote-access";
import { SIGNAL_PATH } from "@/lib/remote/views";
import { withRobot } from "@/server/http/with-robot";
import type { Runtime } from "@/server/runtime";
import { createTestContext, type TestContext } from "@/server/testing/create-test-context";
import { identityFromKey, RobotClient } from "@/tools/robot-client";
import { Relay, type RelayLimits } from "./relay";
import { TestSocket } from "./test-socket";

export { TestSocket };

export interface RelayHarness {
  ctx: TestContext;
  relay: Relay;
  baseUrl: string;
  owner: UserActor;
  robot: SeededRobot;
  /** verify as the owner for `robot` (or another of theirs). */
  openSession(robot?: SeededRobot, owner?: UserActor): Promise<VerifyResult>;
  connectClient(token: string, options?: { path?: string; autoPong?: boolean; headerToken?: boolean }): TestSocket;
  /** A robot's signed upgrade (RFC 9421 over GET /api/remote/signal[/id]). */
  connectRobot(
    robot: SeededRobot,
    options?: { path?: string; signAs?: { deviceId: string }; headers?: Record<string, string> },
  ): TestSocket;
  /** An upgrade with exactly these headers/subprotocols and nothing else. */
  connectRaw(path: string, options?: { headers?: Record<string, string>; protocols?: string[] }): TestSocket;
  robotClient(robot: SeededRobot): RobotClient;
  close(): Promise<void>;
}

export async function startRelayHarness(options: { limits?: Partial<RelayLimits> } = {}): Promise<RelayHarness> {
  const server: Server = createServer((_request, response) => response.writeHead(404).end());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}`;
  const ctx = createTestContext({ env: { PUBLIC_URL: baseUrl } });
  const contextFor = (actor: Actor, request?: Partial<RequestInfo>): Ctx => ({
    ...ctx.as(actor),
    request: {
      requestId: request?.requestId ?? "req_relay",
      ip: request?.ip ?? null,
      userAgent: request?.userAgent ?? null,
    },
  });
  // withRobot needs only these parts of a runtime: config, the store, the clock, contexts and the registry.
  const runtime = {
    config: ctx.config,
    db: ctx.db,
    now: ctx.clock.now,
    contextFor,
    services: ctx.services,
  } as unknown as Runtime;
  const authenticate = withRobot();
  const relay = new Relay({
    instanceId: "relay-test",
    config: ctx.config,
    log: ctx.log,
    now: ctx.clock.now,
    contextFor,
    authenticateRobot: async (request, info) => {
      const result = await authenticate({ request, runtime, info, bodyBytes: null });
      return { deviceId: (result.actor as { deviceId: string }).deviceId };
    },
    limits: options.limits,
  });
  ctx.services.registry.set(RELAY_CONTROL_KEY, relay);
  server.on("upgrade", (request, socket, head) => {
    if ((request.url ?? "").startsWith(SIGNAL_PATH)) relay.handleUpgrade(request, socket, head);
    else socket.destroy();
  });
  const owner = await seedUser(ctx);
  const robot = await seedRobot(ctx, { ownerUid: owner.uid });
  const sockets: WebSocket[] = [];
  const robotClient = (seeded: SeededRobot) =>
    new RobotClient({
      identity: identityFromKey(seeded.ruri, seeded.privateKey),
      baseUrl,
      now: () => Math.floor(ctx.clock.now().getTime() / 1000),
    });
  return {
    ctx,
    relay,
    baseUrl,
    owner,
    robot,
    openSession: async (which = robot, who = owner) =>
      verifyRemoteAccess(ctx.as(who), {
        robot_ruri: which.ruri,
        user_uid: who.uid,
        local_claim_proof: await which.claimProof(who.uid),
      }),
    connectClient: (token, connectOptions = {}) => {
      const url = `ws://127.0.0.1:${port}${connectOptions.path ?? SIGNAL_PATH}`;
      const ws = connectOptions.headerToken
        ? new WebSocket(url, {
            headers: { authorization: `Bearer ${token}` },
            autoPong: connectOptions.autoPong ?? true,
          })
        : new WebSocket(url, [SUBPROTOCOL, `${BEARER_SUBPROTOCOL_PREFIX}${token}`], {
            autoPong: connectOptions.autoPong ?? true,
          });
      sockets.push(ws);
      return new TestSocket(ws);
    },
    connectRobot: (seeded, connectOptions = {}) => {
      const path = connectOptions.path ?? `${SIGNAL_PATH}/${seeded.deviceId}`;
      const client = robotClient(seeded);
      const signed = client.prepare("GET", path);
      let headers = signed.headers;
      if (connectOptions.signAs) {
        headers = Object.fromEntries(
          Object.entries(headers).map(([name, value]) => [
            name,
            value.replace(`keyid="${seeded.deviceId}"`, `keyid="${connectOptions.signAs?.deviceId}"`),
          ]),
        );
      }
      const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers: { ...headers, ...connectOptions.headers } });
      sockets.push(ws);
      return new TestSocket(ws);
    },
    connectRaw: (path, rawOptions = {}) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, rawOptions.protocols ?? [], {
        headers: rawOptions.headers,
      });
      sockets.push(ws);
      return new TestSocket(ws);
    },
    robotClient,
    close: async () => {
      for (const ws of sockets) ws.terminate();
      await relay.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await ctx.cleanup();
    },
  };
}
