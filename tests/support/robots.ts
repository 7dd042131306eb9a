/**
 * Robot helpers for API and browser specs: provisioning tokens through the admin API, robots that
 * register and sign through the real client, and hand-made signatures for the refusal cases.
 */
import { sign } from "node:crypto";
import type { APIRequestContext } from "@playwright/test";
import { createContentDigest } from "../../lib/crypto/content-digest";
import { buildSignatureBase } from "../../lib/crypto/http-signatures";
import { createRobotIdentity, RobotClient, type RobotIdentity } from "../../tools/robot-client";

export interface CreatedToken {
  token: string;
  token_id: string;
  state: string;
  use_count: number;
}

/** A provisioning token created by the admin through `POST /api/console/provisioning-tokens`. */
export async function createToken(admin: APIRequestContext, body: Record<string, unknown> = {}): Promise<CreatedToken> {
  const response = await admin.post("/api/console/provisioning-tokens", {
    data: { model: "companion-v1", label: "robots e2e", ...body },
  });
  if (response.status() !== 201) throw new Error(`provisioning token: ${response.status()} ${await response.text()}`);
  return (await response.json()) as CreatedToken;
}

/** A robot client with a fresh identity (not registered yet). */
export function newRobot(baseURL: string, identity: RobotIdentity = createRobotIdentity()): RobotClient {
  return new RobotClient({ identity, baseUrl: baseURL });
}

export function registrationBody(robot: RobotClient, token: string, extra: Record<string, unknown> = {}) {
  return { provisioning_token: token, ruri: robot.ruri, public_key: robot.identity.publicKey, ...extra };
}

/** A registered robot (its own key signs the registration). */
export async function registeredRobot(baseURL: string, token: string, extra: Record<string, unknown> = {}) {
  const robot = newRobot(baseURL);
  const response = await robot.request("POST", "/api/rcan/register", { json: registrationBody(robot, token, extra) });
  if (response.status !== 201) throw new Error(`register: ${response.status} ${await response.text()}`);
  return robot;
}

/** Send a request prepared (and possibly altered) by hand. */
export function send(request: { url: string; method: string; headers: Record<string, string>; body?: Uint8Array }) {
  const body = request.body ? new Uint8Array(request.body) : undefined; // a copy backed by a plain ArrayBuffer
  return fetch(request.url, { method: request.method, headers: request.headers, body });
}

/**
 * A request signed over chosen components and parameters, to build what a correct client never
 * sends (missing components, a clock far off).
 */
export function signCustom(
  robot: RobotClient,
  options: {
    method: string;
    path: string;
    json?: unknown;
    components: string[];
    created: number;
    expires?: number;
    nonce?: string;
  },
) {
  const url = robot.url(options.path);
  const body = options.json === undefined ? undefined : new TextEncoder().encode(JSON.stringify(options.json));
  const headers: Record<string, string> = {};
  if (body) {
    headers["Content-Type"] = "application/json";
    headers["Content-Digest"] = createContentDigest(body);
  }
  const params = new Map<string, string | number>([
    ["created", options.created],
    ["expires", options.expires ?? options.created + 300],
    ["nonce", options.nonce ?? `n-${Math.random().toString(36).slice(2)}-${Date.now()}`],
    ["keyid", robot.deviceId],
    ["alg", "ed25519"],
  ]);
  const { signatureBase, signatureParams } = buildSignatureBase(
    { method: options.method, url, headers },
    options.components,
    params,
  );
  const signature = sign(null, Buffer.from(signatureBase, "utf8"), robot.identity.privateKey).toString("base64");
  return {
    url,
    method: options.method,
    headers: { ...headers, "Signature-Input": `sig1=${signatureParams}`, Signature: `sig1=:${signature}:` },
    body,
  };
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The robot's detail as an admin sees it (`GET /api/robots/{id}`), or null when it does not exist. */
export async function robotDetail(admin: APIRequestContext, deviceId: string) {
  const response = await admin.get(`/api/robots/${deviceId}?history_hours=24`);
  if (response.status() === 404) return null;
  if (!response.ok()) throw new Error(`robot detail: ${response.status()} ${await response.text()}`);
  return (await response.json()) as {
    robot: Record<string, unknown> & { owner_uid: string | null; last_heartbeat: string; status: string };
    heartbeats: Array<{ at: string; battery: number | null }>;
  };
}

/** A provisioning token's current record, from the admin list. */
export async function tokenRecord(admin: APIRequestContext, tokenId: string) {
  const response = await admin.get("/api/console/provisioning-tokens?limit=200");
  const { tokens } = (await response.json()) as { tokens: CreatedToken[] };
  return tokens.find((token) => token.token_id === tokenId) ?? null;
}
