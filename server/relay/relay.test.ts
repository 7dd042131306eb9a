import { afterEach, describe, expect, it } from "vitest";
import { AuditLog } from "@/lib/audit/schemas";
import { endRemoteSession } from "@/lib/remote/end-remote-session";
import { issueSessionToken } from "@/lib/remote/session-token";
import { revokeRemoteSession } from "@/lib/remote/revoke-remote-session";
import { getRemoteSession } from "@/lib/remote/get-remote-session";
import { RemoteSessions, SESSION_TTL_S } from "@/lib/remote/schemas";
import { seedRobot } from "@/lib/remote/test-support";
import { Robots } from "@/lib/robots/schemas";
import { startRelayHarness, type RelayHarness, type TestSocket } from "./test-harness";

let harness: RelayHarness;
afterEach(async () => harness?.close());

async function audit(action: string) {
  await harness.relay.settled();
  const page = await harness.ctx.db.query(AuditLog, {
    where: [{ field: "action", op: "==", value: action }],
    orderBy: { field: "at", direction: "desc" },
    limit: 100,
  });
  return page.docs.map((doc) => doc.data);
}

/** A robot on the relay and a client in a session with it, both past the greeting. */
async function paired(h: RelayHarness = harness) {
  const robotSocket = h.connectRobot(h.robot);
  await robotSocket.opened;
  const session = await h.openSession();
  const client = h.connectClient(session.session_token, { path: `/api/remote/signal/${h.robot.deviceId}` });
  await client.opened;
  await client.next("status", (m) => m.state === "robot_online");
  const joined = await robotSocket.next("status", (m) => m.state === "peer_joined");
  expect(joined).toMatchObject({ session_id: session.session_id, user_uid: h.owner.uid });
  return { robotSocket, client, session };
}

async function refusedUpgrade(
  socket: TestSocket,
): Promise<{ status: number; body: { error: Record<string, unknown> } }> {
  return socket.opened.then(
    () => {
      throw new Error("the upgrade was accepted");
    },
    (error: { status: number; body: { error: Record<string, unknown> } }) => error,
  );
}

