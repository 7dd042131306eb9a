import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { DomainError } from "@/lib/errors";
import { createProvisioningToken } from "@/lib/robots/create-provisioning-token";
import { registerRobot } from "@/lib/robots/register-robot";
import { RobotNonces } from "@/lib/robots/schemas";
import { createRuntime, setRuntime, type Runtime } from "@/server/runtime";
import { createRobotIdentity, type RobotIdentity } from "@/tools/robot-client/identity";
import { RobotClient, type SignedRequest } from "@/tools/robot-client/robot-client";
import { resetRobotKey } from "@/lib/robots/reset-robot-key";
import { ROBOT_KEY_CACHE_TTL_MS, RobotKeyCache, robotKeyCache } from "./robot-key-cache";
import { requestWithBufferedBody } from "./read-body";
import { createRoute } from "./route";
import { addressedUrl, withRobot } from "./with-robot";

const PUBLIC_URL = "https://robots.example.test";
let runtime: Runtime;
let dir: string;
let robot: RobotIdentity;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "robots-with-robot-"));
  runtime = await createRuntime({
    CONTINUON_DATA_DIR: dir,
    PUBLIC_URL,
    LOG_LEVEL: "silent",
    CONTINUON_STRICT_INDEXES: "1",
  });
  const system = runtime.contextFor({ kind: "system", name: "test" });
  const { token } = await createProvisioningToken(system, { model: "companion-v1" });
  robot = createRobotIdentity();
  await registerRobot(runtime.contextFor({ kind: "robot", deviceId: robot.deviceId }), {
    provisioning_token: token,
    ruri: robot.ruri,
    public_key: robot.publicKey,
  });
});

