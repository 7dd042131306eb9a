import { afterEach, describe, expect, it } from "vitest";
import { AuditLog } from "@/lib/audit/schemas";
import type { Actor } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { Users } from "@/lib/users/schemas";
import { createTestContext, type TestContext } from "@/server/testing/create-test-context";
import { createRobotIdentity, type RobotIdentity } from "@/tools/robot-client/identity";
import { signClaimProof } from "@/tools/robot-client/sign";
import { claimRobot } from "./claim-robot";
import { createProvisioningToken } from "./create-provisioning-token";
import { getFleetOverview } from "./get-fleet-overview";
import { registerRobot } from "./register-robot";
import { resetRobotKey } from "./reset-robot-key";
import { ClaimRecords, Robots } from "./schemas";

const ADMIN: Actor = { kind: "user", uid: "admin-1", role: "admin", email: "admin@example.test" };
const ALICE: Actor = { kind: "user", uid: "alice", role: "owner", email: "alice@example.test" };
const BOB: Actor = { kind: "user", uid: "bob", role: "owner", email: "bob@example.test" };

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

async function setup(): Promise<{ robot: RobotIdentity; nowS: number }> {
  ctx = createTestContext();
  for (const user of [ALICE, BOB, ADMIN]) {
    if (user.kind !== "user") continue;
    await ctx.db.create(Users, user.uid, {
      email: user.email,
      display_name: user.uid,
      role: user.role,
      created_at: ctx.now().toISOString(),
      robots: [],
      auth_provider: "local",
      last_sign_in_at: null,
    });
  }
  const { token } = await createProvisioningToken(ctx.as(ADMIN), { model: "companion-v1" });
  const robot = createRobotIdentity({ deviceId: "14d4b680" });
  await registerRobot(ctx.as({ kind: "robot", deviceId: robot.deviceId }), {
    provisioning_token: token,
    ruri: robot.ruri,
    public_key: robot.publicKey,
  });
  return { robot, nowS: Math.floor(ctx.now().getTime() / 1000) };
}

function proof(robot: RobotIdentity, userUid: string, iat: number, jti?: string): string {
  return signClaimProof({
    deviceId: robot.deviceId,
    ruri: robot.ruri,
    userUid,
    privateKey: robot.privateKey,
    iat,
    jti,
  });
}

async function ownership() {
  const robot = await ctx.db.require(Robots, "14d4b680");
  const alice = await ctx.db.require(Users, "alice");
  const bob = await ctx.db.require(Users, "bob");
  return { owner: robot.data.owner_uid, alice: alice.data.robots, bob: bob.data.robots };
}