describe("relay: pairing and forwarding", () => {
  it("pairs a client and its robot by session, forwards signaling and data both ways, and records the session", async () => {
    harness = await startRelayHarness();
    const { robotSocket, client, session } = await paired();
    const sid = session.session_id;

    client.send({ type: "offer", sdp: "v=0 offer", id: "o1" });
    expect(await robotSocket.next("offer")).toEqual({
      v: 1,
      type: "offer",
      sdp: "v=0 offer",
      id: "o1",
      session_id: sid,
    });
    robotSocket.send({ type: "answer", session_id: sid, sdp: "v=0 answer" });
    expect(await client.next("answer")).toMatchObject({ sdp: "v=0 answer", session_id: sid });
    client.send({
      type: "ice",
      candidate: { candidate: "candidate:1 1 udp 1 10.0.0.2 9 typ host", sdpMid: "0", sdpMLineIndex: 0 },
    });
    expect(await robotSocket.next("ice")).toMatchObject({ session_id: sid, candidate: { sdpMid: "0" } });
    robotSocket.send({ type: "ice", session_id: sid, candidate: null });
    expect(await client.next("ice")).toMatchObject({ candidate: null });

    const command = { v: 1, type: "command", id: "c1", command: { type: "set_mode", payload: { mode: "idle" } } };
    client.send({ type: "data", payload: command });
    expect((await robotSocket.next("data")).payload).toEqual(command);
    robotSocket.send({ type: "data", session_id: sid, payload: { v: 1, type: "ack", id: "c1", status: "completed" } });
    expect((await client.next("data")).payload).toMatchObject({ type: "ack", status: "completed" });
    client.send({ type: "ping", ts: 42 });
    expect(await client.next("pong")).toMatchObject({ ts: 42 });

    const live = harness.relay.liveSession(sid);
    expect(live).toMatchObject({
      client_connected: true,
      robot_connected: true,
      path: "relayed",
      connection_type: "tunnel",
      messages_relayed: 6,
    });
    expect(live?.bytes_relayed).toBeGreaterThan(100);
    // Route handlers see the same live view through the registry (the verb reads it from ctx.services).
    const view = await getRemoteSession(harness.ctx.as(harness.owner), { session_id: sid });
    expect(view.live).toMatchObject({ client_connected: true, robot_connected: true });
    expect(view.bytes_relayed).toBe(live?.bytes_relayed);

    await harness.relay.sweep();
    await harness.relay.settled();
    const stored = (await harness.ctx.db.require(RemoteSessions, sid)).data;
    expect(stored).toMatchObject({
      status: "connected",
      path: "relayed",
      connection_type: "tunnel",
      bytes_relayed: live?.bytes_relayed,
      messages_relayed: 6,
      relay_instance: "relay-test",
    });
    expect((await audit("remote.connect"))[0]).toMatchObject({
      actor: { id: harness.owner.uid },
      details: { robot_online: true },
    });
    expect(await audit("remote.robot_connect")).toHaveLength(1);
  });

  it("a client that comes first waits for the robot; the robot's arrival starts the session", async () => {
    harness = await startRelayHarness();
    const session = await harness.openSession();
    const client = harness.connectClient(session.session_token, { headerToken: true });
    await client.opened;
    await client.next("status", (m) => m.state === "waiting_for_robot");
    client.send({ type: "offer", sdp: "early", id: "x" });
    expect(await client.next("error")).toMatchObject({ code: "unavailable", reason: "robot_offline", ref: "x" });
    const robotSocket = harness.connectRobot(harness.robot);
    await robotSocket.opened;
    expect(await robotSocket.next("status")).toMatchObject({
      state: "peer_joined",
      session_id: session.session_id,
      ice_servers: [],
    });
    await client.next("status", (m) => m.state === "robot_online");
    await harness.relay.settled();
    expect((await harness.ctx.db.require(RemoteSessions, session.session_id)).data.status).toBe("connected");
    robotSocket.ws.close();
    await client.next("status", (m) => m.state === "robot_offline");
  });

  it("records the path the client reports", async () => {
    harness = await startRelayHarness();
    const { client, session } = await paired();
    client.send({ type: "path", path: "direct", connection_type: "webrtc" });
    client.send({ type: "ping", ts: 1 });
    await client.next("pong");
    await harness.relay.sweep();
    expect((await harness.ctx.db.require(RemoteSessions, session.session_id)).data).toMatchObject({
      path: "direct",
      connection_type: "webrtc",
    });
  });

  it("bye from the client ends the session; bye from the robot ends it too", async () => {
    harness = await startRelayHarness();
    const first = await paired();
    first.client.send({ type: "bye", reason: "done" });
    expect(await first.robotSocket.next("bye")).toMatchObject({ session_id: first.session.session_id });
    expect((await first.client.closed).code).toBe(1000);
    await harness.relay.settled();
    expect((await harness.ctx.db.require(RemoteSessions, first.session.session_id)).data).toMatchObject({
      status: "disconnected",
      ended_reason: "bye",
    });

    const second = await harness.openSession();
    const client = harness.connectClient(second.session_token);
    await client.next("status", (m) => m.state === "robot_online");
    first.robotSocket.send({ type: "bye", session_id: second.session_id, reason: "busy" });
    expect(await client.next("bye")).toMatchObject({ reason: "busy" });
    expect((await client.closed).code).toBe(4410);
    await harness.relay.settled();
    expect((await harness.ctx.db.require(RemoteSessions, second.session_id)).data.ended_reason).toBe("robot_ended");
    expect(await audit("remote.disconnect")).toHaveLength(2);
  });

  it("a newer robot connection replaces the older one", async () => {
    harness = await startRelayHarness();
    const older = harness.connectRobot(harness.robot);
    await older.opened;
    const newer = harness.connectRobot(harness.robot);
    await newer.opened;
    expect((await older.closed).code).toBe(4409);
    expect(harness.relay.isRobotConnected(harness.robot.deviceId)).toBe(true);
  });
});

