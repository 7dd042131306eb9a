import { afterEach, describe, expect, it } from "vitest";
import { AuditLog } from "@/lib/audit/schemas";
import type { Actor } from "@/lib/context";
import { generateEd25519KeyPair, exportPublicKeyRaw } from "@/lib/crypto/ed25519-keys";
import { DomainError } from "@/lib/errors";
import { createTestContext, type TestContext } from "@/server/testing/create-test-context";
import { createProvisioningToken } from "./create-provisioning-token";
import { facetId } from "./facets";
import { getFleetOverview } from "./get-fleet-overview";
import { getRobot } from "./get-robot";
import { listProvisioningTokens } from "./list-provisioning-tokens";
import { lookupRobot } from "./lookup-robot";
import { updateRobot } from "./update-robot";
import { heartbeatPointId, recordHeartbeat } from "./record-heartbeat";
import { recordRobotNonce, robotNonceId } from "./record-robot-nonce";
import { registerRobot } from "./register-robot";
import { resetRobotKey } from "./reset-robot-key";
import { revokeProvisioningToken } from "./revoke-provisioning-token";
import { FleetFacets, HeartbeatPoints, ProvisioningTokens, RobotNonces, Robots } from "./schemas";
import { sweepHeartbeats } from "./sweep-heartbeats";
import { sweepRobotNonces } from "./sweep-robot-nonces";

const ADMIN: Actor = { kind: "user", uid: "admin-1", role: "admin", email: "admin@example.test" };
const OWNER: Actor = { kind: "user", uid: "owner-1", role: "owner", email: "owner@example.test" };
const OPERATOR: Actor = { kind: "user", uid: "op-1", role: "operator", email: "op@example.test" };

let ctx: TestContext;
afterEach(async () => {
  await ctx?.cleanup();
});

async function caught(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error("expected a DomainError");
}

function robotActor(deviceId: string): Actor {
  return { kind: "robot", deviceId };
}

async function token(input: Record<string, unknown> = {}) {
  return createProvisioningToken(ctx.as(ADMIN), { model: "companion-v1", ...input });
}

function registration(deviceId: string, provisioningToken: string, extra: Record<string, unknown> = {}) {
  const publicKey = exportPublicKeyRaw(generateEd25519KeyPair().publicKey);
  return {
    provisioning_token: provisioningToken,
    ruri: `rcan://continuon.cloud/continuon/companion-v1/${deviceId}`,
    public_key: publicKey,
    name: `Robot ${deviceId}`,
    firmware_version: "1.0.0",
    ...extra,
  };
}

async function register(deviceId: string, provisioningToken: string, extra: Record<string, unknown> = {}) {
  const input = registration(deviceId, provisioningToken, extra);
  const result = await registerRobot(ctx.as(robotActor(deviceId)), input);
  return { ...result, input };
}

