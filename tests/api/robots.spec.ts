import { expect, test, type APIRequestContext } from "@playwright/test";
import { createRobotIdentity, type RobotClient } from "../../tools/robot-client";
import {
  createToken,
  newRobot,
  nowSeconds,
  registeredRobot,
  registrationBody,
  robotDetail,
  send,
  signCustom,
  tokenRecord,
} from "../support/robots";
import { adminApi, signUpAndSignIn, type SignedInUser } from "../support/users";

interface ErrorBody {
  error: { code: string; reason?: string; message: string };
}

let admin: APIRequestContext;
let base: string;
test.beforeAll(async ({ baseURL }) => {
  base = baseURL as string;
  admin = await adminApi(base);
});

async function expectError(response: Response, status: number, code: string, reason: string) {
  const text = await response.text();
  expect({ status: response.status, body: text }).toMatchObject({ status });
  const body = JSON.parse(text) as ErrorBody;
  expect({ code: body.error.code, reason: body.error.reason }).toEqual({ code, reason });
}

test.describe("robot registry API", () => {
  test("register, heartbeat, lookup, list and detail, with real signatures", async () => {
    const { token, token_id } = await createToken(admin, { max_uses: 5 });
    const robot = newRobot(base);
    const alias = `brain-${nowSeconds() - Math.floor(Math.random() * 1e6)}`; // aliases are not unique: make this one
    const body = registrationBody(robot, token, { name: "Lab arm", tags: ["lab"], legacy_id: alias });
    const first = await robot.request("POST", "/api/rcan/register", { json: body });
    expect(first.status).toBe(201);
    const registered = await first.json();
    expect(registered).toMatchObject({
      device_id: robot.deviceId,
      ruri: robot.ruri,
      status: "online",
      owner_uid: null,
      public_key: robot.identity.publicKey,
      tags: ["lab"],
      legacy_ids: [alias],
    });
    const again = await robot.request("POST", "/api/rcan/register", { json: body });
    expect(again.status).toBe(200);
    expect((await tokenRecord(admin, token_id))?.use_count).toBe(1); // re-registering used nothing

    const heartbeat = await robot.requestJson<{ next_heartbeat_s: number; status: string }>(
      "POST",
      "/api/rcan/heartbeat",
      { json: { status: "online", battery: 0.5, firmware_version: "2.0.0", metrics: { cpu_pct: 12 } } },
    );
    expect(heartbeat).toMatchObject({ next_heartbeat_s: 60, status: "online", pending: {} });
    const self = await robot.requestJson<Record<string, unknown>>(
      "GET",
      `/api/rcan/lookup?ruri=${encodeURIComponent(robot.ruri)}`,
    );
    expect(self).toMatchObject({ device_id: robot.deviceId, battery: 0.5, firmware_version: "2.0.0" });
    const byAlias = await robot.requestJson("GET", `/api/rcan/lookup?ruri=${alias}`);
    expect(byAlias).toMatchObject({ device_id: robot.deviceId });

    // An alias is not an identity: once two robots carry it, a lookup by it is ambiguous.
    const twin = newRobot(base);
    await twin.requestJson("POST", "/api/rcan/register", { json: registrationBody(twin, token, { legacy_id: alias }) });
    const ambiguous = await admin.get(`/api/rcan/lookup?ruri=${alias}`);
    expect(ambiguous.status()).toBe(409);
    expect((await ambiguous.json()).error.reason).toBe("ambiguous_alias");

    const detail = await robotDetail(admin, robot.deviceId);
    expect(detail?.heartbeats.at(-1)?.battery).toBe(0.5);
    const list = await admin.get(`/api/robots?q=${robot.deviceId.slice(0, 6)}&tag=lab`);
    expect(((await list.json()).robots as Array<{ device_id: string }>).map((r) => r.device_id)).toContain(
      robot.deviceId,
    );
  });

  test("claims: owner sees it everywhere, others nowhere; a newer proof transfers, users kept in step", async () => {
    const { token } = await createToken(admin);
    const robot = await registeredRobot(base, token);
    const alice = await signUpAndSignIn(base, "alice");
    const bob = await signUpAndSignIn(base, "bob");
    const t = nowSeconds();

    const claim = await alice.api.post("/api/robots/claim", {
      data: { local_claim_proof: robot.issueClaimProof(alice.uid, { iat: t - 20 }) },
    });
    expect(claim.status()).toBe(200);
    expect(await claim.json()).toMatchObject({
      robot: { owner_uid: alice.uid, claimed: true },
      transferred_from: null,
    });

    const mine = async (user: SignedInUser) =>
      ((await (await user.api.get("/api/robots")).json()).robots as Array<{ device_id: string }>).map(
        (r) => r.device_id,
      );
    expect(await mine(alice)).toEqual([robot.deviceId]);
    expect(await mine(bob)).toEqual([]);
    expect((await alice.api.get(`/api/rcan/lookup?ruri=${encodeURIComponent(robot.ruri)}`)).status()).toBe(200);
    for (const path of [`/api/rcan/lookup?ruri=${encodeURIComponent(robot.ruri)}`, `/api/robots/${robot.deviceId}`]) {
      const hidden = await bob.api.get(path);
      expect(hidden.status(), path).toBe(404);
      expect((await hidden.json()).error.reason).toBe("robot_not_found");
    }

    const transfer = await bob.api.post("/api/robots/claim", {
      data: { local_claim_proof: robot.issueClaimProof(bob.uid, { iat: t - 10 }) },
    });
    expect(transfer.status()).toBe(200);
    expect(await transfer.json()).toMatchObject({ robot: { owner_uid: bob.uid }, transferred_from: alice.uid });
    expect(await mine(alice)).toEqual([]);
    expect(await mine(bob)).toEqual([robot.deviceId]);
    const users = (await (await admin.get("/api/console/users?limit=200")).json()).users as Array<{
      uid: string;
      robots: string[];
    }>;
    expect(users.find((user) => user.uid === alice.uid)?.robots).toEqual([]);
    expect(users.find((user) => user.uid === bob.uid)?.robots).toEqual([robot.deviceId]);
    const audit = await admin.get(`/api/console/audit?target_id=${robot.deviceId}`);
    const actions = ((await audit.json()).entries as Array<{ action: string; outcome: string }>).map(
      (entry) => `${entry.action}:${entry.outcome}`,
    );
    expect(actions).toEqual(expect.arrayContaining(["robot.claim:success", "robot.transfer:success"]));
  });

  test("admins create, list and revoke provisioning tokens; owners cannot", async () => {
    const created = await createToken(admin, { label: "revoke me", max_uses: 2 });
    expect(created).toMatchObject({ state: "active", use_count: 0 });
    expect(created.token).toMatch(/^cpt_/);
    const listed = await admin.get("/api/console/provisioning-tokens");
    expect(await listed.text()).not.toContain(created.token);
    const revoked = await admin.post(`/api/console/provisioning-tokens/${created.token_id}/revoke`);
    expect(revoked.status()).toBe(200);
    expect((await revoked.json()).state).toBe("revoked");
    const owner = await signUpAndSignIn(base, "no-tokens");
    const refused = await owner.api.post("/api/console/provisioning-tokens", { data: { model: "companion-v1" } });
    expect(refused.status()).toBe(403);
    expect((await owner.api.get("/api/console/provisioning-tokens")).status()).toBe(403);
  });
});

