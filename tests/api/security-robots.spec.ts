/**
 * Robot identity, registry, claims and lookups under attack, through the real HTTP interface: a key
 * reset must not hand a robot to the next key that shows up, lookups and the anonymous field index
 * must not tell which device ids exist, and the defences that already held (replayed nonces,
 * tampered signatures, cross-tenant reads) keep holding. Every refusal asserts the exact status and
 * reason, and that owner, key and audit did not change. See /docs/security#robot-identity.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test, type APIRequestContext, type APIResponse } from "@playwright/test";
import { createRobotIdentity, RobotClient } from "../../tools/robot-client";
import { SimulatedRobot } from "../../tools/simulator/simulated-robot";
import { anonymousApi } from "../support/ota";
import {
  createToken,
  newRobot,
  nowSeconds,
  registeredRobot,
  registrationBody,
  robotDetail,
  send,
} from "../support/robots";
import { adminApi, signUpAndSignIn, type SignedInUser } from "../support/users";

interface ErrorBody {
  error: { code: string; reason?: string; message: string };
}

let admin: APIRequestContext;
let base: string;
let token: string;
const tempDirs: string[] = [];

test.beforeAll(async ({ baseURL }) => {
  base = baseURL as string;
  admin = await adminApi(base);
  token = (await createToken(admin)).token;
});

test.afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** Status and text of an answer, from fetch (robots) or Playwright (users). */
async function read(response: Response | APIResponse): Promise<{ status: number; text: string }> {
  if (response instanceof Response) return { status: response.status, text: await response.text() };
  return { status: response.status(), text: await response.text() };
}

/** Status, code and reason of an answer. */
async function outcome(response: Response | APIResponse) {
  const { status, text } = await read(response);
  let body: ErrorBody | null = null;
  try {
    body = JSON.parse(text) as ErrorBody;
  } catch {
    body = null;
  }
  return { status, code: body?.error?.code ?? null, reason: body?.error?.reason ?? null };
}

/** What must not change when an attempt is refused: owner, key, key history, owners' lists, audit. */
async function robotState(deviceId: string, users: SignedInUser[]) {
  const detail = await robotDetail(admin, deviceId);
  const audit = await admin.get(`/api/console/audit?target_id=${deviceId}&limit=500`);
  const entries = ((await audit.json()).entries as Array<{ id: string; action: string; outcome: string }>).map(
    (entry) => `${entry.action}:${entry.outcome}:${entry.id}`,
  );
  const lists: Record<string, string[]> = {};
  for (const user of users) {
    lists[user.uid] = ((await (await user.api.get("/api/robots")).json()).robots as Array<{ device_id: string }>).map(
      (robot) => robot.device_id,
    );
  }
  return {
    exists: detail !== null,
    owner: detail?.robot.owner_uid ?? null,
    key: detail?.robot.public_key ?? null,
    keyHistory: (detail?.robot.key_history as unknown[] | undefined)?.length ?? 0,
    lastHeartbeat: detail?.robot.last_heartbeat ?? null,
    audit: entries,
    lists,
  };
}

async function auditFor(deviceId: string, action: string) {
  const response = await admin.get(`/api/console/audit?target_id=${deviceId}&limit=500`);
  return ((await response.json()).entries as Array<{ action: string; details: Record<string, unknown> }>).filter(
    (entry) => entry.action === action,
  );
}