describe("relay: who may connect (refused before the upgrade, with the API's error body, audited)", () => {
  type Case = [string, () => Promise<TestSocket>, number, string, string];
  const cases: Case[] = [
    [
      "an unsigned robot connection",
      async () => harness.connectRaw(`/api/remote/signal/${harness.robot.deviceId}`),
      401,
      "unauthenticated",
      "credentials_missing",
    ],
    [
      "a robot with empty signature headers",
      async () =>
        harness.connectRaw(`/api/remote/signal/${harness.robot.deviceId}`, {
          headers: { "signature-input": "x", signature: "y" },
        }),
      401,
      "unauthenticated",
      "signature_missing",
    ],
    [
      "a robot impersonating another device id (its own signature, another robot's URL)",
      async () => {
        const other = await seedRobot(harness.ctx, { ownerUid: null });
        return harness.connectRobot(harness.robot, { path: `/api/remote/signal/${other.deviceId}` });
      },
      403,
      "forbidden",
      "robot_mismatch",
    ],
    [
      "a robot signing with another robot's keyid",
      async () => {
        const other = await seedRobot(harness.ctx, { ownerUid: null });
        return harness.connectRobot(harness.robot, {
          path: `/api/remote/signal/${other.deviceId}`,
          signAs: { deviceId: other.deviceId },
        });
      },
      401,
      "unauthenticated",
      "signature_invalid",
    ],
    [
      "an unregistered robot",
      async () => {
        const stranger = await seedRobot(harness.ctx, { ownerUid: null });
        await harness.ctx.db.delete(Robots, stranger.deviceId);
        return harness.connectRobot(stranger);
      },
      401,
      "unauthenticated",
      "signature_invalid",
    ],
    [
      "a replayed robot upgrade (same nonce)",
      async () => {
        const signed = harness
          .robotClient(harness.robot)
          .prepare("GET", `/api/remote/signal/${harness.robot.deviceId}`);
        const first = harness.connectRaw(`/api/remote/signal/${harness.robot.deviceId}`, { headers: signed.headers });
        await first.opened;
        return harness.connectRaw(`/api/remote/signal/${harness.robot.deviceId}`, { headers: signed.headers });
      },
      401,
      "unauthenticated",
      "nonce_replayed",
    ],
    [
      "a client with a garbage token",
      async () => harness.connectClient("not-a-token"),
      401,
      "unauthenticated",
      "token_malformed",
    ],
    [
      "a client with a forged token",
      async () => {
        const now = harness.ctx.now();
        const token = await issueSessionToken("another-secret-0123456789abcdef", {
          userUid: harness.owner.uid,
          sessionId: "rs_01k0000000000000000000000a",
          deviceId: harness.robot.deviceId,
          issuedAt: now,
          expiresAt: new Date(now.getTime() + 60_000),
        });
        return harness.connectClient(token);
      },
      401,
      "unauthenticated",
      "token_invalid",
    ],
    [
      "a client with an expired token",
      async () => {
        const session = await harness.openSession();
        harness.ctx.clock.advance(SESSION_TTL_S * 1000);
        return harness.connectClient(session.session_token);
      },
      401,
      "unauthenticated",
      "token_expired",
    ],
    [
      "a client with a revoked session's token",
      async () => {
        const session = await harness.openSession();
        await revokeRemoteSession(harness.ctx.as(harness.owner), { session_id: session.session_id });
        return harness.connectClient(session.session_token);
      },
      403,
      "forbidden",
      "session_revoked",
    ],
    [
      "a token for robot A used for robot B",
      async () => {
        const session = await harness.openSession();
        const robotB = await seedRobot(harness.ctx, { ownerUid: harness.owner.uid });
        return harness.connectClient(session.session_token, { path: `/api/remote/signal/${robotB.deviceId}` });
      },
      403,
      "forbidden",
      "session_robot_mismatch",
    ],
    [
      "a client whose robot changed hands since verify",
      async () => {
        const session = await harness.openSession();
        await harness.ctx.db.update(Robots, harness.robot.deviceId, { owner_uid: "new-owner" });
        return harness.connectClient(session.session_token);
      },
      403,
      "forbidden",
      "ownership_changed",
    ],
    [
      "a bad relay path",
      async () => harness.connectClient("x.y.z", { path: "/api/remote/signal/NOT-A-DEVICE" }),
      400,
      "invalid",
      "invalid_relay_path",
    ],
  ];

  it.each(cases)("refuses %s", async (_name, open, status, code, reason) => {
    harness = await startRelayHarness();
    const refused = await refusedUpgrade(await open());
    expect(refused.status).toBe(status);
    expect(refused.body.error).toMatchObject({ code, reason });
    const entries = await audit("remote.refuse");
    expect(entries.find((entry) => entry.details.reason === reason)).toMatchObject({
      outcome: "denied",
      details: { stage: "upgrade", code },
    });
  });

  it("refuses an address after too many failed upgrades, before checking credentials; successes do not count", async () => {
    harness = await startRelayHarness({ limits: { upgradeFailuresPerMinutePerIp: 2 } });
    for (let i = 0; i < 3; i++) await harness.connectRobot(harness.robot).opened;
    await refusedUpgrade(harness.connectRaw("/api/remote/signal"));
    await refusedUpgrade(harness.connectRaw("/api/remote/signal"));
    const third = await refusedUpgrade(harness.connectRobot(harness.robot));
    expect(third).toMatchObject({ status: 429, body: { error: { code: "rate_limited" } } });
    harness.ctx.clock.advance(30_000);
    await harness.connectRobot(harness.robot).opened;
  });

  it("limits live sessions per robot", async () => {
    harness = await startRelayHarness({ limits: { maxSessionsPerRobot: 1 } });
    const first = await harness.openSession();
    await harness.connectClient(first.session_token).opened;
    const second = await harness.openSession();
    const refused = await refusedUpgrade(harness.connectClient(second.session_token));
    expect(refused).toMatchObject({ status: 429, body: { error: { reason: "too_many_sessions" } } });
  });
});

