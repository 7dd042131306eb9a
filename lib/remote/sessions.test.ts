import { generateKeyPairSync } from "node:crypto";
import { SignJWT } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { AuditLog } from "@/lib/audit/schemas";
import type { Ctx } from "@/lib/context";
import { Robots } from "@/lib/robots/schemas";
import { createTestContext, type TestContext } from "@/server/testing/create-test-context";
import { authorizeRelayClient } from "./authorize-relay-client";
import { expireRemoteSessions } from "./expire-remote-sessions";
import { getRemoteSession } from "./get-remote-session";
import { listRemoteSessions } from "./list-remote-sessions";
import { RELAY_CONTROL_KEY, type RelayControl } from "./relay-control";
import { revokeRemoteSession } from "./revoke-remote-session";
import { RemoteSessions, SESSION_TTL_S } from "./schemas";
import { issueSessionToken, verifySessionToken } from "./session-token";
import { seedRobot, seedUser } from "./test-support";
import { verifyRemoteAccess } from "./verify-remote-access";

let ctx: TestContext;
afterEach(async () => ctx?.cleanup());

async function auditOf(ctx: Ctx, action: string) {
  const page = await ctx.db.query(AuditLog, {
    where: [{ field: "action", op: "==", value: action }],
    orderBy: { field: "at", direction: "desc" },
    limit: 50,
  });
  return page.docs.map((doc) => doc.data);
}

async function ownerWithRobot() {
  ctx = createTestContext({ env: { PUBLIC_URL: "https://continuon.example" } });
  const owner = await seedUser(ctx);
  const robot = await seedRobot(ctx, { ownerUid: owner.uid });
  return { owner, robot, as: ctx.as(owner) };
}

