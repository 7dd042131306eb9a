/**
 * The robot API's documented examples. The docs pages render them and `tests/api/robots-docs.spec.ts`
 * runs each one against a real server (with a fresh robot in place of the example robot) and checks
 * the status and the shape of the answer, so the docs cannot drift from the API.
 */
import example from "@/lib/crypto/__fixtures__/heartbeat-signature-example.json" with { type: "json" };

/** The example robot (the worked signature example's test key: never use it for a real robot). */
export const EXAMPLE_ROBOT = {
  deviceId: example.robot.device_id,
  ruri: example.robot.ruri,
  publicKey: example.robot.public_key,
  fingerprint: example.robot.public_key_fingerprint,
  privateKeyPem: example.robot.private_key_pem,
};
export const EXAMPLE_TOKEN = "cpt_3q9Zb1c8Xr2LwT0yVnE5kHfG7sJdP4mQaU6oYiRtBz";
export const EXAMPLE_USER = "usr_01jc4m2x7k9d3f5g8h2j4k6m8n";
export const EXAMPLE_TIME = "2026-06-01T12:00:00.000Z";

/** Who sends the example: a robot signing with its key (registration: the key being registered), or a signed-in user. */
export type ExampleAuth = "robot" | "registration" | "user";

export interface ApiExample {
  id: string;
  title: string;
  method: "GET" | "POST";
  /** Path and query. */
  path: string;
  auth: ExampleAuth;
  request?: Record<string, unknown>;
  status: number;
  response: unknown;
  note?: string;
}

const registryDocument = {
  device_id: EXAMPLE_ROBOT.deviceId,
  ruri: EXAMPLE_ROBOT.ruri,
  manufacturer: "continuon",
  model: "companion-v1",
  name: "Kitchen helper",
  status: "online",
  capabilities: ["telemetry", "camera", "arm"],
  registered_at: EXAMPLE_TIME,
  claimed: false,
  registry: "continuon.cloud",
  reported_status: "online",
  owner_uid: null,
  claimed_at: null,
  last_heartbeat: EXAMPLE_TIME,
  offline_after: "2026-06-01T12:03:00.000Z",
  heartbeat_interval_s: 60,
  firmware_version: "1.4.2",
  brain_version: "0.1.0",
  current_bundle: null,
  endpoint: null,
  battery: null,
  tags: ["kitchen"],
  legacy_ids: ["brain-1765843752"],
  public_key: EXAMPLE_ROBOT.publicKey,
  key_fingerprint: EXAMPLE_ROBOT.fingerprint,
  key_registered_at: EXAMPLE_TIME,
  key_history: [
    {
      kind: "registered",
      at: EXAMPLE_TIME,
      by: "9f2c4e1a7b3d5f60c8e2a4b6d8f0a2c4e6b8d0f2a4c6e8b0d2f4a6c8e0b2d4f6",
      fingerprint: EXAMPLE_ROBOT.fingerprint,
      reason: null,
    },
  ],
  lookup_visibility: "private",
  reenrolment_expires_at: null,
};

