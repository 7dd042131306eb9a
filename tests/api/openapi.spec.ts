/**
 * The API reference against the running server: the served OpenAPI document is sound, /docs/api
 * shows every robot-facing operation with a request and an answer, and every example of every
 * robot-facing operation is sent as documented — really signed by a registered robot, after the
 * state it needs was made (provisioning token, episode uploads, a production OTA bundle) — and
 * answered with the documented status and a body the documented schema accepts, strictly.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { examplePath } from "../../components/docs/api-example-text";
import { buildTar, buildZip, upstreamDirectory, upstreamFile } from "../../lib/rlds/__fixtures__/archives";
import { OPERATIONS, WEBSOCKETS } from "../../server/http/openapi/operations";
import { EXAMPLE, EXAMPLE_ROBOT, EXAMPLE_TOKEN } from "../../server/http/openapi/operations/common";
import { EXAMPLE_UPLOAD_URL } from "../../server/http/openapi/operations/episodes";
import { EXAMPLE_DOWNLOAD_URL } from "../../server/http/openapi/operations/ota";
import type { OperationExample, OperationSpec } from "../../server/http/openapi/types";
import {
  checkOpenApiDocument,
  componentOfRef,
  validateAgainstComponent,
} from "../../server/http/openapi/validate-openapi-document";
import { createRobotIdentity, RobotClient, type SignedRequest } from "../../tools/robot-client";
import { buildBundle, operatorUser, rollout, seedProductionModel, uniqueRobotModel } from "../support/ota";
import { connectClient, connectRobot, ownedRobot, verify, wsUrl, type TestSocket } from "../support/remote";
import { adminApi, signUpAndSignIn } from "../support/users";

type Document = {
  paths: Record<string, Record<string, { responses: Record<string, ResponseObject> }>>;
  components: { schemas: Record<string, unknown> };
};
type ResponseObject = { content?: Record<string, { schema: { $ref?: string } }>; headers?: Record<string, unknown> };

/**
 * The order the examples run in: each leaves what the next needs (the registered robot, the
 * upload URL, the uploaded archive, the offered bundle). Every example of every robot-facing
 * operation must be listed (a test below fails otherwise).
 */
const RUN_ORDER: Array<[operationId: string, exampleId: string]> = [
  ["registerRobot", "register"],
  ["recordHeartbeat", "heartbeat"],
  ["recordHeartbeat", "replay"],
  ["lookupRobot", "lookup"],
  ["requestEpisodeUpload", "archive"],
  ["putSignedBlob", "archive"],
  ["ingestEpisode", "archive"],
  ["listRobotEpisodes", "validated"],
  ["uploadXrEpisode", "zip"],
  ["requestEpisodeUpload", "direct"],
  ["putEpisodeUpload", "json"],
  ["getSignedBlob", "range"],
  ["headSignedBlob", "head"],
  ["getFieldIndex", "index"],
  ["checkForUpdate", "offer"],
  ["headBundle", "head"],
  ["downloadBundle", "resume"],
  ["reportDeployment", "installed"],
  ["checkForUpdate", "none"],
  ["getOtaPublicKey", "json"],
  ["getOtaPublicKey", "base64"],
  ["getOtaJwks", "jwks"],
];

const robotFacing = OPERATIONS.filter((operation) => operation.robotFacing);
const byId = new Map(OPERATIONS.map((operation) => [operation.operationId, operation]));

test("every robot-facing example is in the run order, once", () => {
  const all = robotFacing.flatMap((operation) =>
    (operation.examples ?? []).map((example) => `${operation.operationId} ${example.id}`),
  );
  expect(RUN_ORDER.map(([operation, example]) => `${operation} ${example}`).sort()).toEqual(all.sort());
});

test("GET /api/openapi.json serves a sound OpenAPI 3.1 document of every operation", async ({ request }) => {
  const response = await request.get("/api/openapi.json");
  expect(response.status()).toBe(200);
  expect(response.headers()["content-type"]).toContain("application/json");
  const document = (await response.json()) as Document & { openapi: string; servers: Array<{ url: string }> };
  expect(document.openapi).toMatch(/^3\.1\./);
  expect(checkOpenApiDocument(document)).toEqual([]);
  for (const operation of OPERATIONS) {
    expect(document.paths[operation.path]?.[operation.method.toLowerCase()], operation.operationId).toBeDefined();
  }
});