describe("verifyRemoteAccess", () => {
  it("gives the owner a session, a one-hour token bound to user, robot and session, and the relay URL", async () => {
    const { owner, robot, as } = await ownerWithRobot();
    const result = await verifyRemoteAccess(as, {
      robot_ruri: robot.ruri,
      user_uid: owner.uid,
      local_claim_proof: await robot.claimProof(owner.uid),
    });
    expect(result).toMatchObject({
      verified: true,
      robot_endpoint: `wss://continuon.example/api/remote/signal/${robot.deviceId}`,
      expires_at: new Date(ctx.now().getTime() + SESSION_TTL_S * 1000).toISOString(),
      ice_servers: [],
    });
    const claims = await verifySessionToken(ctx.secrets.tokenSecret, result.session_token, ctx.now());
    expect(claims).toMatchObject({ sub: owner.uid, sid: result.session_id, rid: robot.deviceId });
    expect(claims.exp - claims.iat).toBe(3600);
    const session = await ctx.db.require(RemoteSessions, result.session_id);
    expect(session.data).toMatchObject({
      robot_ruri: robot.ruri,
      robot_id: robot.deviceId,
      user_uid: owner.uid,
      status: "pending",
      active: true,
      local_claim_verified: true,
      relay_endpoint: result.robot_endpoint,
    });
    const [entry] = await auditOf(ctx, "remote.verify");
    expect(entry).toMatchObject({ outcome: "success", actor: { id: owner.uid }, target: { id: result.session_id } });
  });

  it("hands out TURN credentials that expire with the session when TURN is configured", async () => {
    ctx = createTestContext({ env: { TURN_URLS: "turn:turn.example:3478", TURN_SECRET: "shh" } });
    const owner = await seedUser(ctx);
    const robot = await seedRobot(ctx, { ownerUid: owner.uid });
    const result = await verifyRemoteAccess(ctx.as(owner), {
      robot_ruri: robot.ruri,
      user_uid: owner.uid,
      local_claim_proof: await robot.claimProof(owner.uid),
    });
    const expiry = Math.floor(Date.parse(result.expires_at) / 1000);
    expect(result.ice_servers).toEqual([
      { urls: ["turn:turn.example:3478"], username: `${expiry}:user_${owner.uid}`, credential: expect.any(String) },
    ]);
  });

  type Case = [
    string,
    (input: Awaited<ReturnType<typeof ownerWithRobot>>) => Promise<{ body: unknown; actor?: Ctx }>,
    string,
    string,
  ];
  const cases: Case[] = [
    [
      "a non-owner (someone else's robot)",
      async ({ robot }) => {
        const other = await seedUser(ctx);
        return {
          actor: ctx.as(other),
          body: { robot_ruri: robot.ruri, user_uid: other.uid, local_claim_proof: await robot.claimProof(other.uid) },
        };
      },
      "forbidden",
      "not_robot_owner",
    ],
    [
      "an unknown robot (same answer as someone else's)",
      async ({ owner }) => ({
        body: {
          robot_ruri: "rcan://continuon.cloud/continuon/companion-v1/0badc0de",
          user_uid: owner.uid,
          local_claim_proof: "a.b.c",
        },
      }),
      "forbidden",
      "not_robot_owner",
    ],
    [
      "user_uid that is not the caller",
      async ({ robot, owner }) => {
        const other = await seedUser(ctx);
        return {
          body: { robot_ruri: robot.ruri, user_uid: other.uid, local_claim_proof: await robot.claimProof(owner.uid) },
        };
      },
      "forbidden",
      "user_uid_mismatch",
    ],
    [
      "a forged claim proof (signed by another key)",
      async ({ robot, owner }) => ({
        body: {
          robot_ruri: robot.ruri,
          user_uid: owner.uid,
          local_claim_proof: await robot.claimProof(owner.uid, {
            privateKey: generateKeyPairSync("ed25519").privateKey,
          }),
        },
      }),
      "forbidden",
      "claim_proof_bad_signature",
    ],
    [
      "a claim proof issued to another user",
      async ({ robot, owner }) => {
        const other = await seedUser(ctx);
        return {
          body: { robot_ruri: robot.ruri, user_uid: owner.uid, local_claim_proof: await robot.claimProof(other.uid) },
        };
      },
      "forbidden",
      "claim_proof_wrong_user",
    ],
    [
      "another robot's claim proof",
      async ({ robot, owner }) => {
        const second = await seedRobot(ctx, { ownerUid: owner.uid });
        return {
          body: { robot_ruri: robot.ruri, user_uid: owner.uid, local_claim_proof: await second.claimProof(owner.uid) },
        };
      },
      "forbidden",
      "claim_proof_wrong_device",
    ],
    [
      "a malformed claim proof",
      async ({ robot, owner }) => ({
        body: { robot_ruri: robot.ruri, user_uid: owner.uid, local_claim_proof: "not-a-jws" },
      }),
      "invalid",
      "claim_proof_malformed",
    ],
    [
      "a malformed RURI",
      async ({ owner }) => ({
        body: {
          robot_ruri: "rcan://local.rcan/discovered/192.168.1.42:8080",
          user_uid: owner.uid,
          local_claim_proof: "a.b.c",
        },
      }),
      "invalid",
      "invalid_ruri",
    ],
    [
      "a missing field",
      async ({ robot }) => ({ body: { robot_ruri: robot.ruri, local_claim_proof: "a.b.c" } }),
      "invalid",
      "invalid_input",
    ],
  ];

  it.each(cases)("refuses %s, audits the refusal and creates no session", async (_name, build, code, reason) => {
    const setup = await ownerWithRobot();
    const { body, actor } = await build(setup);
    await expect(verifyRemoteAccess(actor ?? setup.as, body)).rejects.toMatchObject({ code, reason });
    expect(await ctx.db.count(RemoteSessions)).toBe(0);
    const [entry] = await auditOf(ctx, "remote.verify");
    expect(entry).toMatchObject({ outcome: "denied", details: { code, reason } });
  });

  it("refuses a signed-out caller", async () => {
    ctx = createTestContext();
    await expect(verifyRemoteAccess(ctx, {})).rejects.toMatchObject({ code: "unauthenticated" });
  });

  it("limits verify attempts per user", async () => {
    const { owner, robot, as } = await ownerWithRobot();
    const body = { robot_ruri: robot.ruri, user_uid: owner.uid, local_claim_proof: "bad" };
    for (let i = 0; i < 20; i++) await expect(verifyRemoteAccess(as, body)).rejects.toMatchObject({ code: "invalid" });
    await expect(verifyRemoteAccess(as, body)).rejects.toMatchObject({ code: "rate_limited" });
  });

  it("refuses a robot whose key was reset", async () => {
    const { owner, robot, as } = await ownerWithRobot();
    await ctx.db.update(Robots, robot.deviceId, { public_key: null });
    const body = { robot_ruri: robot.ruri, user_uid: owner.uid, local_claim_proof: await robot.claimProof(owner.uid) };
    await expect(verifyRemoteAccess(as, body)).rejects.toMatchObject({
      code: "forbidden",
      reason: "robot_key_missing",
    });
  });
});

