import { expect, test } from "@playwright/test";
import { API_EXAMPLES, EXAMPLE_ROBOT, EXAMPLE_TOKEN, type ApiExample } from "../../app/docs/robot-api/examples";
import { claimProofExample, CLAIM_EXAMPLE_IAT } from "../../app/docs/signatures/claim-proof-example";
import example from "../../lib/crypto/__fixtures__/heartbeat-signature-example.json" with { type: "json" };
import { importPublicKeyRaw } from "../../lib/crypto/ed25519-keys";
import { parseSignatureHeaders, signRequest } from "../../lib/crypto/http-signatures";
import { importPrivateKeyPem } from "../../lib/crypto/ed25519-keys";
import { verifyClaimProof } from "../../lib/robots/claim-proof";
import { signRobotRequest } from "../../tools/robot-client";
import { createToken, newRobot, send } from "../support/robots";
import { adminApi, signUpAndSignIn } from "../support/users";

/** The JSON type of a value, for comparing shapes. */
function kind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/**
 * The documented answer and the real one have the same fields with the same JSON types (objects
 * compared recursively, arrays by their first element).
 */
function expectSameShape(actual: unknown, documented: unknown, path = "$"): void {
  expect(kind(actual), path).toBe(kind(documented));
  if (kind(documented) === "object") {
    const a = actual as Record<string, unknown>;
    const d = documented as Record<string, unknown>;
    expect(Object.keys(a).sort(), path).toEqual(Object.keys(d).sort());
    for (const key of Object.keys(d)) expectSameShape(a[key], d[key], `${path}.${key}`);
  } else if (kind(documented) === "array") {
    const a = actual as unknown[];
    const d = documented as unknown[];
    if (d.length > 0 && a.length > 0) expectSameShape(a[0], d[0], `${path}[0]`);
  }
}

test("every robot API example in the docs runs against the server as documented", async ({ baseURL }) => {
  const base = baseURL as string;
  const admin = await adminApi(base);
  const { token } = await createToken(admin);
  const robot = newRobot(base);
  const user = await signUpAndSignIn(base, "docs-owner");
  // The example robot's values, swapped for this run's robot and token.
  const substitute = (value: unknown) =>
    JSON.parse(
      JSON.stringify(value)
        .replaceAll(EXAMPLE_TOKEN, token)
        .replaceAll(EXAMPLE_ROBOT.ruri, robot.ruri)
        .replaceAll(encodeURIComponent(EXAMPLE_ROBOT.ruri), encodeURIComponent(robot.ruri))
        .replaceAll(EXAMPLE_ROBOT.publicKey, robot.identity.publicKey)
        .replaceAll(EXAMPLE_ROBOT.deviceId, robot.deviceId),
    ) as unknown;

  let lastHeartbeat: ReturnType<typeof robot.prepare> | null = null;
  const run = async (ex: ApiExample): Promise<{ status: number; body: unknown }> => {
    const path = substitute(ex.path) as string;
    const body = ex.request ? substitute(ex.request) : undefined;
    if (ex.id === "claim") {
      const response = await user.api.post(path, { data: { local_claim_proof: robot.issueClaimProof(user.uid) } });
      return { status: response.status(), body: await response.json() };
    }
    if (ex.id === "replay") {
      expect(lastHeartbeat).not.toBeNull();
      const response = await send(lastHeartbeat!);
      return { status: response.status, body: await response.json() };
    }
    const prepared = robot.prepare(ex.method, path, body === undefined ? {} : { json: body });
    if (ex.id === "heartbeat") lastHeartbeat = prepared;
    const response = await send(prepared);
    return { status: response.status, body: await response.json() };
  };

  for (const ex of API_EXAMPLES) {
    await test.step(ex.id, async () => {
      const { status, body } = await run(ex);
      expect({ id: ex.id, status }).toEqual({ id: ex.id, status: ex.status });
      expectSameShape(body, ex.response, ex.id);
    });
  }
});

test("the signed-requests page shows the worked example byte for byte, and it verifies", async ({ request }) => {
  const response = await request.get("/docs/signatures");
  expect(response.status()).toBe(200);
  const html = await response.text();
  const text = (testId: string) => {
    const match = new RegExp(`data-testid="${testId}"[^>]*>([\\s\\S]*?)</code>`).exec(html);
    expect(match, testId).not.toBeNull();
    return match![1]!
      .replaceAll("&quot;", '"')
      .replaceAll("&#x27;", "'")
      .replaceAll("&lt;", "<")
      .replaceAll("&gt;", ">")
      .replaceAll("&amp;", "&");
  };
  const base = example.expected.signature_base_lines.join("\n");
  expect(text("example-signature-base")).toBe(base);
  expect(Buffer.byteLength(text("example-signature-base"))).toBe(example.expected.signature_base_length);
  expect(text("example-content-digest")).toBe(example.expected.content_digest);
  expect(text("example-signature")).toBe(example.expected.signature);
  expect(text("example-http-request")).toBe(example.expected.http_request.join("\n"));
  expect(text("example-public-key")).toBe(example.robot.public_key);

  // The server's signer and the robot client both produce exactly these bytes from the key.
  const privateKey = importPrivateKeyPem(example.robot.private_key_pem);
  const body = new TextEncoder().encode(example.request.body);
  const server = signRequest({
    method: example.request.method,
    url: example.request.url,
    headers: example.request.headers,
    body,
    keyId: example.signing.keyid,
    privateKey,
    created: example.signing.created,
    expiresInS: example.signing.expires - example.signing.created,
    nonce: example.signing.nonce,
  });
  const client = signRobotRequest({
    method: example.request.method,
    url: example.request.url,
    body,
    keyId: example.signing.keyid,
    privateKey,
    created: example.signing.created,
    expiresInS: example.signing.expires - example.signing.created,
    nonce: example.signing.nonce,
  });
  expect(server.Signature).toBe(text("example-signature"));
  expect(client.headers.Signature).toBe(text("example-signature"));
  expect(client.signatureBase).toBe(base);
  expect(
    parseSignatureHeaders({
      method: example.request.method,
      url: example.request.url,
      headers: { ...example.request.headers, ...server },
    }).signatureBase,
  ).toBe(base);

  // The claim proof shown verifies with the example robot's public key.
  const claim = await claimProofExample();
  expect(text("example-claim-proof").trim()).toBe(claim.token);
  const verified = await verifyClaimProof(claim.token, {
    publicKey: importPublicKeyRaw(example.robot.public_key),
    now: CLAIM_EXAMPLE_IAT,
  });
  expect(verified).toMatchObject({ deviceId: example.robot.device_id, iat: CLAIM_EXAMPLE_IAT });
});