test.describe("robot identity after an admin's key reset", () => {
  test("no key but the re-enrolment token registers the robot; it comes back unowned and is claimed again", async () => {
    const alice = await signUpAndSignIn(base, "reset-alice");
    const mallory = await signUpAndSignIn(base, "reset-mallory");
    const victim = await registeredRobot(base, token);
    const t = nowSeconds();
    const claimed = await alice.api.post("/api/robots/claim", {
      data: { local_claim_proof: victim.issueClaimProof(alice.uid, { iat: t - 30 }) },
    });
    expect(claimed.status()).toBe(200);

    const reset = await admin.post(`/api/console/robots/${victim.deviceId}/reset-key`, { data: { reason: "lost" } });
    expect(reset.status()).toBe(200);
    const answer = (await reset.json()) as {
      robot: { public_key: string | null; owner_uid: string | null; reenrolment_expires_at: string | null };
      reenrolment_token: string;
      reenrolment_expires_at: string;
    };
    expect(answer.reenrolment_token).toMatch(/^cre_[A-Za-z0-9_-]{43}$/);
    expect(answer.robot).toMatchObject({
      public_key: null,
      owner_uid: alice.uid,
      reenrolment_expires_at: answer.reenrolment_expires_at,
    });
    expect(Date.parse(answer.reenrolment_expires_at) - Date.now()).toBeGreaterThan(71 * 3600_000);
    expect((await auditFor(victim.deviceId, "robot.key_reset"))[0]?.details).toMatchObject({
      owner_uid: alice.uid,
      reason: "lost",
      reissued: false,
    });

    // The intruder holds a provisioning token for the model and makes a key for the victim's device id.
    const intruder = new RobotClient({
      identity: createRobotIdentity({ ruri: victim.ruri }),
      baseUrl: base,
    });
    const other = newRobot(base);
    const before = await robotState(victim.deviceId, [alice, mallory]);
    expect(before).toMatchObject({ owner: alice.uid, key: null, lists: { [alice.uid]: [victim.deviceId] } });

    const attempts: Array<{ name: string; run: () => Promise<Response>; status: number; reason: string }> = [
      {
        name: "register the device id with a provisioning token",
        run: () =>
          intruder.request("POST", "/api/rcan/register", { json: registrationBody(intruder, token, { name: "mine" }) }),
        status: 403,
        reason: "reenrolment_required",
      },
      {
        name: "register it with a made-up re-enrolment token",
        run: () =>
          intruder.request("POST", "/api/rcan/register", {
            json: {
              reenrolment_token: `cre_${"A".repeat(43)}`,
              ruri: intruder.ruri,
              public_key: intruder.identity.publicKey,
            },
          }),
        status: 403,
        reason: "reenrolment_token_invalid",
      },
      {
        name: "register it with the provisioning token passed as a re-enrolment token",
        run: () =>
          intruder.request("POST", "/api/rcan/register", {
            json: { reenrolment_token: token, ruri: intruder.ruri, public_key: intruder.identity.publicKey },
          }),
        status: 403,
        reason: "reenrolment_token_invalid",
      },
      {
        name: "spend the victim's re-enrolment token on another device id",
        run: () =>
          other.request("POST", "/api/rcan/register", {
            json: {
              reenrolment_token: answer.reenrolment_token,
              ruri: other.ruri,
              public_key: other.identity.publicKey,
            },
          }),
        status: 403,
        reason: "reenrolment_token_invalid",
      },
      {
        name: "heartbeat with the old key",
        run: () => victim.request("POST", "/api/rcan/heartbeat", { json: { status: "online" } }),
        status: 401,
        reason: "signature_invalid",
      },
      {
        name: "heartbeat with the intruder's key",
        run: () => intruder.request("POST", "/api/rcan/heartbeat", { json: { status: "online" } }),
        status: 401,
        reason: "signature_invalid",
      },
      {
        name: "ask for an upload URL with the old key",
        run: () =>
          victim.request("POST", "/api/rlds/signed-url", {
            json: { robot_id: victim.deviceId, episode_id: "ep_reset", metadata: { duration_ms: 1000, step_count: 2 } },
          }),
        status: 401,
        reason: "signature_invalid",
      },
    ];
    for (const attempt of attempts) {
      expect({ name: attempt.name, ...(await outcome(await attempt.run())) }).toEqual({
        name: attempt.name,
        status: attempt.status,
        code: attempt.status === 401 ? "unauthenticated" : "forbidden",
        reason: attempt.reason,
      });
    }
    // A claim with a proof from the old key changes nothing either (audited as denied), and answers
    // exactly what a claim naming a robot nobody registered gets.
    const claimAnswer = async (robot: RobotClient) => {
      const response = await mallory.api.post("/api/robots/claim", {
        data: { local_claim_proof: robot.issueClaimProof(mallory.uid, { iat: t }) },
      });
      const error = (JSON.parse((await read(response)).text) as ErrorBody & { error: { request_id?: string } }).error;
      return {
        status: response.status(),
        ...error,
        message: error.message.replaceAll(robot.deviceId, "<id>"),
        request_id: undefined,
      };
    };
    const oldKeyClaim = await claimAnswer(victim);
    expect(oldKeyClaim).toMatchObject({ status: 403, code: "forbidden", reason: "claim_proof_bad_signature" });
    const unregistered = newRobot(base);
    expect(await claimAnswer(unregistered)).toEqual(oldKeyClaim);
    expect(await claimAnswer(intruder)).toEqual(oldKeyClaim);
    const refusedAt = await robotState(victim.deviceId, [alice, mallory]);
    expect({ ...refusedAt, audit: before.audit }).toEqual(before);
    expect(
      refusedAt.audit.filter((entry) => !before.audit.includes(entry)).map((e) => e.split(":", 2).join(":")),
    ).toEqual(["robot.claim:denied", "robot.claim:denied"]);
    expect(await robotDetail(admin, other.deviceId)).toBeNull();

    // The real robot, re-flashed with a new key, re-enrols with the token through the simulator.
    const dir = mkdtempSync(join(tmpdir(), "sec-robots-"));
    tempDirs.push(dir);
    const reflashed = await SimulatedRobot.open({
      dir,
      baseUrl: base,
      deviceId: victim.deviceId,
      output: () => undefined,
    });
    expect(reflashed.ruri).toBe(victim.ruri);
    const registry = await reflashed.reenrol(answer.reenrolment_token);
    expect(registry).toMatchObject({
      device_id: victim.deviceId,
      owner_uid: null,
      claimed: false,
      reenrolment_expires_at: null,
    });
    const after = await robotState(victim.deviceId, [alice, mallory]);
    expect(after).toMatchObject({ owner: null, lists: { [alice.uid]: [], [mallory.uid]: [] } });
    expect(after.key).not.toBeNull();
    expect((await auditFor(victim.deviceId, "robot.reenrol"))[0]?.details).toMatchObject({
      previous_owner_uid: alice.uid,
      ownership_ended: true,
    });

    // The token is spent, and the old key's proofs are dead for good.
    const spent = await intruder.request("POST", "/api/rcan/register", {
      json: {
        reenrolment_token: answer.reenrolment_token,
        ruri: intruder.ruri,
        public_key: intruder.identity.publicKey,
      },
    });
    expect(await outcome(spent)).toEqual({ status: 403, code: "forbidden", reason: "reenrolment_token_invalid" });
    const stale = await mallory.api.post("/api/robots/claim", {
      data: { local_claim_proof: victim.issueClaimProof(mallory.uid, { iat: t + 1 }) },
    });
    expect(await outcome(stale)).toEqual({ status: 403, code: "forbidden", reason: "claim_proof_bad_signature" });
    const afterRefusals = await robotState(victim.deviceId, [alice, mallory]);
    expect({ ...afterRefusals, audit: after.audit }).toEqual(after);
    expect(
      afterRefusals.audit.filter((entry) => !after.audit.includes(entry)).map((e) => e.split(":", 2).join(":")),
    ).toEqual(["robot.claim:denied"]);

    // Its owner pairs with the re-enrolled robot and claims it again.
    const again = await alice.api.post("/api/robots/claim", {
      data: { local_claim_proof: reflashed.issueClaimProof(alice.uid) },
    });
    expect(again.status()).toBe(200);
    expect(await again.json()).toMatchObject({ robot: { owner_uid: alice.uid }, transferred_from: null });
    const heartbeat = await reflashed.heartbeat();
    expect(heartbeat).toMatchObject({ status: "online" });
  });

  test("a second reset replaces a lost token; only admins reset", async () => {
    const robot = await registeredRobot(base, token);
    const owner = await signUpAndSignIn(base, "reset-owner");
    const denied = await owner.api.post(`/api/console/robots/${robot.deviceId}/reset-key`, { data: {} });
    expect(await outcome(denied)).toEqual({ status: 403, code: "forbidden", reason: "role_required" });
    expect((await robotDetail(admin, robot.deviceId))?.robot.public_key).toBe(robot.identity.publicKey);

    const first = (await (
      await admin.post(`/api/console/robots/${robot.deviceId}/reset-key`, { data: {} })
    ).json()) as {
      reenrolment_token: string;
    };
    const second = (await (
      await admin.post(`/api/console/robots/${robot.deviceId}/reset-key`, { data: { reason: "token lost" } })
    ).json()) as { reenrolment_token: string };
    expect(second.reenrolment_token).not.toBe(first.reenrolment_token);
    expect((await auditFor(robot.deviceId, "robot.key_reset")).map((entry) => entry.details.reissued).sort()).toEqual([
      false,
      true,
    ]);
    const renewed = new RobotClient({ identity: createRobotIdentity({ ruri: robot.ruri }), baseUrl: base });
    const body = (reenrolment: string) => ({
      json: { reenrolment_token: reenrolment, ruri: renewed.ruri, public_key: renewed.identity.publicKey },
    });
    expect(await outcome(await renewed.request("POST", "/api/rcan/register", body(first.reenrolment_token)))).toEqual({
      status: 403,
      code: "forbidden",
      reason: "reenrolment_token_invalid",
    });
    const ok = await renewed.request("POST", "/api/rcan/register", body(second.reenrolment_token));
    expect(ok.status).toBe(200);
    // A retry of the same re-enrolment (same key) answers the registry unchanged.
    const retry = await renewed.request("POST", "/api/rcan/register", body(second.reenrolment_token));
    expect(retry.status).toBe(200);
    expect((await retry.json()).public_key).toBe(renewed.identity.publicKey);
  });
});