describe("claimRobot", () => {
  it("makes the caller the owner, keeps users in step, transfers to a newer proof and audits", async () => {
    const { robot, nowS } = await setup();
    const claimed = await claimRobot(ctx.as(ALICE), { local_claim_proof: proof(robot, "alice", nowS - 10) });
    expect(claimed).toMatchObject({ transferred_from: null, already_owner: false });
    expect(claimed.robot).toMatchObject({ owner_uid: "alice", claimed: true });
    expect(await ownership()).toEqual({ owner: "alice", alice: ["14d4b680"], bob: [] });
    expect(await getFleetOverview(ctx.as(ALICE))).toMatchObject({ scope: "mine", total: 1, online: 1 });
    expect(await getFleetOverview(ctx.as(BOB))).toMatchObject({ scope: "mine", total: 0 });

    const transferred = await claimRobot(ctx.as(BOB), { local_claim_proof: proof(robot, "bob", nowS - 5) });
    expect(transferred.transferred_from).toBe("alice");
    expect(await ownership()).toEqual({ owner: "bob", alice: [], bob: ["14d4b680"] });

    const again = await claimRobot(ctx.as(BOB), { local_claim_proof: proof(robot, "bob", nowS) });
    expect(again.already_owner).toBe(true);
    expect(await ownership()).toEqual({ owner: "bob", alice: [], bob: ["14d4b680"] });

    const actions = (await ctx.db.query(AuditLog, { orderBy: { field: "at", direction: "desc" } })).docs
      .map((doc) => `${doc.data.action}:${doc.data.outcome}`)
      .filter((action) => action.startsWith("robot.claim") || action.startsWith("robot.transfer"))
      .sort();
    expect(actions).toEqual(["robot.claim:success", "robot.claim:success", "robot.transfer:success"]);
  });

  it("refuses forged, misdirected, older and replayed proofs, changing nothing but a denied audit entry", async () => {
    const { robot, nowS } = await setup();
    const accepted = proof(robot, "alice", nowS - 10, "jti-accepted");
    await claimRobot(ctx.as(ALICE), { local_claim_proof: accepted });
    const impostor = createRobotIdentity({ deviceId: "14d4b680" });
    const [header, payload] = accepted.split(".");
    const cases: Array<{ name: string; actor: Actor; proof: string; code: string; reason: string }> = [
      {
        name: "forged (signed by another key)",
        actor: BOB,
        proof: proof(impostor, "bob", nowS),
        code: "forbidden",
        reason: "claim_proof_bad_signature",
      },
      {
        name: "tampered payload",
        actor: BOB,
        proof: `${header}.${Buffer.from(JSON.stringify({ iss: "14d4b680", sub: "bob", ruri: robot.ruri, iat: nowS, jti: "x" })).toString("base64url")}.${accepted.split(".")[2]}`,
        code: "forbidden",
        reason: "claim_proof_bad_signature",
      },
      {
        name: "for another user",
        actor: BOB,
        proof: proof(robot, "alice", nowS),
        code: "forbidden",
        reason: "claim_proof_wrong_user",
      },
      {
        name: "older than the accepted one",
        actor: BOB,
        proof: proof(robot, "bob", nowS - 20),
        code: "conflict",
        reason: "claim_proof_stale",
      },
      {
        name: "as old as the accepted one",
        actor: BOB,
        proof: proof(robot, "bob", nowS - 10),
        code: "conflict",
        reason: "claim_proof_stale",
      },
      { name: "replayed", actor: ALICE, proof: accepted, code: "conflict", reason: "claim_proof_replayed" },
      {
        name: "from the future",
        actor: BOB,
        proof: proof(robot, "bob", nowS + 3600),
        code: "invalid",
        reason: "claim_proof_from_future",
      },
      { name: "not a JWS", actor: BOB, proof: "hello", code: "invalid", reason: "claim_proof_malformed" },
      {
        name: "for an unregistered robot",
        actor: BOB,
        proof: proof(createRobotIdentity({ deviceId: "aaaaaaaa" }), "bob", nowS),
        code: "forbidden",
        reason: "claim_proof_bad_signature",
      },
      {
        name: "a bad header",
        actor: BOB,
        proof: `${Buffer.from(JSON.stringify({ alg: "HS256", typ: "rcan-claim+jwt", kid: "14d4b680" })).toString("base64url")}.${payload}.AAAA`,
        code: "invalid",
        reason: "claim_proof_bad_header",
      },
    ];
    const before = { ...(await ownership()), record: (await ctx.db.require(ClaimRecords, "14d4b680")).data };
    for (const testCase of cases) {
      const error = await caught(claimRobot(ctx.as(testCase.actor), { local_claim_proof: testCase.proof }));
      expect({ name: testCase.name, code: error.code, reason: error.reason }).toEqual({
        name: testCase.name,
        code: testCase.code,
        reason: testCase.reason,
      });
    }
    expect({ ...(await ownership()), record: (await ctx.db.require(ClaimRecords, "14d4b680")).data }).toEqual(before);
    const denied = (await ctx.db.query(AuditLog, { orderBy: { field: "at", direction: "desc" } })).docs.filter(
      (doc) => doc.data.outcome === "denied",
    );
    expect(denied.map((doc) => doc.data.details.reason).sort()).toEqual(
      [
        "claim_proof_bad_signature",
        "claim_proof_bad_signature",
        "claim_proof_bad_signature",
        "claim_proof_replayed",
        "claim_proof_stale",
        "claim_proof_stale",
        "claim_proof_wrong_user",
      ].sort(),
    );
  });

  it("refuses a claim while the robot's key is reset, as it refuses a forged proof or an unknown robot", async () => {
    const { robot, nowS } = await setup();
    await resetRobotKey(ctx.as(ADMIN), { device_id: "14d4b680" });
    const stranger = createRobotIdentity({ deviceId: "bbbbbbbb" });
    const answers = [];
    for (const identity of [robot, stranger]) {
      const error = await caught(claimRobot(ctx.as(ALICE), { local_claim_proof: proof(identity, "alice", nowS) }));
      answers.push({
        code: error.code,
        reason: error.reason,
        message: error.message.replace(identity.deviceId, "<id>"),
      });
    }
    expect(answers).toEqual([
      {
        code: "forbidden",
        reason: "claim_proof_bad_signature",
        message: "local_claim_proof signature does not verify with the key registered for <id>",
      },
      answers[0],
    ]);
    expect(await ownership()).toEqual({ owner: null, alice: [], bob: [] });
  });

  it("a key reset hands the robot to no new key: only the re-enrolment token registers it, unowned until claimed again", async () => {
    const { robot, nowS } = await setup();
    await claimRobot(ctx.as(ALICE), { local_claim_proof: proof(robot, "alice", nowS - 10) });
    const { reenrolment_token } = await resetRobotKey(ctx.as(ADMIN), { device_id: "14d4b680", reason: "re-flashed" });

    // Anyone holding a provisioning token for the model tries to take the device id with their key.
    const { token } = await createProvisioningToken(ctx.as(ADMIN), { model: "companion-v1" });
    const intruder = createRobotIdentity({ deviceId: "14d4b680" });
    const asRobot = ctx.as({ kind: "robot", deviceId: "14d4b680" });
    const before = { ...(await ownership()), key: (await ctx.db.require(Robots, "14d4b680")).data.public_key };
    expect(
      await caught(
        registerRobot(asRobot, { provisioning_token: token, ruri: intruder.ruri, public_key: intruder.publicKey }),
      ),
    ).toMatchObject({ code: "forbidden", reason: "reenrolment_required" });
    expect({ ...(await ownership()), key: (await ctx.db.require(Robots, "14d4b680")).data.public_key }).toEqual(before);
    expect(before).toEqual({ owner: "alice", alice: ["14d4b680"], bob: [], key: null });

    // The real robot, re-flashed with a new key, re-enrols with the token the admin handed it.
    const reflashed = createRobotIdentity({ deviceId: "14d4b680" });
    await registerRobot(asRobot, { reenrolment_token, ruri: reflashed.ruri, public_key: reflashed.publicKey });
    expect(await ownership()).toEqual({ owner: null, alice: [], bob: [] });
    expect(await ctx.db.get(ClaimRecords, "14d4b680")).toBeNull();

    // The old key's proofs are dead; a proof from the re-enrolled robot claims it again.
    expect(await caught(claimRobot(ctx.as(BOB), { local_claim_proof: proof(robot, "bob", nowS + 5) }))).toMatchObject({
      code: "forbidden",
      reason: "claim_proof_bad_signature",
    });
    const again = await claimRobot(ctx.as(ALICE), { local_claim_proof: proof(reflashed, "alice", nowS - 60) });
    expect(again).toMatchObject({ transferred_from: null, already_owner: false, robot: { owner_uid: "alice" } });
    expect(await ownership()).toEqual({ owner: "alice", alice: ["14d4b680"], bob: [] });
  });

  it("rate-limits claim attempts per user", async () => {
    const { robot, nowS } = await setup();
    for (let attempt = 0; attempt < 20; attempt++) {
      await caught(claimRobot(ctx.as(BOB), { local_claim_proof: proof(robot, "alice", nowS) }));
    }
    expect(await caught(claimRobot(ctx.as(BOB), { local_claim_proof: proof(robot, "bob", nowS) }))).toMatchObject({
      code: "rate_limited",
    });
  });
});
