import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import example from "@/lib/crypto/__fixtures__/heartbeat-signature-example.json";
import { ContentDigestVerifier } from "@/lib/crypto/content-digest";
import { importPrivateKeyPem, importPublicKeyRaw } from "@/lib/crypto/ed25519-keys";
import { nonceReplayedError, verifyRequestSignature } from "@/lib/crypto/http-signatures";
import { DomainError } from "@/lib/errors";
import { verifyClaimProof } from "@/lib/robots/claim-proof";
import { createRobotIdentity, identityFromKey } from "./identity";
import { RobotApiError, RobotClient } from "./robot-client";

interface Captured {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: Uint8Array | undefined;
}

/** A fetch that records the request and answers with a fixed response. */
function recordingFetch(response: () => Response = () => Response.json({ ok: true })) {
  const calls: Captured[] = [];
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    calls.push({
      url: String(input),
      method: init?.method ?? "GET",
      headers: { ...(init?.headers as Record<string, string>) },
      body: init?.body as Uint8Array | undefined,
    });
    return response();
  }) as typeof fetch;
  return { calls, fetchImpl };
}

describe("RobotClient with a recording fetch", () => {
  it("sends the worked example exactly", async () => {
    const identity = identityFromKey(example.robot.ruri, importPrivateKeyPem(example.robot.private_key_pem));
    const { calls, fetchImpl } = recordingFetch();
    const client = new RobotClient({
      identity,
      baseUrl: "https://continuon.cloud",
      fetch: fetchImpl,
      now: () => example.signing.created,
      nonce: () => example.signing.nonce,
    });
    await client.request("POST", "/api/rcan/heartbeat", { json: JSON.parse(example.request.body) });
    const [call] = calls;
    expect(call?.url).toBe(example.request.url);
    expect(call?.method).toBe("POST");
    expect(new TextDecoder().decode(call?.body)).toBe(example.request.body);
    expect(call?.headers).toEqual({
      "Content-Type": "application/json",
      "Content-Digest": example.expected.content_digest,
      "Signature-Input": example.expected.signature_input,
      Signature: example.expected.signature,
    });
  });

  it("joins a base URL with a path prefix and upper-cases the method", async () => {
    const { calls, fetchImpl } = recordingFetch();
    const client = new RobotClient({
      identity: createRobotIdentity(),
      baseUrl: "http://127.0.0.1:3100/prefix/",
      fetch: fetchImpl,
    });
    await client.request("get", "/api/rcan/lookup?ruri=x");
    expect(calls[0]?.url).toBe("http://127.0.0.1:3100/prefix/api/rcan/lookup?ruri=x");
    expect(calls[0]?.method).toBe("GET");
    expect(calls[0]?.headers["Content-Digest"]).toBeUndefined();
    expect(calls[0]?.headers["Signature-Input"]).toContain('("@method" "@authority" "@path" "@query")');
  });

  it("signs raw bodies and keeps extra headers", async () => {
    const { calls, fetchImpl } = recordingFetch();
    const client = new RobotClient({
      identity: createRobotIdentity(),
      baseUrl: "https://continuon.cloud",
      fetch: fetchImpl,
    });
    const prepared = client.prepare("PUT", "/upload", {
      body: "raw bytes",
      headers: { "Content-Type": "application/gzip" },
    });
    expect(prepared.headers["Content-Type"]).toBe("application/gzip");
    expect(prepared.signatureBase).toContain('"content-digest": sha-256=:');
    await client.request("PUT", "/upload", { body: new Uint8Array([1, 2, 3]) });
    expect(calls[0]?.body).toEqual(new Uint8Array([1, 2, 3]));
  });

  it("refuses json and body together, a relative path and a bad base URL", () => {
    const client = new RobotClient({ identity: createRobotIdentity(), baseUrl: "https://continuon.cloud" });
    expect(() => client.prepare("POST", "/x", { json: {}, body: "x" })).toThrow("not both");
    expect(() => client.prepare("GET", "api/x")).toThrow('must start with "/"');
    expect(() => new RobotClient({ identity: createRobotIdentity(), baseUrl: "not a url" })).toThrow();
  });

  it("turns an error answer into RobotApiError", async () => {
    const { fetchImpl } = recordingFetch(() =>
      Response.json({ error: { code: "unauthenticated", message: "Signature expired" } }, { status: 401 }),
    );
    const client = new RobotClient({
      identity: createRobotIdentity(),
      baseUrl: "https://continuon.cloud",
      fetch: fetchImpl,
    });
    const error = await client.requestJson("POST", "/api/rcan/heartbeat", { json: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RobotApiError);
    expect(error).toMatchObject({ status: 401, code: "unauthenticated" });
    expect((error as Error).message).toBe("POST /api/rcan/heartbeat → 401 unauthenticated: Signature expired");
  });

  it("issues claim proofs the server accepts", async () => {
    const identity = createRobotIdentity();
    const client = new RobotClient({ identity, baseUrl: "https://continuon.cloud", now: () => 5000 });
    const token = client.issueClaimProof("user-alice");
    const verified = await verifyClaimProof(token, {
      publicKey: importPublicKeyRaw(identity.publicKey),
      expectedSub: "user-alice",
      expectedDeviceId: identity.deviceId,
      now: 5000,
    });
    expect(verified).toMatchObject({ deviceId: identity.deviceId, ruri: identity.ruri, iat: 5000 });
  });
});

describe("RobotClient against a real HTTP server verifying signatures", () => {
  // A minimal stand-in for the withRobot wrapper: verify headers, stream the body through the
  // digest check, refuse replayed nonces.
  const robots = new Map<string, ReturnType<typeof createRobotIdentity>>();
  const seenNonces = new Set<string>();
  let server: Server;
  let baseUrl: string;

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    };
    try {
      const verified = await verifyRequestSignature({
        method: request.method ?? "GET",
        url: `http://${request.headers.host}${request.url}`,
        headers: request.headers,
        now: Math.floor(Date.now() / 1000),
        publicKeyFor: async (keyId) => {
          const robot = robots.get(keyId);
          return robot ? importPublicKeyRaw(robot.publicKey) : null;
        },
      });
      const chunks: Buffer[] = [];
      await pipeline(
        request,
        new ContentDigestVerifier(verified.contentDigest).nodeTransform(),
        new Writable({
          write(chunk: Buffer, _encoding, callback) {
            chunks.push(chunk);
            callback();
          },
        }),
      );
      const nonceKey = `${verified.keyId}:${verified.nonce}`;
      if (seenNonces.has(nonceKey)) throw nonceReplayedError(verified.keyId);
      seenNonces.add(nonceKey);
      const received = Buffer.concat(chunks);
      reply(200, { device_id: verified.keyId, received: received.toString("utf8"), received_bytes: received.length });
    } catch (error) {
      if (error instanceof DomainError)
        reply(401, { error: { code: error.code, message: error.message, reason: error.reason } });
      else reply(500, { error: { code: "internal", message: "internal error" } });
    }
  }

  beforeAll(async () => {
    server = createServer((request, response) => void handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  });

  function registeredClient() {
    const identity = createRobotIdentity();
    robots.set(identity.deviceId, identity);
    return new RobotClient({ identity, baseUrl });
  }

  it("POST with a JSON body verifies and the body arrives intact", async () => {
    const client = registeredClient();
    const result = await client.requestJson<{ device_id: string; received: string }>("POST", "/api/rcan/heartbeat", {
      json: { status: "online", battery: 0.5 },
    });
    expect(result).toEqual({
      device_id: client.deviceId,
      received: '{"status":"online","battery":0.5}',
      received_bytes: 33,
    });
  });

  it("GET with a query verifies", async () => {
    const client = registeredClient();
    await expect(client.requestJson("GET", "/api/rcan/lookup?ruri=rcan%3A%2F%2Fx")).resolves.toMatchObject({
      device_id: client.deviceId,
      received: "",
    });
  });

  it("a large body verifies while streaming", async () => {
    const client = registeredClient();
    const body = new Uint8Array(2_000_000).map((_, i) => i % 251);
    const result = await client.requestJson<{ received_bytes: number }>("PUT", "/upload", { body });
    expect(result.received_bytes).toBe(2_000_000);
  });

  it("an unregistered robot is refused", async () => {
    const client = new RobotClient({ identity: createRobotIdentity(), baseUrl });
    await expect(client.requestJson("POST", "/api/rcan/heartbeat", { json: {} })).rejects.toMatchObject({
      status: 401,
      body: { error: { reason: "signature_unknown_key" } },
    });
  });

  it("a body changed in flight is refused with digest_mismatch", async () => {
    const client = registeredClient();
    const prepared = client.prepare("POST", "/api/rcan/heartbeat", { json: { status: "online" } });
    const response = await fetch(prepared.url, {
      method: prepared.method,
      headers: prepared.headers,
      body: new TextEncoder().encode('{"status":"hacked"}'),
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { reason: "digest_mismatch" } });
  });

  it("the same signed request sent twice is refused the second time with nonce_replayed", async () => {
    const client = registeredClient();
    const prepared = client.prepare("POST", "/api/rcan/heartbeat", { json: { status: "online" } });
    const send = () => fetch(prepared.url, { method: prepared.method, headers: prepared.headers, body: prepared.body });
    expect((await send()).status).toBe(200);
    const second = await send();
    expect(second.status).toBe(401);
    expect(await second.json()).toMatchObject({ error: { reason: "nonce_replayed" } });
  });

  it("a robot signing with its own key under another robot's id is refused", async () => {
    const victim = registeredClient();
    const attacker = createRobotIdentity();
    const impostor = new RobotClient({
      identity: { ...attacker, deviceId: victim.deviceId, ruri: victim.ruri },
      baseUrl,
    });
    await expect(impostor.requestJson("POST", "/api/rcan/heartbeat", { json: {} })).rejects.toMatchObject({
      status: 401,
      body: { error: { reason: "signature_invalid" } },
    });
  });
});