describe("session tokens", () => {
  const secret = "test-token-secret-0123456789";
  const now = new Date("2026-06-01T12:00:00.000Z");
  const claims = {
    userUid: "u1",
    sessionId: "rs_x",
    deviceId: "14d4b680",
    issuedAt: now,
    expiresAt: new Date(now.getTime() + 3600_000),
  };

  it("round-trips its claims", async () => {
    const token = await issueSessionToken(secret, claims);
    expect(await verifySessionToken(secret, token, now)).toMatchObject({ sub: "u1", sid: "rs_x", rid: "14d4b680" });
  });

  it.each([
    [
      "expired (at exp)",
      async () => [await issueSessionToken(secret, claims), new Date(now.getTime() + 3600_000)] as const,
      "token_expired",
    ],
    [
      "signed with another secret",
      async () => [await issueSessionToken("another-secret-0123456789abc", claims), now] as const,
      "token_invalid",
    ],
    [
      "tampered payload",
      async () => {
        const [h, , s] = (await issueSessionToken(secret, claims)).split(".");
        const payload = Buffer.from(
          JSON.stringify({ sub: "admin", sid: "rs_x", rid: "14d4b680", iat: 1, exp: 9e9 }),
        ).toString("base64url");
        return [`${h}.${payload}.${s}`, now] as const;
      },
      "token_invalid",
    ],
    [
      "another token type signed with the raw secret",
      async () => {
        const token = await new SignJWT({ sid: "rs_x", rid: "14d4b680" })
          .setProtectedHeader({ alg: "HS256", typ: "remote-session+jwt" })
          .setIssuer("continuon.cloud")
          .setAudience("continuon-relay")
          .setSubject("u1")
          .setIssuedAt()
          .setExpirationTime("1h")
          .sign(new TextEncoder().encode(secret));
        return [token, new Date()] as const;
      },
      "token_invalid",
    ],
    ["not a JWT", async () => ["hello", now] as const, "token_malformed"],
    ["empty", async () => ["", now] as const, "token_malformed"],
  ])("refuses a token %s", async (_name, build, reason) => {
    const [token, at] = await build();
    await expect(verifySessionToken(secret, token, at)).rejects.toMatchObject({ code: "unauthenticated", reason });
  });
});

