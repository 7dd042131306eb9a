/**
 * Remote-session helpers for API and browser specs: a registered, claimed robot (through the real
 * endpoints, really signed), relay connections, and reads of the audit log.
 */
import type { APIRequestContext } from "@playwright/test";
import WebSocket from "ws";
import { BEARER_SUBPROTOCOL_PREFIX, SUBPROTOCOL } from "../../lib/remote/protocol";
import { TestSocket } from "../../server/relay/test-socket";
import { createRobotIdentity, RobotClient } from "../../tools/robot-client";
import type { SignedInUser } from "./users";

export { TestSocket };

/** A robot registered with a provisioning token the admin created. */
export async function registerRobot(baseURL: string, admin: APIRequestContext): Promise<RobotClient> {
  const created = await admin.post("/api/console/provisioning-tokens", {
    data: { model: "companion-v1", label: "remote e2e" },
  });
  if (created.status() !== 201) throw new Error(`provisioning token: ${created.status()} ${await created.text()}`);
  const { token } = (await created.json()) as { token: string };
  const client = new RobotClient({ identity: createRobotIdentity(), baseUrl: baseURL });
  await client.requestJson("POST", "/api/rcan/register", {
    json: {
      provisioning_token: token,
      ruri: client.ruri,
      public_key: client.identity.publicKey,
      name: "Remote e2e robot",
    },
  });
  return client;
}

/** A robot the user claimed with the robot's own proof; returns the robot and a fresh proof for verify. */
export async function ownedRobot(
  baseURL: string,
  admin: APIRequestContext,
  owner: SignedInUser,
): Promise<{ robot: RobotClient; proof: string }> {
  const robot = await registerRobot(baseURL, admin);
  const claim = await owner.api.post("/api/robots/claim", {
    data: { local_claim_proof: robot.issueClaimProof(owner.uid) },
  });
  if (!claim.ok()) throw new Error(`claim: ${claim.status()} ${await claim.text()}`);
  return { robot, proof: robot.issueClaimProof(owner.uid) };
}

export interface VerifyAnswer {
  verified: boolean;
  session_token: string;
  robot_endpoint: string;
  session_id: string;
  expires_at: string;
  ice_servers: Array<{ urls: string | string[]; username?: string; credential?: string }>;
}

export async function verify(owner: SignedInUser, robot: RobotClient, proof: string): Promise<VerifyAnswer> {
  const response = await owner.api.post("/api/remote/verify", {
    data: { robot_ruri: robot.ruri, user_uid: owner.uid, local_claim_proof: proof },
  });
  if (response.status() !== 200) throw new Error(`verify: ${response.status()} ${await response.text()}`);
  return (await response.json()) as VerifyAnswer;
}

/** A client connection with a session token (as a browser sends it: the bearer subprotocol). */
export function connectClient(url: string, token: string): TestSocket {
  return new TestSocket(new WebSocket(url, [SUBPROTOCOL, `${BEARER_SUBPROTOCOL_PREFIX}${token}`]));
}

/** An upgrade with no credentials at all. */
export function connectRaw(url: string, headers: Record<string, string> = {}): TestSocket {
  return new TestSocket(new WebSocket(url, { headers }));
}

/** A robot's signed relay connection (raw, for protocol tests; the simulator's peer does this itself). */
export function connectRobot(robot: RobotClient, path = `/api/remote/signal/${robot.deviceId}`): TestSocket {
  const signed = robot.prepare("GET", path);
  return new TestSocket(new WebSocket(signed.url.replace(/^http/, "ws"), { headers: signed.headers }));
}

export function wsUrl(baseURL: string, path: string): string {
  return `${baseURL.replace(/^http/, "ws")}${path}`;
}

/** The failed upgrade's HTTP status and error body. */
export async function refused(
  socket: TestSocket,
): Promise<{ status: number; body: { error: Record<string, unknown> } }> {
  return socket.opened.then(
    () => {
      throw new Error("the relay accepted a connection it should have refused");
    },
    (error: { status: number; body: { error: Record<string, unknown> } }) => error,
  );
}

export interface AuditRow {
  action: string;
  outcome: string;
  actor: { kind: string; id: string };
  target: { type: string; id: string } | null;
  details: Record<string, unknown>;
}

/** Audit entries for an action (newest first), waiting until `match` finds one (the relay writes them async). */
export async function auditEntry(
  admin: APIRequestContext,
  action: string,
  match: (entry: AuditRow) => boolean,
): Promise<AuditRow> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const response = await admin.get(`/api/console/audit?action=${encodeURIComponent(action)}&limit=200`);
    const entries = ((await response.json()) as { entries: AuditRow[] }).entries;
    const found = entries.find(match);
    if (found) return found;
    if (Date.now() > deadline)
      throw new Error(`no ${action} audit entry matched; saw ${JSON.stringify(entries.slice(0, 5))}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