test.describe("robot API refuses bad input with the documented error and no side effect", () => {
  let robot: RobotClient;
  let other: RobotClient;
  let token: string;
  test.beforeAll(async () => {
    token = (await createToken(admin)).token;
    robot = await registeredRobot(base, token);
    other = await registeredRobot(base, token);
    await robot.requestJson("POST", "/api/rcan/heartbeat", { json: { battery: 0.9 } });
  });

  /** What a refused heartbeat must leave unchanged. */
  async function snapshot() {
    const detail = await robotDetail(admin, robot.deviceId);
    return { last: detail?.robot.last_heartbeat, points: detail?.heartbeats.length, battery: detail?.robot.battery };
  }

  const heartbeatCases: Array<{
    name: string;
    build: () => { url: string; method: string; headers: Record<string, string>; body?: Uint8Array };
    status: number;
    code: string;
    reason: string;
  }> = [
    {
      name: "no signature",
      build: () => {
        const prepared = robot.prepare("POST", "/api/rcan/heartbeat", { json: { battery: 0.1 } });
        const { "Signature-Input": _input, Signature: _signature, ...headers } = prepared.headers;
        void _input;
        void _signature;
        return { ...prepared, headers, body: prepared.body };
      },
      status: 401,
      code: "unauthenticated",
      reason: "signature_missing",
    },
    {
      name: "bad signature",
      build: () => {
        const prepared = robot.prepare("POST", "/api/rcan/heartbeat", { json: { battery: 0.1 } });
        const bytes = Buffer.from(prepared.headers.Signature!.slice(6, -1), "base64");
        bytes[0] = bytes[0]! ^ 0xff;
        return { ...prepared, headers: { ...prepared.headers, Signature: `sig1=:${bytes.toString("base64")}:` } };
      },
      status: 401,
      code: "unauthenticated",
      reason: "signature_invalid",
    },
    {
      name: "unknown keyid (answered like a wrong key, so registered device ids cannot be probed)",
      build: () => newRobot(base).prepare("POST", "/api/rcan/heartbeat", { json: { battery: 0.1 } }),
      status: 401,
      code: "unauthenticated",
      reason: "signature_invalid",
    },
    {
      name: "signature over other components (no @authority)",
      build: () =>
        signCustom(robot, {
          method: "POST",
          path: "/api/rcan/heartbeat",
          json: { battery: 0.1 },
          components: ["@method", "@path", "content-digest"],
          created: nowSeconds(),
        }),
      status: 401,
      code: "unauthenticated",
      reason: "signature_components_missing",
    },
    {
      name: "signature not covering the body's digest",
      build: () =>
        signCustom(robot, {
          method: "POST",
          path: "/api/rcan/heartbeat",
          json: { battery: 0.1 },
          components: ["@method", "@authority", "@path"],
          created: nowSeconds(),
        }),
      status: 401,
      code: "unauthenticated",
      reason: "signature_components_missing",
    },
    {
      name: "body changed after signing",
      build: () => {
        const prepared = robot.prepare("POST", "/api/rcan/heartbeat", { json: { battery: 0.1 } });
        return { ...prepared, body: new TextEncoder().encode(JSON.stringify({ battery: 0.2 })) };
      },
      status: 401,
      code: "unauthenticated",
      reason: "digest_mismatch",
    },
    {
      name: "created too old",
      build: () =>
        signCustom(robot, {
          method: "POST",
          path: "/api/rcan/heartbeat",
          json: { battery: 0.1 },
          components: ["@method", "@authority", "@path", "content-digest"],
          created: nowSeconds() - 400,
          expires: nowSeconds() + 100,
        }),
      status: 401,
      code: "unauthenticated",
      reason: "signature_expired",
    },
    {
      name: "created in the future",
      build: () =>
        signCustom(robot, {
          method: "POST",
          path: "/api/rcan/heartbeat",
          json: { battery: 0.1 },
          components: ["@method", "@authority", "@path", "content-digest"],
          created: nowSeconds() + 120,
        }),
      status: 401,
      code: "unauthenticated",
      reason: "signature_from_future",
    },
    {
      name: "a robot acting for another robot's id",
      build: () => robot.prepare("POST", "/api/rcan/heartbeat", { json: { device_id: other.deviceId, battery: 0.1 } }),
      status: 403,
      code: "forbidden",
      reason: "robot_mismatch",
    },
  ];

  for (const testCase of heartbeatCases) {
    test(`heartbeat: ${testCase.name} → ${testCase.status} ${testCase.reason}`, async () => {
      const before = await snapshot();
      await expectError(await send(testCase.build()), testCase.status, testCase.code, testCase.reason);
      expect(await snapshot()).toEqual(before);
    });
  }

  test("heartbeat: replayed nonce → 401 nonce_replayed, the replay changes nothing", async () => {
    const prepared = robot.prepare("POST", "/api/rcan/heartbeat", { json: { battery: 0.42 } });
    expect((await send(prepared)).status).toBe(200);
    const before = await snapshot();
    await expectError(await send(prepared), 401, "unauthenticated", "nonce_replayed");
    expect(await snapshot()).toEqual(before);
  });

  test("lookup: a replayed signed GET is refused too", async () => {
    const prepared = robot.prepare("GET", `/api/rcan/lookup?ruri=${robot.deviceId}`);
    expect((await send(prepared)).status).toBe(200);
    await expectError(await send(prepared), 401, "unauthenticated", "nonce_replayed");
  });

  test("register: revoked, expired and exhausted tokens, a taken device id, another robot's RURI", async () => {
    const revoked = await createToken(admin);
    await admin.post(`/api/console/provisioning-tokens/${revoked.token_id}/revoke`);
    const exhausted = await createToken(admin, { max_uses: 1 });
    await registeredRobot(base, exhausted.token);
    const expiring = await createToken(admin, { expires_at: new Date(Date.now() + 1500).toISOString() });
    await new Promise((resolve) => setTimeout(resolve, 2000)); // a real token must really expire

    const fresh = () => newRobot(base);
    const impostor = newRobot(base, { ...createRobotIdentity({ ruri: robot.ruri }) });
    const cases: Array<{
      name: string;
      client: RobotClient;
      body: Record<string, unknown>;
      status: number;
      code: string;
      reason: string;
    }> = [];
    const a = fresh();
    cases.push({
      name: "revoked token",
      client: a,
      body: registrationBody(a, revoked.token),
      status: 403,
      code: "forbidden",
      reason: "provisioning_token_revoked",
    });
    const b = fresh();
    cases.push({
      name: "expired token",
      client: b,
      body: registrationBody(b, expiring.token),
      status: 403,
      code: "forbidden",
      reason: "provisioning_token_expired",
    });
    const c = fresh();
    cases.push({
      name: "exhausted token",
      client: c,
      body: registrationBody(c, exhausted.token),
      status: 403,
      code: "forbidden",
      reason: "provisioning_token_exhausted",
    });
    const d = fresh();
    cases.push({
      name: "unknown token",
      client: d,
      body: registrationBody(d, "cpt_not_a_real_token_at_all"),
      status: 401,
      code: "unauthenticated",
      reason: "provisioning_token_unknown",
    });
    cases.push({
      name: "device id taken by another key",
      client: impostor,
      body: registrationBody(impostor, token),
      status: 409,
      code: "conflict",
      reason: "device_id_taken",
    });
    const e = fresh();
    cases.push({
      name: "a robot registering another robot's RURI",
      client: e,
      body: { ...registrationBody(e, token), ruri: fresh().ruri },
      status: 403,
      code: "forbidden",
      reason: "robot_mismatch",
    });

    for (const testCase of cases) {
      const response = await testCase.client.request("POST", "/api/rcan/register", { json: testCase.body });
      await test.step(testCase.name, async () => {
        await expectError(response, testCase.status, testCase.code, testCase.reason);
      });
      if (testCase.client !== impostor)
        expect(await robotDetail(admin, testCase.client.deviceId), testCase.name).toBeNull();
    }
    expect((await tokenRecord(admin, exhausted.token_id))?.use_count).toBe(1);
    expect((await tokenRecord(admin, revoked.token_id))?.use_count).toBe(0);
    expect((await robotDetail(admin, robot.deviceId))?.robot.public_key).toBe(robot.identity.publicKey);
  });

  const MALFORMED_RURIS = [
    "rcan://local.rcan/discovered/192.168.1.42:8080",
    "rcan://continuon.cloud/continuon/companion-v1/unknown",
    "rcan://continuon.cloud/continuon/companion-v1/v2/14d4b680",
    "rcan://Continuon.cloud/continuon/companion-v1/14d4b680",
    "rcan://continuon.cloud/continuon/companion-v1",
    "https://continuon.cloud/continuon/companion-v1/14d4b680",
    "rcan://continuon.cloud/continuon/companion-v1/14D4B680",
  ];
  for (const ruri of MALFORMED_RURIS) {
    test(`register: malformed RURI ${ruri} → 400 invalid_ruri`, async () => {
      const client = newRobot(base);
      const response = await client.request("POST", "/api/rcan/register", {
        json: { ...registrationBody(client, token), ruri },
      });
      await expectError(response, 400, "invalid", "invalid_ruri");
      expect(await robotDetail(admin, client.deviceId)).toBeNull();
    });
  }

  test("claims: forged, for another user, older after newer, replayed", async () => {
    const owner = await signUpAndSignIn(base, "claimer");
    const intruder = await signUpAndSignIn(base, "intruder");
    const t = nowSeconds();
    const accepted = robot.issueClaimProof(owner.uid, { iat: t - 5 });
    expect((await owner.api.post("/api/robots/claim", { data: { local_claim_proof: accepted } })).status()).toBe(200);
    const forger = newRobot(base, createRobotIdentity({ ruri: robot.ruri }));
    const cases = [
      {
        name: "forged (another key)",
        user: intruder,
        proof: forger.issueClaimProof(intruder.uid, { iat: t }),
        status: 403,
        code: "forbidden",
        reason: "claim_proof_bad_signature",
      },
      {
        name: "for another user",
        user: intruder,
        proof: robot.issueClaimProof(owner.uid, { iat: t }),
        status: 403,
        code: "forbidden",
        reason: "claim_proof_wrong_user",
      },
      {
        name: "older than the accepted one",
        user: intruder,
        proof: robot.issueClaimProof(intruder.uid, { iat: t - 60 }),
        status: 409,
        code: "conflict",
        reason: "claim_proof_stale",
      },
      { name: "replayed", user: owner, proof: accepted, status: 409, code: "conflict", reason: "claim_proof_replayed" },
      {
        name: "not a JWS",
        user: intruder,
        proof: "not-a-proof",
        status: 400,
        code: "invalid",
        reason: "claim_proof_malformed",
      },
    ];
    for (const testCase of cases) {
      const response = await testCase.user.api.post("/api/robots/claim", {
        data: { local_claim_proof: testCase.proof },
      });
      const body = (await response.json()) as ErrorBody;
      expect({
        name: testCase.name,
        status: response.status(),
        code: body.error.code,
        reason: body.error.reason,
      }).toEqual({
        name: testCase.name,
        status: testCase.status,
        code: testCase.code,
        reason: testCase.reason,
      });
      expect((await robotDetail(admin, robot.deviceId))?.robot.owner_uid).toBe(owner.uid);
    }
    const denied = await admin.get(`/api/console/audit?target_id=${robot.deviceId}`);
    const outcomes = ((await denied.json()).entries as Array<{ action: string; outcome: string }>).filter(
      (entry) => entry.action === "robot.claim" && entry.outcome === "denied",
    );
    expect(outcomes.length).toBeGreaterThanOrEqual(4);
  });
});