describe("sessions: read, list, revoke, relay authorization, expiry", () => {
  async function openSession() {
    const setup = await ownerWithRobot();
    const result = await verifyRemoteAccess(setup.as, {
      robot_ruri: setup.robot.ruri,
      user_uid: setup.owner.uid,
      local_claim_proof: await setup.robot.claimProof(setup.owner.uid),
    });
    return { ...setup, result };
  }

  it("the session's user and admins read it; anyone else is told it does not exist", async () => {
    const { as, result } = await openSession();
    expect(await getRemoteSession(as, { session_id: result.session_id })).toMatchObject({
      status: "pending",
      live: null,
    });
    const admin = ctx.as(await seedUser(ctx, "admin"));
    expect((await getRemoteSession(admin, { session_id: result.session_id })).session_id).toBe(result.session_id);
    const stranger = ctx.as(await seedUser(ctx));
    await expect(getRemoteSession(stranger, { session_id: result.session_id })).rejects.toMatchObject({
      code: "not_found",
      reason: "session_not_found",
    });
  });

  it("shows the relay's live view and unwritten traffic through the runtime registry", async () => {
    const { as, result, robot, owner } = await openSession();
    const control: RelayControl = {
      instanceId: "relay-test",
      liveSession: (id) =>
        id === result.session_id
          ? {
              session_id: id,
              device_id: robot.deviceId,
              user_uid: owner.uid,
              client_connected: true,
              robot_connected: true,
              path: "relayed",
              connection_type: "tunnel",
              bytes_relayed: 900,
              messages_relayed: 9,
              pending_bytes: 400,
              pending_messages: 4,
              client_connected_at: ctx.now().toISOString(),
              instance: "relay-test",
            }
          : null,
      liveSessions: () => [],
      isRobotConnected: () => true,
      endSession: () => false,
    };
    ctx.services.registry.set(RELAY_CONTROL_KEY, control);
    await ctx.db.update(RemoteSessions, result.session_id, { bytes_relayed: 500, messages_relayed: 5 });
    const view = await getRemoteSession(as, { session_id: result.session_id });
    expect(view).toMatchObject({
      bytes_relayed: 900,
      messages_relayed: 9,
      path: "relayed",
      live: { robot_connected: true },
    });
  });

  it("lists the caller's sessions; only admins list every active one", async () => {
    const { as, result } = await openSession();
    expect((await listRemoteSessions(as)).sessions.map((s) => s.session_id)).toEqual([result.session_id]);
    await expect(listRemoteSessions(as, { scope: "active" })).rejects.toMatchObject({ code: "forbidden" });
    const admin = ctx.as(await seedUser(ctx, "admin"));
    expect((await listRemoteSessions(admin, { scope: "active" })).sessions).toHaveLength(1);
    expect((await listRemoteSessions(admin)).sessions).toHaveLength(0);
  });

  it("revocation ends the session once, tells the relay, audits, and the token no longer opens a connection", async () => {
    const { as, result, robot } = await openSession();
    const ended: string[] = [];
    ctx.services.registry.set(RELAY_CONTROL_KEY, {
      instanceId: "x",
      liveSession: () => null,
      liveSessions: () => [],
      isRobotConnected: () => false,
      endSession: (id: string) => ended.push(id) > 0,
    } satisfies RelayControl);
    const view = await revokeRemoteSession(as, { session_id: result.session_id });
    expect(view).toMatchObject({ status: "disconnected", active: false, ended_reason: "revoked" });
    expect(ended).toEqual([result.session_id]);
    expect(await revokeRemoteSession(as, { session_id: result.session_id })).toMatchObject({ ended_reason: "revoked" });
    expect(await auditOf(ctx, "remote.revoke")).toHaveLength(1);
    await expect(
      authorizeRelayClient(ctx, { token: result.session_token, pathDeviceId: robot.deviceId }),
    ).rejects.toMatchObject({ code: "forbidden", reason: "session_revoked" });
  });

  it("admins can end someone's session; other owners cannot", async () => {
    const { result } = await openSession();
    const stranger = ctx.as(await seedUser(ctx));
    await expect(revokeRemoteSession(stranger, { session_id: result.session_id })).rejects.toMatchObject({
      code: "not_found",
    });
    const adminUser = await seedUser(ctx, "admin");
    const view = await revokeRemoteSession(ctx.as(adminUser), { session_id: result.session_id });
    expect(view).toMatchObject({ ended_reason: "revoked", revoked_by: adminUser.uid });
  });

  it("authorizes a client for its own robot and session", async () => {
    const { result, robot, owner } = await openSession();
    const client = await authorizeRelayClient(ctx, { token: result.session_token, pathDeviceId: robot.deviceId });
    expect(client).toMatchObject({ sessionId: result.session_id, deviceId: robot.deviceId, userUid: owner.uid });
    expect(client.expiresAt.toISOString()).toBe(result.expires_at);
    expect(await authorizeRelayClient(ctx, { token: result.session_token, pathDeviceId: null })).toMatchObject({
      sessionId: result.session_id,
    });
  });

  it.each([
    ["a token for robot A used for robot B", "forbidden", "session_robot_mismatch"],
    ["an expired token", "unauthenticated", "token_expired"],
    ["a robot that changed hands", "forbidden", "ownership_changed"],
    ["an account that no longer exists", "forbidden", "account_missing"],
  ])("refuses a client with %s", async (name, code, reason) => {
    const { result, robot, owner } = await openSession();
    let path: string = robot.deviceId;
    if (name.includes("robot B")) path = (await seedRobot(ctx, { ownerUid: owner.uid })).deviceId;
    if (name.includes("expired")) ctx.clock.advance(SESSION_TTL_S * 1000);
    if (name.includes("changed hands")) await ctx.db.update(Robots, robot.deviceId, { owner_uid: "someone-else" });
    if (name.includes("account")) await ctx.db.delete({ name: "users", schema: undefined as never }, owner.uid);
    await expect(authorizeRelayClient(ctx, { token: result.session_token, pathDeviceId: path })).rejects.toMatchObject({
      code,
      reason,
    });
    if (name.includes("changed hands")) {
      expect((await ctx.db.require(RemoteSessions, result.session_id)).data.ended_reason).toBe("ownership_changed");
    }
  });

  it("the expiry backstop ends sessions nobody closed, once", async () => {
    const { result } = await openSession();
    expect(await expireRemoteSessions(ctx)).toBe(0);
    ctx.clock.advance(SESSION_TTL_S * 1000);
    expect(await expireRemoteSessions(ctx)).toBe(1);
    expect(await expireRemoteSessions(ctx)).toBe(0);
    const session = await ctx.db.require(RemoteSessions, result.session_id);
    expect(session.data).toMatchObject({ status: "disconnected", ended_reason: "expired_unused" });
    expect(await auditOf(ctx, "remote.expire")).toHaveLength(1);
  });
});