test.describe("lookups and the field index tell nothing about robots the caller may not see", () => {
  test("a private robot looks exactly like an unknown one; a published one shows only its public part", async () => {
    const alice = await signUpAndSignIn(base, "lookup-alice");
    const bob = await signUpAndSignIn(base, "lookup-bob");
    const mine = await registeredRobot(base, token, { legacy_id: `brain-${nowSeconds() - 987_654}` });
    const stranger = await registeredRobot(base, token);
    const claim = await alice.api.post("/api/robots/claim", {
      data: { local_claim_proof: mine.issueClaimProof(alice.uid, { iat: nowSeconds() - 5 }) },
    });
    expect(claim.status()).toBe(200);
    const unknownId = "0badc0de";

    /** The answer with the reference in the message replaced, so two answers compare byte for byte. */
    const lookup = async (caller: "robot" | "bob", reference: string) => {
      const path = `/api/rcan/lookup?ruri=${encodeURIComponent(reference)}`;
      const { status, text } = await read(
        caller === "robot" ? await stranger.request("GET", path) : await bob.api.get(path),
      );
      return { status, text, body: text.replaceAll(JSON.stringify(reference).slice(1, -1), "<ref>") };
    };
    const references = [mine.deviceId, mine.ruri];
    for (const caller of ["robot", "bob"] as const) {
      const unknown = await lookup(caller, unknownId);
      expect(unknown.status).toBe(404);
      expect(JSON.parse(unknown.body).error).toEqual({
        code: "not_found",
        reason: "robot_not_found",
        message: 'No robot "<ref>" was found.',
        request_id: expect.any(String),
      });
      for (const reference of references) {
        const hidden = await lookup(caller, reference);
        expect({ caller, reference, status: hidden.status }).toEqual({ caller, reference, status: 404 });
        const strip = (body: string) => ({ ...JSON.parse(body).error, request_id: null });
        expect(strip(hidden.body)).toEqual(strip(unknown.body));
      }
    }
    expect(
      await outcome(await bob.api.patch(`/api/robots/${mine.deviceId}`, { data: { lookup_visibility: "public" } })),
    ).toEqual({ status: 404, code: "not_found", reason: "robot_not_found" });
    expect((await robotDetail(admin, mine.deviceId))?.robot.lookup_visibility).toBe("private");

    // Its owner publishes it.
    const published = await alice.api.patch(`/api/robots/${mine.deviceId}`, { data: { lookup_visibility: "public" } });
    expect(published.status()).toBe(200);
    expect((await auditFor(mine.deviceId, "robot.update"))[0]?.details).toMatchObject({ lookup_visibility: "public" });
    const publicKeys = [
      "capabilities",
      "claimed",
      "device_id",
      "manufacturer",
      "model",
      "name",
      "registered_at",
      "ruri",
      "status",
    ];
    for (const caller of ["robot", "bob"] as const) {
      const seen = await lookup(caller, mine.deviceId);
      expect(seen.status).toBe(200);
      const body = JSON.parse(seen.text) as Record<string, unknown>;
      expect(Object.keys(body).sort()).toEqual(publicKeys);
      expect(body).toMatchObject({ device_id: mine.deviceId, claimed: true });
    }
    // Owner, operators and admins, and the robot itself, still see everything.
    const full = await admin.get(`/api/rcan/lookup?ruri=${mine.deviceId}`);
    expect(await full.json()).toMatchObject({ owner_uid: alice.uid, lookup_visibility: "public" });
    const self = await mine.requestJson<Record<string, unknown>>("GET", `/api/rcan/lookup?ruri=${mine.deviceId}`);
    expect(self).toMatchObject({ owner_uid: alice.uid, public_key: mine.identity.publicKey });

    // Withdrawn: back to "not found".
    await alice.api.patch(`/api/robots/${mine.deviceId}`, { data: { lookup_visibility: "private" } });
    expect((await lookup("robot", mine.deviceId)).status).toBe(404);
  });

  test("a signature under any device id fails the same way whether that device id is registered or not", async () => {
    const registered = await registeredRobot(base, token);
    const probe = async (deviceId: string) => {
      const prober = new RobotClient({ identity: createRobotIdentity({ deviceId }), baseUrl: base });
      const { status, text } = await read(await prober.request("POST", "/api/rcan/heartbeat", { json: {} }));
      const error = (JSON.parse(text) as ErrorBody & { error: { request_id?: string } }).error;
      return { status, ...error, message: error.message.replaceAll(deviceId, "<id>"), request_id: undefined };
    };
    const known = await probe(registered.deviceId);
    expect(known).toMatchObject({ status: 401, code: "unauthenticated", reason: "signature_invalid" });
    expect(await probe("0badcafe")).toEqual(known);
    expect((await robotDetail(admin, registered.deviceId))?.robot.public_key).toBe(registered.identity.publicKey);
  });

  test("registry.json answers an unknown device id exactly as a registered robot with nothing to install", async () => {
    const anonymous = await anonymousApi(base);
    const known = await registeredRobot(base, token);
    const answer = async (deviceId: string) => {
      const response = await anonymous.get(`/api/ota/${deviceId}/registry.json`);
      const headers = response.headers();
      return {
        status: response.status(),
        body: await response.text(),
        headerNames: Object.keys(headers)
          .filter((name) => name !== "date" && name !== "x-request-id")
          .sort(),
        contentType: headers["content-type"],
        cacheControl: headers["cache-control"],
      };
    };
    const registered = await answer(known.deviceId);
    expect(registered).toMatchObject({
      status: 200,
      body: '{"models":{}}',
      contentType: "application/json",
      cacheControl: "no-store",
    });
    for (const deviceId of ["0badf00d", "3f2504e0-4f89-11d3-9a0c-0305e82c3301", "not-a-device"]) {
      expect({ deviceId, ...(await answer(deviceId)) }).toEqual({ deviceId, ...registered });
    }
    await anonymous.dispose();
  });
});