describe("provisioning tokens", () => {
  it("are shown once, stored hashed, listed and revoked (audited)", async () => {
    ctx = createTestContext();
    const created = await token({ label: "Lab fleet", max_uses: 3 });
    expect(created.token).toMatch(/^cpt_[A-Za-z0-9_-]{43}$/);
    expect(created.record).toMatchObject({ model: "companion-v1", state: "active", use_count: 0, max_uses: 3 });
    const stored = await ctx.db.require(ProvisioningTokens, created.record.token_id);
    expect(JSON.stringify(stored.data)).not.toContain(created.token);
    expect(created.record.token_id).toMatch(/^[0-9a-f]{64}$/);

    const listed = await listProvisioningTokens(ctx.as(ADMIN));
    expect(listed.tokens.map((view) => view.token_id)).toEqual([created.record.token_id]);
    expect(JSON.stringify(listed)).not.toContain(created.token);

    const revoked = await revokeProvisioningToken(ctx.as(ADMIN), { token_id: created.record.token_id });
    expect(revoked.state).toBe("revoked");
    const again = await revokeProvisioningToken(ctx.as(ADMIN), { token_id: created.record.token_id });
    expect(again.revoked_at).toBe(revoked.revoked_at);
    const audit = await ctx.db.query(AuditLog, { orderBy: { field: "at", direction: "desc" } });
    expect(audit.docs.map((doc) => doc.data.action).sort()).toEqual([
      "provisioning_token.create",
      "provisioning_token.revoke",
    ]);
  });

  const refusals: Array<{ name: string; actor: Actor; input: Record<string, unknown>; code: string; reason: string }> =
    [
      { name: "an owner", actor: OWNER, input: { model: "companion-v1" }, code: "forbidden", reason: "role_required" },
      {
        name: "an operator",
        actor: OPERATOR,
        input: { model: "companion-v1" },
        code: "forbidden",
        reason: "role_required",
      },
      {
        name: "a model with capitals",
        actor: ADMIN,
        input: { model: "Companion" },
        code: "invalid",
        reason: "invalid_input",
      },
      {
        name: "an expiry in the past",
        actor: ADMIN,
        input: { model: "companion-v1", expires_at: "2020-01-01T00:00:00Z" },
        code: "invalid",
        reason: "invalid_input",
      },
      {
        name: "zero uses",
        actor: ADMIN,
        input: { model: "companion-v1", max_uses: 0 },
        code: "invalid",
        reason: "invalid_input",
      },
    ];
  for (const refusal of refusals) {
    it(`creation is refused for ${refusal.name}`, async () => {
      ctx = createTestContext();
      const error = await caught(createProvisioningToken(ctx.as(refusal.actor), refusal.input));
      expect({ code: error.code, reason: error.reason }).toEqual({ code: refusal.code, reason: refusal.reason });
      expect(await ctx.db.count(ProvisioningTokens)).toBe(0);
    });
  }
});