afterAll(async () => {
  await runtime.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The request as the server sees it: addressed internally, signed for the public URL. */
function asReceived(prepared: SignedRequest, body?: Uint8Array<ArrayBuffer>): Request {
  const internal = prepared.url.replace(PUBLIC_URL, "http://10.0.0.7:8080");
  return new Request(internal, { method: prepared.method, headers: prepared.headers, body: body ?? prepared.body });
}

function authInput(request: Request, bodyBytes: Buffer | null) {
  return { request, runtime, info: { requestId: "req_test", ip: null, userAgent: null }, bodyBytes };
}

async function caught(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error("expected a DomainError");
}

describe("withRobot", () => {
  it("verifies against PUBLIC_URL's authority, not the internal address", async () => {
    expect(addressedUrl(new Request("http://10.0.0.7:8080/api/x?a=1"), PUBLIC_URL)).toBe(
      "https://robots.example.test/api/x?a=1",
    );
    // A second public origin (the relay's host) is chosen only when the robot addressed it.
    const relayHost = new Request("http://10.0.0.7:8080/api/remote/signal/x", {
      headers: { host: "api.example.test" },
    });
    expect(addressedUrl(relayHost, PUBLIC_URL, ["https://api.example.test"])).toBe(
      "https://api.example.test/api/remote/signal/x",
    );
    const otherHost = new Request("http://10.0.0.7:8080/api/x", { headers: { host: "evil.example" } });
    expect(addressedUrl(otherHost, PUBLIC_URL, ["https://api.example.test"])).toBe("https://robots.example.test/api/x");
    const client = new RobotClient({ identity: robot, baseUrl: PUBLIC_URL });
    const prepared = client.prepare("POST", "/api/rcan/heartbeat", { json: { status: "online" } });
    const result = await withRobot()(authInput(asReceived(prepared), Buffer.from(prepared.body as Uint8Array)));
    expect(result.actor).toEqual({ kind: "robot", deviceId: robot.deviceId });

    const elsewhere = new RobotClient({ identity: robot, baseUrl: "http://10.0.0.7:8080" });
    const wrongHost = elsewhere.prepare("POST", "/api/rcan/heartbeat", { json: { status: "online" } });
    const request = new Request(wrongHost.url, { method: "POST", headers: wrongHost.headers, body: wrongHost.body });
    expect(await caught(withRobot()(authInput(request, Buffer.from(wrongHost.body as Uint8Array))))).toMatchObject({
      code: "unauthenticated",
      reason: "signature_invalid",
    });
  });

  it("stores the nonce once and refuses the replay", async () => {
    const client = new RobotClient({ identity: robot, baseUrl: PUBLIC_URL });
    const prepared = client.prepare("GET", "/api/rcan/lookup?ruri=x");
    const before = await runtime.db.count(RobotNonces);
    await withRobot()(authInput(asReceived(prepared), null));
    expect(await runtime.db.count(RobotNonces)).toBe(before + 1);
    expect(await caught(withRobot()(authInput(asReceived(prepared), null)))).toMatchObject({
      code: "unauthenticated",
      reason: "nonce_replayed",
    });
  });

  it("does not spend a nonce for a signature that fails", async () => {
    const stranger = new RobotClient({ identity: createRobotIdentity(), baseUrl: PUBLIC_URL });
    const prepared = stranger.prepare("GET", "/api/rcan/lookup?ruri=x");
    const before = await runtime.db.count(RobotNonces);
    expect(await caught(withRobot()(authInput(asReceived(prepared), null)))).toMatchObject({
      reason: "signature_invalid",
    });
    expect(await runtime.db.count(RobotNonces)).toBe(before);
  });

  it("streams a signed body through, and errors at its end when the body was changed", async () => {
    const client = new RobotClient({ identity: robot, baseUrl: PUBLIC_URL });
    const payload = new TextEncoder().encode("x".repeat(100_000));
    const good = client.prepare("PUT", "/api/upload", {
      body: payload,
      headers: { "Content-Type": "application/gzip" },
    });
    const ok = await withRobot()(authInput(asReceived(good), null));
    expect((await new Response(ok.body).arrayBuffer()).byteLength).toBe(100_000);

    const tampered = client.prepare("PUT", "/api/upload", {
      body: payload,
      headers: { "Content-Type": "application/gzip" },
    });
    const changed = new Uint8Array(payload);
    changed[99_999] = 0x79;
    const result = await withRobot()(authInput(asReceived(tampered, changed), null));
    const error = await new Response(result.body)
      .arrayBuffer()
      .then(() => null)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "unauthenticated", reason: "digest_mismatch" });
  });

  it("checks a body a direct route already read against the signed digest, in json and stream routes alike", async () => {
    setRuntime(runtime);
    const client = new RobotClient({ identity: robot, baseUrl: PUBLIC_URL });
    const received: string[] = [];
    const jsonRoute = createRoute(withRobot(), { body: z.unknown() }, async ({ body }) => {
      received.push(JSON.stringify(body));
      return { ok: true };
    });
    const streamRoute = createRoute(withRobot(), { bodyMode: "stream" }, async ({ bodyStream }) => {
      received.push(await new Response(bodyStream).text());
      return { ok: true };
    });
    const buffered = (prepared: SignedRequest, body: Uint8Array) =>
      requestWithBufferedBody(
        new URL(prepared.url.replace(PUBLIC_URL, "http://10.0.0.7:8080")),
        { method: prepared.method, headers: new Headers(prepared.headers) },
        Buffer.from(body),
      );
    for (const route of [jsonRoute, streamRoute]) {
      const signed = client.prepare("POST", "/api/direct", { json: { n: 1 } });
      expect((await route(buffered(signed, signed.body!))).status).toBe(200);
      const again = client.prepare("POST", "/api/direct", { json: { n: 1 } });
      const refused = await route(buffered(again, new TextEncoder().encode('{"n":2}')));
      expect(refused.status).toBe(401);
      expect(await refused.json()).toMatchObject({ error: { reason: "digest_mismatch" } });
    }
    expect(received).toEqual(['{"n":1}', '{"n":1}']);
  });

  it("registration verifies against the key in the body", async () => {
    const fresh = createRobotIdentity();
    const client = new RobotClient({ identity: fresh, baseUrl: PUBLIC_URL });
    const body = { provisioning_token: "cpt_x", ruri: fresh.ruri, public_key: fresh.publicKey };
    const prepared = client.prepare("POST", "/api/rcan/register", { json: body });
    const result = await withRobot({ registration: true })(
      authInput(asReceived(prepared), Buffer.from(prepared.body as Uint8Array)),
    );
    expect(result.actor).toEqual({ kind: "robot", deviceId: fresh.deviceId });

    const other = createRobotIdentity();
    const lying = client.prepare("POST", "/api/rcan/register", { json: { ...body, public_key: other.publicKey } });
    expect(
      await caught(
        withRobot({ registration: true })(authInput(asReceived(lying), Buffer.from(lying.body as Uint8Array))),
      ),
    ).toMatchObject({ reason: "signature_invalid" });
  });

  it("follows a key reset and a new key despite the cache", async () => {
    const system = runtime.contextFor({ kind: "system", name: "test" });
    const { token } = await createProvisioningToken(system, { model: "companion-v1" });
    const old = createRobotIdentity();
    await registerRobot(runtime.contextFor({ kind: "robot", deviceId: old.deviceId }), {
      provisioning_token: token,
      ruri: old.ruri,
      public_key: old.publicKey,
    });
    const oldClient = new RobotClient({ identity: old, baseUrl: PUBLIC_URL });
    const signed = () => oldClient.prepare("GET", "/api/rcan/lookup?ruri=x");
    await withRobot()(authInput(asReceived(signed()), null)); // now cached

    const admin = runtime.contextFor({ kind: "user", uid: "admin", role: "admin", email: "admin@example.test" });
    await resetRobotKey(admin, { device_id: old.deviceId });
    robotKeyCache(runtime).invalidate(old.deviceId); // what the reset route does
    expect(await caught(withRobot()(authInput(asReceived(signed()), null)))).toMatchObject({
      reason: "signature_invalid",
    });

    // Reset and re-keyed by another instance: this process still caches the old key, and the
    // fresh read after the failed check lets the new key in.
    const other = createRobotIdentity();
    await registerRobot(runtime.contextFor({ kind: "robot", deviceId: other.deviceId }), {
      provisioning_token: token,
      ruri: other.ruri,
      public_key: other.publicKey,
    });
    const otherClient = new RobotClient({ identity: other, baseUrl: PUBLIC_URL });
    await withRobot()(authInput(asReceived(otherClient.prepare("GET", "/api/rcan/lookup?ruri=a")), null));
    expect(robotKeyCache(runtime).peek(other.deviceId)?.publicKey).toBe(other.publicKey);
    const { reenrolment_token } = await resetRobotKey(admin, { device_id: other.deviceId });
    const renewed = createRobotIdentity({ ruri: other.ruri });
    await registerRobot(runtime.contextFor({ kind: "robot", deviceId: other.deviceId }), {
      reenrolment_token,
      ruri: other.ruri,
      public_key: renewed.publicKey,
    });
    const newClient = new RobotClient({ identity: renewed, baseUrl: PUBLIC_URL });
    const result = await withRobot()(authInput(asReceived(newClient.prepare("GET", "/api/rcan/lookup?ruri=b")), null));
    expect(result.actor).toEqual({ kind: "robot", deviceId: other.deviceId });
    expect(robotKeyCache(runtime).peek(other.deviceId)?.publicKey).toBe(renewed.publicKey);
  });
});

describe("RobotKeyCache", () => {
  it("forgets entries after the TTL", async () => {
    let now = 1_000_000;
    const fake = { now: () => new Date(now), db: runtime.db, services: { registry: new Map() } } as unknown as Runtime;
    const cache = new RobotKeyCache(fake);
    expect(await cache.load(robot.deviceId)).toMatchObject({ publicKey: robot.publicKey });
    expect(cache.peek(robot.deviceId)).not.toBeNull();
    now += ROBOT_KEY_CACHE_TTL_MS + 1;
    expect(cache.peek(robot.deviceId)).toBeNull();
    expect(await cache.load("ffffffff")).toBeNull();
    expect(cache.peek("ffffffff")).toBeNull();
  });
});