test.describe("defences that already held", () => {
  test("replayed nonces, tampered signatures and cross-tenant reads are refused and change nothing", async () => {
    const alice = await signUpAndSignIn(base, "held-alice");
    const bob = await signUpAndSignIn(base, "held-bob");
    const robot = await registeredRobot(base, token);
    const otherRobot = await registeredRobot(base, token);
    const t = nowSeconds();
    const proof = robot.issueClaimProof(alice.uid, { iat: t - 3 });
    expect((await alice.api.post("/api/robots/claim", { data: { local_claim_proof: proof } })).status()).toBe(200);

    const heartbeat = robot.prepare("POST", "/api/rcan/heartbeat", { json: { status: "online", battery: 0.4 } });
    expect((await send(heartbeat)).status).toBe(200);
    const before = await robotState(robot.deviceId, [alice, bob]);

    const tamperedBody = robot.prepare("POST", "/api/rcan/heartbeat", { json: { status: "online", battery: 0.1 } });
    const forgedKey = new RobotClient({ identity: createRobotIdentity({ ruri: robot.ruri }), baseUrl: base });
    const pathSwap = robot.prepare("GET", `/api/rcan/lookup?ruri=${robot.deviceId}`);
    const cases: Array<{ name: string; run: () => Promise<Response | APIResponse>; expected: object }> = [
      {
        name: "the same signed heartbeat again (nonce replay)",
        run: () => send(heartbeat),
        expected: { status: 401, code: "unauthenticated", reason: "nonce_replayed" },
      },
      {
        name: "a signed heartbeat with another body",
        run: () => send({ ...tamperedBody, body: new TextEncoder().encode(JSON.stringify({ status: "offline" })) }),
        expected: { status: 401, code: "unauthenticated", reason: "digest_mismatch" },
      },
      {
        name: "a signed request sent to another path",
        run: () => send({ ...pathSwap, url: pathSwap.url.replace("ruri=", "ruri=x") }),
        expected: { status: 401, code: "unauthenticated", reason: "signature_invalid" },
      },
      {
        name: "a heartbeat signed by another key under the robot's keyid",
        run: () => forgedKey.request("POST", "/api/rcan/heartbeat", { json: { status: "offline" } }),
        expected: { status: 401, code: "unauthenticated", reason: "signature_invalid" },
      },
      {
        name: "another robot heartbeats naming this robot",
        run: () => otherRobot.request("POST", "/api/rcan/heartbeat", { json: { device_id: robot.deviceId } }),
        expected: { status: 403, code: "forbidden", reason: "robot_mismatch" },
      },
      {
        name: "another tenant reads the robot",
        run: () => bob.api.get(`/api/robots/${robot.deviceId}`),
        expected: { status: 404, code: "not_found", reason: "robot_not_found" },
      },
      {
        name: "another tenant renames the robot",
        run: () => bob.api.patch(`/api/robots/${robot.deviceId}`, { data: { name: "stolen" } }),
        expected: { status: 404, code: "not_found", reason: "robot_not_found" },
      },
      {
        name: "the same claim proof again, by another user",
        run: () => bob.api.post("/api/robots/claim", { data: { local_claim_proof: proof } }),
        expected: { status: 403, code: "forbidden", reason: "claim_proof_wrong_user" },
      },
      {
        name: "the same claim proof again",
        run: () => alice.api.post("/api/robots/claim", { data: { local_claim_proof: proof } }),
        expected: { status: 409, code: "conflict", reason: "claim_proof_replayed" },
      },
      {
        name: "a claim proof with a tampered payload",
        run: () => {
          const [header, , signature] = robot.issueClaimProof(bob.uid, { iat: t + 1 }).split(".");
          const payload = Buffer.from(
            JSON.stringify({ iss: robot.deviceId, sub: bob.uid, ruri: robot.ruri, iat: t + 2, jti: "forged" }),
          ).toString("base64url");
          return bob.api.post("/api/robots/claim", {
            data: { local_claim_proof: `${header}.${payload}.${signature}` },
          });
        },
        expected: { status: 403, code: "forbidden", reason: "claim_proof_bad_signature" },
      },
    ];
    for (const attempt of cases) {
      expect({ name: attempt.name, ...(await outcome(await attempt.run())) }).toEqual({
        name: attempt.name,
        ...attempt.expected,
      });
    }
    const after = await robotState(robot.deviceId, [alice, bob]);
    // Refused claims are audited as denied; nothing else was written.
    const added = after.audit.filter((entry) => !before.audit.includes(entry));
    expect(added.map((entry) => entry.split(":").slice(0, 2).join(":")).sort()).toEqual([
      "robot.claim:denied",
      "robot.claim:denied",
      "robot.claim:denied",
    ]);
    expect({ ...after, audit: before.audit }).toEqual(before);
    const detail = await robotDetail(admin, robot.deviceId);
    expect({ battery: detail?.robot.battery, name: detail?.robot.name }).toEqual({
      battery: 0.4,
      name: `companion-v1 ${robot.deviceId}`,
    });
  });
});
