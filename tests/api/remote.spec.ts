import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { issueSessionToken } from "../../lib/remote/session-token";
import { identityFromKey, RobotClient } from "../../tools/robot-client";
import { RemoteRobotPeer } from "../../tools/simulator/behaviors/remote-peer";
import {
  auditEntry,
  connectClient,
  connectRaw,
  connectRobot,
  ownedRobot,
  refused,
  registerRobot,
  verify,
  wsUrl,
  type TestSocket,
} from "../support/remote";
import { adminApi, signUpAndSignIn, type SignedInUser } from "../support/users";

const SIGNAL = "/api/remote/signal";

/**
 * One admin, owner and stranger for the whole file: sign-ups and sign-ins are rate-limited per
 * address, and every test makes its own robots and sessions anyway.
 */
let people: Promise<{ admin: APIRequestContext; owner: SignedInUser; stranger: SignedInUser }> | null = null;
function cast(baseURL: string) {
  people ??= (async () => ({
    admin: await adminApi(baseURL),
    owner: await signUpAndSignIn(baseURL, "remote-owner"),
    stranger: await signUpAndSignIn(baseURL, "remote-stranger"),
  }))();
  return people;
}

/** The token secret of the server Playwright started (its data folder is known), to mint edge-case tokens. */
function serverTokenSecret(): string | null {
  if (process.env.E2E_BASE_URL) return null;
  const port = Number(process.env.E2E_PORT ?? 3210);
  const dataDir = process.env.E2E_DATA_DIR ?? `/tmp/continuon-e2e-${port}`;
  return (JSON.parse(readFileSync(`${dataDir}/secrets.json`, "utf8")) as { token_secret: string }).token_secret;
}