test("/docs/api shows every robot-facing operation with a request and an answer", async ({ request }) => {
  const response = await request.get("/docs/api");
  expect(response.status()).toBe(200);
  const html = await response.text();
  for (const operation of robotFacing) {
    expect(html, operation.operationId).toContain(`data-testid="operation-${operation.operationId}"`);
    for (const example of operation.examples ?? []) {
      expect(html).toContain(`data-testid="example-request-${operation.operationId}-${example.id}"`);
      expect(html).toContain(`data-testid="example-response-${operation.operationId}-${example.id}"`);
    }
  }
  expect(html).toContain('data-testid="operation-relaySignal"');
});

test("every robot-facing example runs against the server as documented", async ({ baseURL }) => {
  test.setTimeout(180_000);
  const base = baseURL as string;
  const document = (await (await fetch(`${base}/api/openapi.json`)).json()) as Document;
  const admin = await adminApi(base);
  const operator = await operatorUser(base, admin);

  // The state the examples need: a provisioning token for a robot model of this test, the robot
  // that registers with it, and a production bundle of that model.
  const model = uniqueRobotModel("openapi");
  const created = await admin.post("/api/console/provisioning-tokens", { data: { model, label: "openapi e2e" } });
  expect(created.status()).toBe(201);
  const { token } = (await created.json()) as { token: string };
  const robot = new RobotClient({ identity: createRobotIdentity({ model }), baseUrl: base });
  const episodeIds = ["ep_kitchen_0001", "ep_kitchen_0002", "ep_kitchen_0003"];
  const bundle = await buildBundle(operator.api, {
    model_id: await seedProductionModel(model, "1.1.0"),
    version: "1.1.0",
  });
  await rollout(operator.api, bundle.bundle_id, "stage");
  await rollout(operator.api, bundle.bundle_id, "approve", { to: "production" });

  const episodeDir = "episodes/autonomous_learning_1765939335_7cada579";
  const archive = await buildTar(upstreamDirectory(episodeDir));
  const zip = await buildZip(upstreamDirectory(episodeDir));

  // The example's values, swapped for this run's (longest first, so a RURI is replaced whole).
  const swaps = new Map<string, string>([
    [EXAMPLE_ROBOT.ruri, robot.ruri],
    [EXAMPLE_ROBOT.publicKey, robot.identity.publicKey],
    [EXAMPLE_TOKEN, token],
    [EXAMPLE.bundleId, bundle.bundle_id],
    [EXAMPLE.checksum, `sha256:${createHash("sha256").update(archive).digest("hex")}`],
    [EXAMPLE_ROBOT.deviceId, robot.deviceId],
    ...episodeIds.map((id, index): [string, string] => [id, `oa_${robot.deviceId}_${index + 1}`]),
  ]);
  /** Whole URLs learned from earlier answers (upload and download links). */
  const urls = new Map<string, string>();
  const swap = <T>(value: T): T => {
    let text = JSON.stringify(value);
    for (const [from, to] of [...swaps].sort((a, b) => b[0].length - a[0].length)) {
      text = text.replaceAll(from, to).replaceAll(encodeURIComponent(from), encodeURIComponent(to));
    }
    return JSON.parse(text) as T;
  };

  /** The headers the upload grant says to send with its URL. */
  let grantHeaders: Record<string, string> = {};
  let lastHeartbeat: SignedRequest | null = null;
  const executed: string[] = [];

  async function send(operation: OperationSpec, example: OperationExample): Promise<Response> {
    if (operation.operationId === "recordHeartbeat" && example.id === "replay") {
      // The same signed request a second time.
      expect(lastHeartbeat).not.toBeNull();
      return fetch(lastHeartbeat!.url, {
        method: lastHeartbeat!.method,
        headers: lastHeartbeat!.headers,
        body: lastHeartbeat!.body,
      });
    }
    const documentedUrl = `${EXAMPLE.origin}${examplePath(operation, example)}`;
    const learned = urls.get(documentedUrl);
    const path = learned ? learned.slice(new URL(learned).origin.length) : examplePath(operation, swap(example));
    const headers = swap(example.headers ?? {});
    let body: Uint8Array | string | undefined;
    let json: unknown;
    if (example.body !== undefined) {
      json = swap(example.body);
      // The example declares its archive's size; this run's archive has its own.
      if (operation.operationId === "requestEpisodeUpload" && example.id === "archive")
        (json as { size_bytes: number }).size_bytes = archive.length;
    } else if (example.rawBody !== undefined) {
      body = {
        putSignedBlob: archive,
        uploadXrEpisode: zip,
        putEpisodeUpload: readFileSync(upstreamFile("episodes/studio_mock_editor.json"), "utf8"),
      }[operation.operationId];
      expect(body, `${operation.operationId}: bytes for ${example.rawBody}`).toBeDefined();
    }
    if (operation.auth[0] === "robot") {
      const prepared = robot.prepare(
        operation.method,
        path,
        json !== undefined ? { json, headers } : { body: body as Uint8Array<ArrayBuffer> | string, headers },
      );
      if (operation.operationId === "recordHeartbeat") lastHeartbeat = prepared;
      return fetch(prepared.url, { method: prepared.method, headers: prepared.headers, body: prepared.body });
    }
    // Signed URLs and public endpoints: no credentials at all.
    if (learned && !learned.startsWith(base)) {
      // A cloud deployment's signed URL (Cloud Storage), with the headers the grant listed.
      return fetch(learned, {
        method: operation.method,
        headers: operation.method === "PUT" ? grantHeaders : headers,
        body: body as BodyInit | undefined,
      });
    }
    return fetch(`${base}${path}`, {
      method: operation.method,
      headers: json !== undefined ? { "content-type": "application/json", ...headers } : headers,
      body: json !== undefined ? JSON.stringify(json) : (body as BodyInit | undefined),
    });
  }

  for (const [operationId, exampleId] of RUN_ORDER) {
    const operation = byId.get(operationId)!;
    const example = operation.examples!.find((candidate) => candidate.id === exampleId)!;
    await test.step(`${operation.method} ${operation.path} — ${example.title}`, async () => {
      if (operationId === "getSignedBlob") {
        // A signed GET link of this run: the console's download link of a file of the XR episode.
        const detail = (await (await admin.get(`/api/console/episodes/${swap("ep_kitchen_0003")}`)).json()) as {
          files: Array<{ path: string; download_url: string | null }>;
        };
        const file = detail.files.find((candidate) => candidate.path === "metadata.json");
        expect(file?.download_url, JSON.stringify(detail.files.map((f) => f.path))).toBeTruthy();
        urls.set(`${EXAMPLE.origin}${examplePath(operation, example)}`, file!.download_url!);
        const head = byId.get("headSignedBlob")!;
        urls.set(`${EXAMPLE.origin}${examplePath(head, head.examples![0]!)}`, file!.download_url!);
      }
      const learned = urls.get(`${EXAMPLE.origin}${examplePath(operation, example)}`);
      if (operation.auth.includes("signed-url") && learned && !learned.startsWith(base)) {
        // In the cloud the link is Cloud Storage's: the robot's request still goes there (so the
        // next examples have their upload), but this route and its documented answer are not involved.
        // (Cloud Storage's signature names the method: a GET link does not answer HEAD there.)
        if (operation.method !== "HEAD") {
          const response = await send(operation, example);
          expect(response.status, await response.text()).toBeLessThan(300);
        }
        test.info().annotations.push({
          type: "cloud",
          description: `${operationId} ${exampleId}: the signed URL is Cloud Storage's, not this route`,
        });
        return;
      }
      const response = await send(operation, example);
      const contentType = response.headers.get("content-type") ?? "";
      const text = await response.text();
      expect({ status: response.status, body: text.slice(0, 500) }).toMatchObject({ status: example.status });
      const documented =
        document.paths[operation.path]![operation.method.toLowerCase()]!.responses[String(example.status)]!;
      if (example.response !== undefined) {
        expect(contentType).toContain("application/json");
        const ref = Object.values(documented.content ?? {})[0]?.schema.$ref;
        const body = JSON.parse(text) as unknown;
        expect(validateAgainstComponent(document, componentOfRef(ref)!, body), text.slice(0, 2000)).toEqual([]);
        // Links and ids later examples use.
        if (operationId === "requestEpisodeUpload" && exampleId === "archive") {
          const grant = body as { upload_url: string; headers: Record<string, string> };
          urls.set(EXAMPLE_UPLOAD_URL, grant.upload_url);
          grantHeaders = grant.headers;
        }
        if (operationId === "checkForUpdate" && exampleId === "offer")
          urls.set(EXAMPLE_DOWNLOAD_URL, (body as { update: { download_url: string } }).update.download_url);
      } else {
        const media = Object.keys(documented.content ?? {}).map((type) => type.split(";")[0]);
        if (media.length > 0 && example.responseText !== undefined && !media.includes("*/*"))
          expect(media).toContain(contentType.split(";")[0]);
        if (operation.method === "HEAD") expect(text).toBe("");
      }
      for (const name of Object.keys(example.responseHeaders ?? {})) {
        expect(response.headers.get(name), `header ${name}`).not.toBeNull();
      }
      executed.push(`${operationId} ${exampleId}`);
    });
  }
  test.info().annotations.push({ type: "executed", description: executed.join(", ") });
  const cloud = test.info().annotations.filter((annotation) => annotation.type === "cloud").length;
  expect(executed.length + cloud).toBe(RUN_ORDER.length);
});