describe("relay: a live connection ends at token expiry and at revocation", () => {
  it("closes the client at expiry (4401, token_expired), tells the robot, ends and audits the session", async () => {
    harness = await startRelayHarness();
    const { robotSocket, client, session } = await paired();
    harness.ctx.clock.advance(SESSION_TTL_S * 1000 - 1000);
    await harness.relay.sweep();
    expect(client.ws.readyState).toBe(client.ws.OPEN);
    harness.ctx.clock.advance(1000);
    await harness.relay.sweep();
    expect(await client.next("error")).toMatchObject({ code: "unauthenticated", reason: "token_expired" });
    expect((await client.closed).code).toBe(4401);
    expect(await robotSocket.next("status", (m) => m.state === "session_ended")).toMatchObject({
      reason: "token_expired",
      session_id: session.session_id,
    });
    await harness.relay.settled();
    expect((await harness.ctx.db.require(RemoteSessions, session.session_id)).data).toMatchObject({
      status: "disconnected",
      ended_reason: "token_expired",
    });
    expect(await audit("remote.expire")).toHaveLength(1);
  });

  it("closes the client at once when the session is revoked here (4403, session_revoked)", async () => {
    harness = await startRelayHarness();
    const { robotSocket, client, session } = await paired();
    await revokeRemoteSession(harness.ctx.as(harness.owner), { session_id: session.session_id });
    expect(await client.next("error")).toMatchObject({ code: "forbidden", reason: "session_revoked" });
    expect((await client.closed).code).toBe(4403);
    await robotSocket.next("status", (m) => m.state === "session_ended");
    expect(harness.relay.liveSession(session.session_id)).toBeNull();
    expect(await audit("remote.revoke")).toHaveLength(1);
  });

  it("closes the client at its next sweep when the session was revoked on another instance", async () => {
    harness = await startRelayHarness();
    const { client, session } = await paired();
    await endRemoteSession(harness.ctx, { sessionId: session.session_id, reason: "revoked" });
    await harness.relay.sweep();
    expect((await client.closed).code).toBe(4403);
  });
});