test.describe("remote sessions over the real server", () => {
  test("owner verifies, robot and client meet on the relay, telemetry and commands flow, the route handler sees the live session", async ({
    baseURL,
  }) => {
    const base = baseURL as string;
    const { admin, owner } = await cast(base);
    const { robot, proof } = await ownedRobot(base, admin, owner);
    const session = await verify(owner, robot, proof);
    expect(session).toMatchObject({
      verified: true,
      robot_endpoint: wsUrl(base, `${SIGNAL}/${robot.deviceId}`),
      ice_servers: [],
    });
    expect(Date.parse(session.expires_at) - Date.now()).toBeGreaterThan(3590_000);
    const pending = await owner.api.get(`/api/remote/session?session_id=${session.session_id}`);
    expect(await pending.json()).toMatchObject({ status: "pending", robot_id: robot.deviceId, live: null });

    const peer = new RemoteRobotPeer({ client: robot, webrtc: false, telemetryHz: 10 });
    peer.start();
    try {
      await peer.connected();
      const client = connectClient(session.robot_endpoint, session.session_token);
      await client.next("status", (m) => m.state === "robot_online");
      const telemetry = await client.next("data", (m) => (m.payload as { type: string }).type === "telemetry");
      expect(telemetry.payload).toMatchObject({ mode: "idle" });
      client.send({
        type: "data",
        payload: { v: 1, type: "command", id: "e2e-1", command: { type: "set_mode", payload: { mode: "autonomous" } } },
      });
      const ack = await client.next("data", (m) => (m.payload as { type: string }).type === "ack");
      expect(ack.payload).toMatchObject({ id: "e2e-1", status: "completed" });

      // The relay runs in the custom server's module graph, the route handler in Next's: the live view
      // can only come through the runtime registry on globalThis.
      const live = await owner.api.get(`/api/remote/session?session_id=${session.session_id}`);
      expect(await live.json()).toMatchObject({
        status: "connected",
        path: "relayed",
        connection_type: "tunnel",
        live: { client_connected: true, robot_connected: true, device_id: robot.deviceId },
      });
      const active = await admin.get("/api/console/remote/sessions?scope=active");
      expect(((await active.json()).sessions as Array<{ session_id: string }>).map((s) => s.session_id)).toContain(
        session.session_id,
      );

      client.send({ type: "bye" });
      expect((await client.closed).code).toBe(1000);
      await expect
        .poll(
          async () =>
            (await (await owner.api.get(`/api/remote/session?session_id=${session.session_id}`)).json()).status,
        )
        .toBe("disconnected");
      const ended = await auditEntry(admin, "remote.disconnect", (entry) => entry.target?.id === session.session_id);
      expect(ended.details).toMatchObject({ reason: "bye", path: "relayed" });
      expect(Number(ended.details.bytes_relayed)).toBeGreaterThan(0);
      await auditEntry(admin, "remote.connect", (entry) => entry.target?.id === session.session_id);
      await auditEntry(admin, "remote.verify", (entry) => entry.target?.id === session.session_id);
    } finally {
      await peer.stop();
    }
  });

  test.describe("verify refuses, with its error and an audit entry", () => {
    const cases: Array<{
      name: string;
      reason: string;
      status: number;
      build: (ctx: Awaited<ReturnType<typeof setup>>) => Promise<Record<string, unknown>>;
    }> = [
      {
        name: "a non-owner",
        status: 403,
        reason: "not_robot_owner",
        build: async ({ robot, stranger }) => ({
          robot_ruri: robot.ruri,
          user_uid: stranger.uid,
          local_claim_proof: robot.issueClaimProof(stranger.uid),
          as: "stranger",
        }),
      },
      {
        name: "a forged claim proof",
        status: 403,
        reason: "claim_proof_bad_signature",
        build: async ({ owner, robot, forger }) => ({
          robot_ruri: robot.ruri,
          user_uid: owner.uid,
          local_claim_proof: forger.issueClaimProof(owner.uid),
        }),
      },
      {
        name: "another user's claim proof",
        status: 403,
        reason: "claim_proof_wrong_user",
        build: async ({ owner, robot, stranger }) => ({
          robot_ruri: robot.ruri,
          user_uid: owner.uid,
          local_claim_proof: robot.issueClaimProof(stranger.uid),
        }),
      },
      {
        name: "user_uid that is not the caller",
        status: 403,
        reason: "user_uid_mismatch",
        build: async ({ owner, robot, stranger }) => ({
          robot_ruri: robot.ruri,
          user_uid: stranger.uid,
          local_claim_proof: robot.issueClaimProof(owner.uid),
        }),
      },
    ];

    async function setup(baseURL: string) {
      const { admin, owner, stranger } = await cast(baseURL);
      const { robot } = await ownedRobot(baseURL, admin, owner);
      // The robot's RURI with another key: what a forger would hold.
      const forger = new RobotClient({
        identity: identityFromKey(robot.ruri, generateKeyPairSync("ed25519").privateKey),
        baseUrl: baseURL,
      });
      return { admin, owner, stranger, robot, forger };
    }

    for (const testCase of cases) {
      test(`${testCase.name} → ${testCase.status} ${testCase.reason}`, async ({ baseURL }) => {
        const context = await setup(baseURL as string);
        const { as, ...body } = await testCase.build(context);
        const caller = as === "stranger" ? context.stranger : context.owner;
        const sessionsBefore = (await (await caller.api.get("/api/console/remote/sessions?limit=200")).json()).sessions
          .length;
        const response = await caller.api.post("/api/remote/verify", { data: body });
        expect(response.status()).toBe(testCase.status);
        expect((await response.json()).error).toMatchObject({ code: "forbidden", reason: testCase.reason });
        const entry = await auditEntry(
          context.admin,
          "remote.verify",
          (row) => row.actor.id === caller.uid && row.details.reason === testCase.reason,
        );
        expect(entry.outcome).toBe("denied");
        const sessionsAfter = (await (await caller.api.get("/api/console/remote/sessions?limit=200")).json()).sessions
          .length;
        expect(sessionsAfter).toBe(sessionsBefore);
      });
    }
  });

  test.describe("the relay refuses, with its error and an audit entry", () => {
    test("an unsigned robot connection → 401 credentials_missing", async ({ baseURL }) => {
      const { admin } = await cast(baseURL as string);
      const robot = await registerRobot(baseURL as string, admin);
      const answer = await refused(connectRaw(wsUrl(baseURL as string, `${SIGNAL}/${robot.deviceId}`)));
      expect(answer).toMatchObject({
        status: 401,
        body: { error: { code: "unauthenticated", reason: "credentials_missing" } },
      });
      await auditEntry(admin, "remote.refuse", (row) => row.details.reason === "credentials_missing");
    });

    test("a robot impersonating another device id → 403 robot_mismatch", async ({ baseURL }) => {
      const { admin } = await cast(baseURL as string);
      const robot = await registerRobot(baseURL as string, admin);
      const other = await registerRobot(baseURL as string, admin);
      const answer = await refused(connectRobot(robot, `${SIGNAL}/${other.deviceId}`));
      expect(answer).toMatchObject({ status: 403, body: { error: { code: "forbidden", reason: "robot_mismatch" } } });
      const entry = await auditEntry(
        admin,
        "remote.refuse",
        (row) => row.details.reason === "robot_mismatch" && row.actor.id === robot.deviceId,
      );
      expect(entry.outcome).toBe("denied");
    });

    test("a token for robot A used for robot B → 403 session_robot_mismatch", async ({ baseURL }) => {
      const base = baseURL as string;
      const { admin, owner } = await cast(base);
      const a = await ownedRobot(base, admin, owner);
      const b = await ownedRobot(base, admin, owner);
      const session = await verify(owner, a.robot, a.proof);
      const answer = await refused(connectClient(wsUrl(base, `${SIGNAL}/${b.robot.deviceId}`), session.session_token));
      expect(answer).toMatchObject({ status: 403, body: { error: { reason: "session_robot_mismatch" } } });
      await auditEntry(
        admin,
        "remote.refuse",
        (row) => row.details.reason === "session_robot_mismatch" && row.actor.id === owner.uid,
      );
    });

    test("an expired token → 401 token_expired; a token expiring during a live connection closes it (4401)", async ({
      baseURL,
    }) => {
      const secret = serverTokenSecret();
      test.skip(secret === null, "needs the token secret of the server the test run started");
      const base = baseURL as string;
      const { admin, owner } = await cast(base);
      const { robot, proof } = await ownedRobot(base, admin, owner);
      const session = await verify(owner, robot, proof);
      const mint = (expiresAt: Date) =>
        issueSessionToken(secret as string, {
          userUid: owner.uid,
          sessionId: session.session_id,
          deviceId: robot.deviceId,
          issuedAt: new Date(Date.now() - 60_000),
          expiresAt,
        });
      const expired = await refused(connectClient(session.robot_endpoint, await mint(new Date(Date.now() - 1000))));
      expect(expired).toMatchObject({ status: 401, body: { error: { reason: "token_expired" } } });

      const robotSocket = connectRobot(robot);
      await robotSocket.opened;
      const client = connectClient(session.robot_endpoint, await mint(new Date(Date.now() + 2500)));
      await client.next("status", (m) => m.state === "robot_online");
      expect(await client.next("error")).toMatchObject({ code: "unauthenticated", reason: "token_expired" });
      expect((await client.closed).code).toBe(4401);
      await robotSocket.next("status", (m) => m.state === "session_ended" && m.reason === "token_expired");
      await auditEntry(admin, "remote.expire", (row) => row.target?.id === session.session_id);
      robotSocket.ws.close();
    });

    test("revoking closes the live connection (4403) and the token stops working", async ({ baseURL }) => {
      const base = baseURL as string;
      const { admin, owner } = await cast(base);
      const { robot, proof } = await ownedRobot(base, admin, owner);
      const session = await verify(owner, robot, proof);
      const client = connectClient(session.robot_endpoint, session.session_token);
      await client.next("status", (m) => m.state === "waiting_for_robot");
      const revoke = await owner.api.post("/api/remote/revoke", { data: { session_id: session.session_id } });
      expect(await revoke.json()).toMatchObject({ status: "disconnected", ended_reason: "revoked" });
      expect(await client.next("error")).toMatchObject({ code: "forbidden", reason: "session_revoked" });
      expect((await client.closed).code).toBe(4403);
      const again = await refused(connectClient(session.robot_endpoint, session.session_token));
      expect(again).toMatchObject({ status: 403, body: { error: { reason: "session_revoked" } } });
      await auditEntry(
        admin,
        "remote.revoke",
        (row) => row.target?.id === session.session_id && row.actor.id === owner.uid,
      );
    });

    test("an admin ends someone's session; an owner cannot list everyone's", async ({ baseURL }) => {
      const base = baseURL as string;
      const { admin, owner } = await cast(base);
      const { robot, proof } = await ownedRobot(base, admin, owner);
      const session = await verify(owner, robot, proof);
      const client = connectClient(session.robot_endpoint, session.session_token);
      await client.opened;
      expect((await owner.api.get("/api/console/remote/sessions?scope=active")).status()).toBe(403);
      const end = await admin.post(`/api/console/remote/sessions/${session.session_id}/end`, { data: {} });
      expect(end.status()).toBe(200);
      expect((await client.closed).code).toBe(4403);
      const entry = await auditEntry(admin, "remote.revoke", (row) => row.target?.id === session.session_id);
      expect(entry.details).toMatchObject({ by_admin: true });
    });

    test.describe("messages", () => {
      async function liveClient(baseURL: string) {
        const { admin, owner } = await cast(baseURL);
        const { robot, proof } = await ownedRobot(baseURL, admin, owner);
        const session = await verify(owner, robot, proof);
        const robotSocket = connectRobot(robot);
        await robotSocket.opened;
        const client = connectClient(session.robot_endpoint, session.session_token);
        await client.next("status", (m) => m.state === "robot_online");
        return { admin, owner, session, client, robotSocket };
      }
      const reasonsOf = (socket: TestSocket) =>
        socket.received.filter((m) => m.type === "error").map((m) => (m as { reason: string }).reason);

      test("oversize → too_large and closed (4413)", async ({ baseURL }) => {
        const { admin, client, session } = await liveClient(baseURL as string);
        client.send({ type: "data", payload: "x".repeat(80_000) });
        expect((await client.closed).code).toBe(4413);
        expect(reasonsOf(client)).toContain("message_too_large");
        await auditEntry(
          admin,
          "remote.refuse",
          (row) => row.details.session_id === session.session_id && row.details.reason === "message_too_large",
        );
      });

      test("malformed → invalid, the connection stays", async ({ baseURL }) => {
        const { admin, client, session } = await liveClient(baseURL as string);
        client.sendText("{not json");
        client.sendText(JSON.stringify({ v: 1, type: "exec", cmd: "rm -rf /" }));
        client.sendText(JSON.stringify({ v: 2, type: "offer", sdp: "x" }));
        await client.next("error", (m) => m.reason === "unsupported_version");
        client.send({ type: "ping", ts: 1 });
        await client.next("pong");
        expect(reasonsOf(client)).toEqual(["malformed_json", "invalid_message", "unsupported_version"]);
        await auditEntry(
          admin,
          "remote.refuse",
          (row) => row.details.session_id === session.session_id && row.details.reason === "invalid_message",
        );
      });

      test("a flood → rate_limited, then closed (4429)", async ({ baseURL }) => {
        const { admin, client, session, robotSocket } = await liveClient(baseURL as string);
        for (let i = 0; i < 600; i++) client.send({ type: "data", payload: { i } });
        expect((await client.closed).code).toBe(4429);
        expect(reasonsOf(client)).toContain("rate_limited");
        expect(robotSocket.received.filter((m) => m.type === "data").length).toBeLessThan(600);
        await auditEntry(
          admin,
          "remote.refuse",
          (row) => row.details.session_id === session.session_id && row.details.reason === "flood",
        );
      });
    });
  });
});