test("the relay's WebSocket examples run as a robot's exchange, and every message is a documented RelayMessage", async ({
  baseURL,
}) => {
  const base = baseURL as string;
  const document = (await (await fetch(`${base}/api/openapi.json`)).json()) as Document;
  const admin = await adminApi(base);
  const owner = await signUpAndSignIn(base, "openapi-owner");
  const { robot, proof } = await ownedRobot(base, admin, owner);
  const socket = WEBSOCKETS[0]!;
  const robotSide = connectRobot(robot);
  await robotSide.opened;
  let client: TestSocket | null = null;
  let sessionId = "";
  /** The example's session, swapped for the live one. */
  const live = (message: unknown) =>
    JSON.parse(JSON.stringify(message).replaceAll(/rs_[0-9a-z]{26}/g, sessionId)) as Record<string, unknown>;
  for (const example of socket.examples) {
    await test.step(`${example.direction}: ${example.title}`, async () => {
      if (example.id === "peer_joined") {
        // A client joins: its owner verifies with the robot's claim proof and connects with the token.
        const session = await verify(owner, robot, proof);
        sessionId = session.session_id;
        client = connectClient(wsUrl(base, `/api/remote/signal/${robot.deviceId}`), session.session_token);
        await client.opened;
      }
      const message = live(example.message);
      if (!example.malformed) expect(validateAgainstComponent(document, socket.messageName, message)).toEqual([]);
      if (example.direction === "robot → relay") {
        const { v: _v, ...rest } = message;
        robotSide.send(rest);
        if (!example.malformed && ["answer", "data"].includes(message.type as string)) {
          // Forwarded to the client as sent (the relay stamps the session).
          const forwarded = await client!.next(message.type as "answer" | "data");
          expect(validateAgainstComponent(document, socket.messageName, forwarded)).toEqual([]);
          expect(forwarded).toMatchObject(message);
        }
        return;
      }
      const received = await robotSide.next(
        message.type as "pong" | "status" | "error",
        (candidate) => !("state" in message) || (candidate as { state?: unknown }).state === message.state,
      );
      expect(validateAgainstComponent(document, socket.messageName, received)).toEqual([]);
      expect(Object.keys(received).sort()).toEqual(Object.keys(message).sort());
      const { expires_at: _expires, user_uid: _user, ice_servers: _ice, ...fixed } = message;
      expect(received).toMatchObject(fixed);
    });
  }
  robotSide.ws.close();
  (client as TestSocket | null)?.ws.close();
});