describe("relay: what a connection may send", () => {
  it("refuses an oversize message with too_large and closes (4413), audited", async () => {
    harness = await startRelayHarness();
    const { client } = await paired();
    client.send({ type: "data", payload: "x".repeat(70_000) });
    expect(await client.next("error")).toMatchObject({ code: "too_large", reason: "message_too_large" });
    expect((await client.closed).code).toBe(4413);
    expect((await audit("remote.refuse")).map((entry) => entry.details.reason)).toContain("message_too_large");
  });

  it("closes a frame beyond the hard limit at the WebSocket layer (1009), audited", async () => {
    harness = await startRelayHarness();
    const { client } = await paired();
    client.sendText("x".repeat(1024 * 1024 + 10));
    expect((await client.closed).code).toBe(1009);
    expect((await audit("remote.refuse")).map((entry) => entry.details.reason)).toContain("message_too_large");
  });

  it.each([
    ["not JSON", "{oops", "malformed_json"],
    ["an unknown version", JSON.stringify({ v: 9, type: "offer", sdp: "x" }), "unsupported_version"],
    ["an unknown type", JSON.stringify({ v: 1, type: "exec", cmd: "reboot" }), "invalid_message"],
    ["a status from a client", JSON.stringify({ v: 1, type: "status", state: "robot_online" }), "not_allowed"],
    [
      "an error from a client",
      JSON.stringify({ v: 1, type: "error", code: "invalid", reason: "x", message: "y" }),
      "not_allowed",
    ],
  ])("answers %s with invalid/%s and keeps the connection", async (_name, text, reason) => {
    harness = await startRelayHarness();
    const { client } = await paired();
    client.sendText(text);
    expect(await client.next("error", (m) => m.reason === reason)).toMatchObject({ code: "invalid" });
    client.send({ type: "ping", ts: 7 });
    await client.next("pong");
    expect((await audit("remote.refuse")).map((entry) => entry.details.reason)).toContain(reason);
  });

  it("closes after too many malformed messages (4400) and audits each reason once", async () => {
    harness = await startRelayHarness({ limits: { malformedCloseAfter: 5 } });
    const { client } = await paired();
    for (let i = 0; i < 5; i++) client.sendText("{bad");
    expect((await client.closed).code).toBe(4400);
    const reasons = (await audit("remote.refuse")).map((entry) => entry.details.reason);
    expect(reasons.filter((reason) => reason === "malformed_json")).toHaveLength(1);
    expect(reasons).toContain("too_many_malformed");
  });

  it("drops a flood with rate_limited, then closes it (4429), audited", async () => {
    harness = await startRelayHarness({
      limits: {
        client: { messagesPerSecond: 10, messageBurst: 10, bytesPerSecond: 1e6, byteBurst: 1e6 },
        floodCloseAfter: 20,
      },
    });
    const { client, robotSocket } = await paired();
    for (let i = 0; i < 40; i++) client.send({ type: "data", payload: { i } });
    expect(await client.next("error")).toMatchObject({ code: "rate_limited", reason: "rate_limited" });
    expect((await client.closed).code).toBe(4429);
    const forwarded = robotSocket.received.filter((m) => m.type === "data").length;
    expect(forwarded).toBeLessThanOrEqual(10);
    const reasons = (await audit("remote.refuse")).map((entry) => entry.details.reason);
    expect(reasons).toEqual(expect.arrayContaining(["rate_limited", "flood"]));
  });

  it("refuses a client naming another session, and a robot writing into a session that is not its own", async () => {
    harness = await startRelayHarness();
    const { client, robotSocket, session } = await paired();
    client.send({ type: "offer", sdp: "x", session_id: "rs_01k0000000000000000000000a" });
    expect(await client.next("error")).toMatchObject({ code: "forbidden", reason: "session_mismatch" });

    const otherRobot = await seedRobot(harness.ctx, { ownerUid: harness.owner.uid });
    const intruder = harness.connectRobot(otherRobot);
    await intruder.opened;
    intruder.send({
      type: "data",
      session_id: session.session_id,
      payload: { v: 1, type: "ack", id: "c", status: "completed" },
    });
    expect(await intruder.next("error")).toMatchObject({ code: "not_found", reason: "unknown_session" });
    intruder.send({ type: "offer", sdp: "x" });
    expect(await intruder.next("error", (m) => m.reason === "session_id_required")).toMatchObject({ code: "invalid" });
    client.send({ type: "ping", ts: 1 });
    await client.next("pong");
    expect(client.received.some((m) => m.type === "data")).toBe(false);
    void robotSocket;
    const entries = await audit("remote.refuse");
    expect(entries.find((entry) => entry.details.reason === "unknown_session")).toMatchObject({
      actor: { kind: "robot", id: otherRobot.deviceId },
    });
  });
});