export const API_EXAMPLES: ApiExample[] = [
  {
    id: "register",
    title: "Register a robot",
    method: "POST",
    path: "/api/rcan/register",
    auth: "registration",
    request: {
      provisioning_token: EXAMPLE_TOKEN,
      ruri: EXAMPLE_ROBOT.ruri,
      public_key: EXAMPLE_ROBOT.publicKey,
      name: "Kitchen helper",
      capabilities: ["telemetry", "camera", "arm"],
      firmware_version: "1.4.2",
      brain_version: "0.1.0",
      tags: ["kitchen"],
      legacy_id: "brain-1765843752",
    },
    status: 201,
    response: registryDocument,
    note: "Signed with the key being registered. Registering again with the same key answers 200 with the same document and uses nothing.",
  },
  {
    id: "heartbeat",
    title: "Heartbeat",
    method: "POST",
    path: "/api/rcan/heartbeat",
    auth: "robot",
    request: {
      status: "online",
      firmware_version: "1.4.2",
      battery: 0.87,
      endpoint: { lan_ip: "192.168.1.42", lan_port: 8080 },
      metrics: { cpu_pct: 31, temperature_c: 47.5 },
    },
    status: 200,
    response: { server_time: "2026-06-01T12:01:00.000Z", next_heartbeat_s: 60, status: "online", pending: {} },
    note: "Every field is optional; an empty body says only “alive”. Send the next one after next_heartbeat_s seconds.",
  },
  {
    id: "lookup",
    title: "Look a robot up (as a robot)",
    method: "GET",
    path: `/api/rcan/lookup?ruri=${encodeURIComponent(EXAMPLE_ROBOT.ruri)}`,
    auth: "robot",
    status: 200,
    response: {
      ...registryDocument,
      last_heartbeat: "2026-06-01T12:01:00.000Z",
      offline_after: "2026-06-01T12:04:00.000Z",
      battery: 0.87,
      endpoint: { lan_ip: "192.168.1.42", lan_port: 8080, tunnel_url: null },
    },
    note: "A robot sees everything about itself. Another robot's public part (device_id, ruri, manufacturer, model, name, status, capabilities, registered_at, claimed) only when its owner published it (lookup_visibility: public); otherwise the answer is 404 robot_not_found, the same as for a robot that does not exist. `ruri` also takes a bare device id or a brain-<seconds> alias.",
  },
  {
    id: "claim",
    title: "Claim a robot (signed-in user)",
    method: "POST",
    path: "/api/robots/claim",
    auth: "user",
    request: { local_claim_proof: "eyJhbGciOiJFZERTQSIsInR5cCI6InJjYW4tY2xhaW0rand0Iiwia2lkIjoiMTRkNGI2ODAifQ.…" },
    status: 200,
    response: {
      robot: {
        ...registryDocument,
        claimed: true,
        owner_uid: EXAMPLE_USER,
        claimed_at: "2026-06-01T12:02:00.000Z",
        last_heartbeat: "2026-06-01T12:01:00.000Z",
        offline_after: "2026-06-01T12:04:00.000Z",
        battery: 0.87,
        endpoint: { lan_ip: "192.168.1.42", lan_port: 8080, tunnel_url: null },
      },
      transferred_from: null,
      already_owner: false,
    },
    note: "With the session cookie of the user the proof names (sub). See the claim proof format below.",
  },
  {
    id: "replay",
    title: "A replayed request is refused",
    method: "POST",
    path: "/api/rcan/heartbeat",
    auth: "robot",
    request: { status: "online" },
    status: 401,
    response: {
      error: {
        code: "unauthenticated",
        message: 'Signature nonce was already used by keyid "14d4b680"',
        reason: "nonce_replayed",
        request_id: "req_01jc4m2x7k9d3f5g8h2j4k6m8n",
      },
    },
    note: "The same signed request sent a second time (same nonce), even after a restart or to another server instance.",
  },
];

/** The JSON an example shows for a request or an answer. */
export function pretty(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** A request as it goes on the wire (headers abbreviated), for the docs. */
export function httpText(example: ApiExample): string {
  const lines = [`${example.method} ${example.path} HTTP/1.1`, "Host: continuon.cloud"];
  if (example.request) lines.push("Content-Type: application/json");
  if (example.auth === "user") {
    // Cookie-authenticated writes must say they come from the console (/docs/security#csrf).
    if (!["GET", "HEAD"].includes(example.method)) lines.push("Origin: https://continuon.cloud");
    lines.push("Cookie: next-auth.session-token=…");
  } else {
    if (example.request) lines.push("Content-Digest: sha-256=:…:");
    lines.push(
      `Signature-Input: sig1=("@method" "@authority" "@path"${example.path.includes("?") ? ' "@query"' : ""}${example.request ? ' "content-digest"' : ""});created=…;expires=…;nonce="…";keyid="${EXAMPLE_ROBOT.deviceId}";alg="ed25519"`,
      "Signature: sig1=:…:",
    );
  }
  return example.request ? `${lines.join("\n")}\n\n${pretty(example.request)}` : lines.join("\n");
}