describe("registerRobot", () => {
  it("creates the registry document, uses the token once and counts the model and firmware", async () => {
    ctx = createTestContext();
    const { token: secret, record } = await token();
    const { robot, created, input } = await register("14d4b680", secret, {
      capabilities: ["arm", "camera"],
      legacy_id: "brain-1765843752",
      tags: ["Lab"],
    });
    expect(created).toBe(true);
    expect(robot).toMatchObject({
      device_id: "14d4b680",
      ruri: "rcan://continuon.cloud/continuon/companion-v1/14d4b680",
      manufacturer: "continuon",
      model: "companion-v1",
      status: "online",
      owner_uid: null,
      claimed: false,
      public_key: input.public_key,
      firmware_version: "1.0.0",
      legacy_ids: ["brain-1765843752"],
      tags: ["lab"],
      capabilities: ["arm", "camera"],
      heartbeat_interval_s: 60,
    });
    expect(robot.key_fingerprint).toMatch(/^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
    expect((await ctx.db.require(ProvisioningTokens, record.token_id)).data.use_count).toBe(1);
    expect((await ctx.db.require(FleetFacets, facetId("model", "companion-v1"))).data.count).toBe(1);
    expect((await ctx.db.require(FleetFacets, facetId("firmware", "1.0.0"))).data.count).toBe(1);

    const again = await registerRobot(ctx.as(robotActor("14d4b680")), input);
    expect(again.created).toBe(false);
    expect((await ctx.db.require(ProvisioningTokens, record.token_id)).data.use_count).toBe(1);
  });

  it("refuses bad registrations and changes nothing", async () => {
    ctx = createTestContext();
    const active = await token();
    const revoked = await token();
    await revokeProvisioningToken(ctx.as(ADMIN), { token_id: revoked.record.token_id });
    const expiring = await token({ expires_at: new Date(ctx.now().getTime() + 60_000).toISOString() });
    const single = await token({ max_uses: 1 });
    const otherModel = await token({ model: "rover-x" });
    const otherMaker = await token({ manufacturer: "acme" });
    await register("aaaaaaaa", single.token);
    await register("bbbbbbbb", active.token);
    ctx.clock.advance(61_000);

    const cases: Array<{ name: string; actor: string; input: Record<string, unknown>; code: string; reason: string }> =
      [
        {
          name: "unknown token",
          actor: "cccccccc",
          input: registration("cccccccc", "cpt_not-a-token-at-all"),
          code: "unauthenticated",
          reason: "provisioning_token_unknown",
        },
        {
          name: "revoked token",
          actor: "cccccccc",
          input: registration("cccccccc", revoked.token),
          code: "forbidden",
          reason: "provisioning_token_revoked",
        },
        {
          name: "expired token",
          actor: "cccccccc",
          input: registration("cccccccc", expiring.token),
          code: "forbidden",
          reason: "provisioning_token_expired",
        },
        {
          name: "exhausted token",
          actor: "cccccccc",
          input: registration("cccccccc", single.token),
          code: "forbidden",
          reason: "provisioning_token_exhausted",
        },
        {
          name: "token for another model",
          actor: "cccccccc",
          input: registration("cccccccc", otherModel.token),
          code: "forbidden",
          reason: "provisioning_token_wrong_model",
        },
        {
          name: "token for another manufacturer",
          actor: "cccccccc",
          input: registration("cccccccc", otherMaker.token),
          code: "forbidden",
          reason: "provisioning_token_wrong_model",
        },
        {
          name: "device id taken by another key",
          actor: "bbbbbbbb",
          input: registration("bbbbbbbb", active.token),
          code: "conflict",
          reason: "device_id_taken",
        },
        {
          name: "device id taken under another RURI",
          actor: "bbbbbbbb",
          input: registration("bbbbbbbb", active.token, {
            ruri: "rcan://continuon.cloud/other/companion-v1/bbbbbbbb",
          }),
          code: "conflict",
          reason: "device_id_taken",
        },
        {
          name: "a robot registering another robot's id",
          actor: "dddddddd",
          input: registration("cccccccc", active.token),
          code: "forbidden",
          reason: "robot_mismatch",
        },
        {
          name: "the discovery placeholder RURI",
          actor: "cccccccc",
          input: registration("cccccccc", active.token, { ruri: "rcan://local.rcan/discovered/192.168.1.42:8080" }),
          code: "invalid",
          reason: "invalid_ruri",
        },
        {
          name: "an unknown device id",
          actor: "cccccccc",
          input: registration("cccccccc", active.token, {
            ruri: "rcan://continuon.cloud/continuon/companion-v1/unknown",
          }),
          code: "invalid",
          reason: "invalid_ruri",
        },
        {
          name: "the 5-segment SDK form",
          actor: "cccccccc",
          input: registration("cccccccc", active.token, {
            ruri: "rcan://continuon.cloud/continuon/companion-v1/v2/cccccccc",
          }),
          code: "invalid",
          reason: "invalid_ruri",
        },
        {
          name: "a short public key",
          actor: "cccccccc",
          input: registration("cccccccc", active.token, { public_key: "AAAA" }),
          code: "invalid",
          reason: "invalid_public_key",
        },
        {
          name: "a bad legacy alias",
          actor: "cccccccc",
          input: registration("cccccccc", active.token, { legacy_id: "brain-x" }),
          code: "invalid",
          reason: "invalid_alias",
        },
        {
          name: "a user instead of a robot",
          actor: "user",
          input: registration("cccccccc", active.token),
          code: "unauthenticated",
          reason: "robot_signature_required",
        },
      ];
    const before = {
      robots: await ctx.db.count(Robots),
      audit: await ctx.db.count(AuditLog),
      uses: (await ctx.db.require(ProvisioningTokens, active.record.token_id)).data.use_count,
      bKey: (await ctx.db.require(Robots, "bbbbbbbb")).data.public_key,
    };
    for (const testCase of cases) {
      const actor = testCase.actor === "user" ? OWNER : robotActor(testCase.actor);
      const error = await caught(registerRobot(ctx.as(actor), testCase.input));
      expect({ name: testCase.name, code: error.code, reason: error.reason }).toEqual({
        name: testCase.name,
        code: testCase.code,
        reason: testCase.reason,
      });
    }
    expect({
      robots: await ctx.db.count(Robots),
      audit: await ctx.db.count(AuditLog),
      uses: (await ctx.db.require(ProvisioningTokens, active.record.token_id)).data.use_count,
      bKey: (await ctx.db.require(Robots, "bbbbbbbb")).data.public_key,
    }).toEqual(before);
  });

  it("after an admin reset, registers a new key only with the reset's one-time re-enrolment token", async () => {
    ctx = createTestContext();
    const { token: secret, record } = await token();
    const first = await register("14d4b680", secret);
    await ctx.db.update(Robots, "14d4b680", { owner_uid: "owner-1" });
    const reset = await resetRobotKey(ctx.as(ADMIN), { device_id: "14d4b680", reason: "re-flashed" });
    expect(reset.robot).toMatchObject({ public_key: null, status: "offline", owner_uid: "owner-1" });
    expect(reset.reenrolment_token).toMatch(/^cre_[A-Za-z0-9_-]{43}$/);
    expect(reset.reenrolment_expires_at).toBe(new Date(ctx.now().getTime() + 72 * 3600_000).toISOString());
    expect(reset.robot.reenrolment_expires_at).toBe(reset.reenrolment_expires_at);
    const stored = await ctx.db.require(Robots, "14d4b680");
    expect(JSON.stringify(stored.data)).not.toContain(reset.reenrolment_token);
    expect(await caught(resetRobotKey(ctx.as(OWNER), { device_id: "14d4b680" }))).toMatchObject({
      code: "forbidden",
      reason: "role_required",
    });

    // A provisioning token for the model no longer registers that device id.
    const unchanged = async () => (await ctx.db.require(Robots, "14d4b680")).revision;
    const revision = await unchanged();
    expect(await caught(register("14d4b680", secret, { firmware_version: "2.0.0" }))).toMatchObject({
      code: "forbidden",
      reason: "reenrolment_required",
    });
    const reenrol = (tokenValue: string, extra: Record<string, unknown> = {}) =>
      register("14d4b680", secret, { provisioning_token: undefined, reenrolment_token: tokenValue, ...extra });
    for (const wrong of [`cre_${"A".repeat(43)}`, secret]) {
      expect(await caught(reenrol(wrong))).toMatchObject({ code: "forbidden", reason: "reenrolment_token_invalid" });
    }
    // Bound to its device id: another robot cannot spend it.
    expect(
      await caught(
        registerRobot(ctx.as(robotActor("aaaaaaaa")), {
          ...registration("aaaaaaaa", secret),
          provisioning_token: undefined,
          reenrolment_token: reset.reenrolment_token,
        }),
      ),
    ).toMatchObject({ code: "forbidden", reason: "reenrolment_token_invalid" });
    expect(await unchanged()).toBe(revision);
    expect(await ctx.db.get(Robots, "aaaaaaaa")).toBeNull();

    const second = await reenrol(reset.reenrolment_token, { firmware_version: "2.0.0" });
    expect(second.created).toBe(false);
    expect(second.robot.public_key).toBe(second.input.public_key);
    expect(second.robot.public_key).not.toBe(first.robot.public_key);
    expect(second.robot).toMatchObject({ owner_uid: null, claimed: false, reenrolment_expires_at: null });
    expect(second.robot.key_history.map((event) => [event.kind, event.by])).toEqual([
      ["registered", record.token_id],
      ["reset", ADMIN.uid],
      ["reenrolled", ADMIN.uid],
    ]);
    expect((await ctx.db.require(ProvisioningTokens, record.token_id)).data.use_count).toBe(1);
    expect((await ctx.db.require(FleetFacets, facetId("firmware", "1.0.0"))).data.count).toBe(0);
    expect((await ctx.db.require(FleetFacets, facetId("firmware", "2.0.0"))).data.count).toBe(1);

    // Retrying with the same key answers the registry unchanged; the spent token registers nothing else.
    const retry = await registerRobot(ctx.as(robotActor("14d4b680")), second.input);
    expect(retry).toMatchObject({ created: false, robot: { public_key: second.robot.public_key } });
    expect(await caught(reenrol(reset.reenrolment_token))).toMatchObject({ reason: "reenrolment_token_invalid" });

    const audit = (await ctx.db.query(AuditLog, {})).docs.map((doc) => ({
      action: doc.data.action,
      details: doc.data.details,
    }));
    const robotActions = audit.filter((entry) => entry.action.startsWith("robot."));
    expect(robotActions.map((entry) => entry.action).sort()).toEqual([
      "robot.key_reset",
      "robot.reenrol",
      "robot.register",
    ]);
    expect(robotActions.find((entry) => entry.action === "robot.key_reset")?.details).toMatchObject({
      owner_uid: "owner-1",
      reason: "re-flashed",
      reissued: false,
    });
    expect(robotActions.find((entry) => entry.action === "robot.reenrol")?.details).toMatchObject({
      previous_owner_uid: "owner-1",
      ownership_ended: true,
      reenrolment_issued_by: ADMIN.uid,
    });
  });

  it("a re-enrolment token expires, and a second reset replaces it", async () => {
    ctx = createTestContext();
    const { token: secret } = await token();
    await register("14d4b680", secret);
    const reenrol = (tokenValue: string) =>
      register("14d4b680", secret, { provisioning_token: undefined, reenrolment_token: tokenValue });
    const lost = await resetRobotKey(ctx.as(ADMIN), { device_id: "14d4b680" });
    const again = await resetRobotKey(ctx.as(ADMIN), { device_id: "14d4b680", reason: "token lost" });
    expect(again.reenrolment_token).not.toBe(lost.reenrolment_token);
    expect(await caught(reenrol(lost.reenrolment_token))).toMatchObject({ reason: "reenrolment_token_invalid" });
    ctx.clock.advance(72 * 3600_000);
    expect(await caught(reenrol(again.reenrolment_token))).toMatchObject({ reason: "reenrolment_token_invalid" });
    expect((await ctx.db.require(Robots, "14d4b680")).data.public_key).toBeNull();
    const third = await resetRobotKey(ctx.as(ADMIN), { device_id: "14d4b680" });
    expect((await reenrol(third.reenrolment_token)).robot.key_history.map((event) => event.kind)).toEqual([
      "registered",
      "reset",
      "reset",
      "reset",
      "reenrolled",
    ]);
  });
});

describe("recordHeartbeat", () => {
  it("keeps the robot online for 3 intervals, then shows it offline without any write", async () => {
    ctx = createTestContext();
    const { token: secret } = await token();
    await register("14d4b680", secret);
    const robot = ctx.as(robotActor("14d4b680"));
    const answer = await recordHeartbeat(robot, { battery: 0.5, metrics: { cpu: 12.5 }, status: "online" });
    expect(answer).toEqual({
      server_time: ctx.now().toISOString(),
      next_heartbeat_s: 60,
      status: "online",
      pending: {},
    });
    const revision = (await ctx.db.require(Robots, "14d4b680")).revision;
    ctx.clock.advance(179_000);
    expect((await lookupRobot(robot, { ruri: "14d4b680" })).status).toBe("online");
    ctx.clock.advance(1_000);
    expect((await lookupRobot(robot, { ruri: "14d4b680" })).status).toBe("offline");
    expect((await ctx.db.require(Robots, "14d4b680")).revision).toBe(revision);
    await recordHeartbeat(robot, { status: "sleeping" });
    expect((await lookupRobot(robot, { ruri: "14d4b680" })).status).toBe("sleeping");
    await recordHeartbeat(robot, { status: "offline" });
    expect((await lookupRobot(robot, { ruri: "14d4b680" })).status).toBe("offline");
  });

  it("records one history point per minute, kept 24 hours, and moves firmware counters", async () => {
    ctx = createTestContext();
    const { token: secret } = await token();
    await register("14d4b680", secret);
    const robot = ctx.as(robotActor("14d4b680"));
    await recordHeartbeat(robot, { battery: 0.9 });
    ctx.clock.advance(20_000);
    await recordHeartbeat(robot, { battery: 0.8 });
    ctx.clock.advance(60_000);
    await recordHeartbeat(robot, { battery: 0.7, firmware_version: "1.1.0" });
    const points = await ctx.db.query(HeartbeatPoints, {});
    expect(points.docs.map((doc) => doc.data.battery)).toEqual([0.8, 0.7]);
    expect(heartbeatPointId("14d4b680", new Date("2026-06-01T12:01:00Z"))).toBe("14d4b680_202606011201");
    expect((await ctx.db.require(FleetFacets, facetId("firmware", "1.0.0"))).data.count).toBe(0);
    expect((await ctx.db.require(FleetFacets, facetId("firmware", "1.1.0"))).data.count).toBe(1);

    const detail = await getRobot(ctx.as(ADMIN), { device_id: "14d4b680" });
    expect(detail.heartbeats.map((point) => point.battery)).toEqual([0.8, 0.7]);
    expect(detail.robot).toMatchObject({ battery: 0.7, firmware_version: "1.1.0" });

    ctx.clock.advance(24 * 3600_000 - 59_000);
    expect(await sweepHeartbeats(ctx)).toBe(1);
    expect(await sweepHeartbeats(ctx)).toBe(0);
    expect(await ctx.db.count(HeartbeatPoints)).toBe(1);
  });

  it("refuses a robot naming another robot and bad bodies, changing nothing", async () => {
    ctx = createTestContext();
    const { token: secret } = await token();
    await register("14d4b680", secret);
    const robot = ctx.as(robotActor("14d4b680"));
    const before = await ctx.db.require(Robots, "14d4b680");
    const cases: Array<{ name: string; input: unknown; code: string; reason: string }> = [
      { name: "another device_id", input: { device_id: "aaaaaaaa" }, code: "forbidden", reason: "robot_mismatch" },
      {
        name: "another robot's RURI",
        input: { ruri: "rcan://continuon.cloud/continuon/companion-v1/aaaaaaaa" },
        code: "forbidden",
        reason: "robot_mismatch",
      },
      { name: "battery above 1", input: { battery: 87 }, code: "invalid", reason: "invalid_input" },
      { name: "unknown status", input: { status: "busy" }, code: "invalid", reason: "invalid_input" },
      { name: "a metric that is text", input: { metrics: { cpu: "high" } }, code: "invalid", reason: "invalid_input" },
    ];
    for (const testCase of cases) {
      const error = await caught(recordHeartbeat(robot, testCase.input));
      expect({ name: testCase.name, code: error.code, reason: error.reason }).toEqual({
        name: testCase.name,
        code: testCase.code,
        reason: testCase.reason,
      });
    }
    expect((await ctx.db.require(Robots, "14d4b680")).revision).toBe(before.revision);
    expect(await ctx.db.count(HeartbeatPoints)).toBe(0);
  });
});

describe("recordRobotNonce", () => {
  it("refuses a nonce seen in its window, forgets it after, and sweeps", async () => {
    ctx = createTestContext();
    const expiresAt = new Date(ctx.now().getTime() + 300_000);
    await recordRobotNonce(ctx, { deviceId: "14d4b680", nonce: "nonce-0001", expiresAt });
    await recordRobotNonce(ctx, { deviceId: "aaaaaaaa", nonce: "nonce-0001", expiresAt });
    expect(await caught(recordRobotNonce(ctx, { deviceId: "14d4b680", nonce: "nonce-0001", expiresAt }))).toMatchObject(
      { code: "unauthenticated", reason: "nonce_replayed" },
    );
    ctx.clock.advance(300_001);
    await recordRobotNonce(ctx, {
      deviceId: "14d4b680",
      nonce: "nonce-0001",
      expiresAt: new Date(ctx.now().getTime() + 300_000),
    });
    expect(await ctx.db.get(RobotNonces, robotNonceId("14d4b680", "nonce-0001"))).not.toBeNull();
    expect(await sweepRobotNonces(ctx)).toBe(1);
    expect(await ctx.db.count(RobotNonces)).toBe(1);
  });
});

describe("lookupRobot and the fleet overview", () => {
  it("shows owners only their robots, robots the public part of others, operators everything", async () => {
    ctx = createTestContext();
    const { token: secret } = await token();
    await register("14d4b680", secret, { legacy_id: "brain-1765843752" });
    await register("aaaaaaaa", secret);
    await ctx.db.update(Robots, "14d4b680", { owner_uid: "owner-1" });

    expect(
      await lookupRobot(ctx.as(OWNER), { ruri: "rcan://continuon.cloud/continuon/companion-v1/14d4b680" }),
    ).toHaveProperty("public_key");
    expect(await lookupRobot(ctx.as(OWNER), { ruri: "brain-1765843752" })).toMatchObject({ device_id: "14d4b680" });
    for (const reference of ["aaaaaaaa", "rcan://continuon.cloud/continuon/companion-v1/aaaaaaaa", "bbbbbbbb"]) {
      expect(await caught(lookupRobot(ctx.as(OWNER), { ruri: reference }))).toMatchObject({
        code: "not_found",
        reason: "robot_not_found",
      });
    }
    expect(
      await caught(lookupRobot(ctx.as(OWNER), { ruri: "rcan://continuon.cloud/other/companion-v1/14d4b680" })),
    ).toMatchObject({ code: "not_found" });
    // Another robot, or another owner, sees a private robot exactly as an unknown one.
    const OTHER_OWNER: Actor = { kind: "user", uid: "owner-2", role: "owner", email: "o2@example.test" };
    const unknownAnswer = await caught(lookupRobot(ctx.as(robotActor("aaaaaaaa")), { ruri: "bbbbbbbb" }));
    for (const actor of [robotActor("aaaaaaaa"), OTHER_OWNER]) {
      for (const reference of [
        "14d4b680",
        "rcan://continuon.cloud/continuon/companion-v1/14d4b680",
        "brain-1765843752",
      ]) {
        const hidden = await caught(lookupRobot(ctx.as(actor), { ruri: reference }));
        expect({ code: hidden.code, reason: hidden.reason }).toEqual({ code: "not_found", reason: "robot_not_found" });
      }
    }
    expect({ code: unknownAnswer.code, reason: unknownAnswer.reason }).toEqual({
      code: "not_found",
      reason: "robot_not_found",
    });
    // Its owner publishes it: others see the public part, never the owner, key or endpoint.
    await updateRobot(ctx.as(OWNER), { device_id: "14d4b680", lookup_visibility: "public" });
    for (const actor of [robotActor("aaaaaaaa"), OTHER_OWNER]) {
      const peer = await lookupRobot(ctx.as(actor), { ruri: "14d4b680" });
      expect(Object.keys(peer).sort()).toEqual(
        [
          "capabilities",
          "claimed",
          "device_id",
          "manufacturer",
          "model",
          "name",
          "registered_at",
          "ruri",
          "status",
        ].sort(),
      );
      expect(peer).toMatchObject({ device_id: "14d4b680", claimed: true, status: "online" });
    }
    expect(
      await caught(updateRobot(ctx.as(OTHER_OWNER), { device_id: "14d4b680", lookup_visibility: "private" })),
    ).toMatchObject({
      code: "not_found",
      reason: "robot_not_found",
    });
    expect((await ctx.db.require(Robots, "14d4b680")).data.lookup_visibility).toBe("public");
    expect(await lookupRobot(ctx.as(OPERATOR), { ruri: "aaaaaaaa" })).toHaveProperty("owner_uid", null);
    expect(
      await caught(lookupRobot(ctx.as(OWNER), { ruri: "rcan://local.rcan/discovered/192.168.1.42:8080" })),
    ).toMatchObject({
      code: "invalid",
      reason: "invalid_ruri",
    });
    expect(await caught(lookupRobot(ctx, { ruri: "14d4b680" }))).toMatchObject({ code: "unauthenticated" });

    const fleet = await getFleetOverview(ctx.as(OPERATOR));
    expect(fleet).toMatchObject({ scope: "fleet", total: 2, online: 2, offline: 0, unclaimed: 1 });
    expect(fleet.byModel).toEqual([{ value: "companion-v1", count: 2 }]);
    expect(fleet.byFirmware).toEqual([{ value: "1.0.0", count: 2 }]);
    ctx.clock.advance(181_000);
    expect(await getFleetOverview(ctx.as(OPERATOR))).toMatchObject({ online: 0, offline: 2 });
  });
});