describe("relay: dead peers and the grace period", () => {
  it("drops a client that stops answering pings; its session ends when it does not come back", async () => {
    harness = await startRelayHarness();
    const robotSocket = harness.connectRobot(harness.robot);
    await robotSocket.opened;
    const session = await harness.openSession();
    const client = harness.connectClient(session.session_token, { autoPong: false });
    await client.next("status", (m) => m.state === "robot_online");
    harness.relay.heartbeat();
    // The robot answers the ping (its pong frame arrives before this message's reply); the client does not.
    robotSocket.send({ type: "ping", ts: 1 });
    await robotSocket.next("pong");
    harness.relay.heartbeat();
    expect((await client.closed).code).toBe(1006);
    expect(harness.relay.isRobotConnected(harness.robot.deviceId)).toBe(true);
    await robotSocket.next("status", (m) => m.state === "peer_left");
    expect(harness.relay.liveSession(session.session_id)?.client_connected).toBe(false);
    harness.ctx.clock.advance(harness.relay.limits.clientGraceMs);
    await harness.relay.sweep();
    await harness.relay.settled();
    expect((await harness.ctx.db.require(RemoteSessions, session.session_id)).data.ended_reason).toBe("client_left");
  });

  it("a client that comes back within the grace period resumes its session", async () => {
    harness = await startRelayHarness();
    const { client, session, robotSocket } = await paired();
    client.ws.close();
    await robotSocket.next("status", (m) => m.state === "peer_left");
    harness.ctx.clock.advance(harness.relay.limits.clientGraceMs - 1000);
    await harness.relay.sweep();
    const again = harness.connectClient(session.session_token);
    await again.next("status", (m) => m.state === "robot_online");
    harness.ctx.clock.advance(5000);
    await harness.relay.sweep();
    expect(harness.relay.liveSession(session.session_id)?.client_connected).toBe(true);
    expect((await audit("remote.connect"))[0]).toMatchObject({ details: { reconnect: true } });
  });

  it("keeps answering robots that answer pings", async () => {
    harness = await startRelayHarness();
    const robotSocket = harness.connectRobot(harness.robot);
    await robotSocket.opened;
    for (let i = 0; i < 3; i++) {
      harness.relay.heartbeat();
      robotSocket.send({ type: "ping", ts: i });
      await robotSocket.next("pong", (m) => m.ts === i);
    }
    expect(harness.relay.isRobotConnected(harness.robot.deviceId)).toBe(true);
  });
});
