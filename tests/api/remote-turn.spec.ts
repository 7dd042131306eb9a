import { expect, test } from "@playwright/test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTurnClient } from "werift";
import { turnRestCredential } from "../../lib/remote/ice-servers";
import { startCoturn, type Coturn } from "../support/coturn";
import { connectClient, connectRobot, ownedRobot, verify } from "../support/remote";
import { startTestServer, type TestServer } from "../support/test-server";
import { signUpAndSignIn } from "../support/users";

/**
 * TURN credentials from a running server, checked by a real coturn started here with the same
 * shared secret: what verify gives the owner and what the relay gives the robot both allocate, and
 * a datagram crosses coturn between the two allocations; an expired credential and one made with
 * another secret are refused by coturn.
 */
let coturn: Coturn;
let server: TestServer;

test.beforeAll(async () => {
  coturn = await startCoturn();
  server = await startTestServer({
    dataDir: mkdtempSync(join(tmpdir(), "remote-turn-")),
    env: { TURN_URLS: coturn.urls.join(","), TURN_SECRET: coturn.secret },
  });
});

test.afterAll(async () => {
  await server?.stop();
  await coturn?.stop();
});

type IceServer = { urls: string | string[]; username?: string; credential?: string };

function turnEntry(servers: IceServer[]): { username: string; credential: string } {
  const entry = servers.find((server) => [server.urls].flat().some((url) => url.startsWith("turn:")));
  if (!entry?.username || !entry.credential) throw new Error(`no TURN credentials in ${JSON.stringify(servers)}`);
  return { username: entry.username, credential: entry.credential };
}

function allocate(credential: { username: string; credential: string }) {
  return createTurnClient({
    address: [coturn.ip, coturn.port],
    username: credential.username,
    password: credential.credential,
  });
}

test("the owner's and the robot's TURN credentials allocate on coturn and relay between each other", async () => {
  const admin = await signUpAndSignIn(server.url, "turn-admin");
  expect(admin.role).toBe("admin");
  const owner = await signUpAndSignIn(server.url, "turn-owner");
  const { robot, proof } = await ownedRobot(server.url, admin.api, owner);
  const session = await verify(owner, robot, proof);
  expect(session.ice_servers).toEqual([
    { urls: [`stun:${coturn.ip}:${coturn.port}`] },
    {
      urls: [`turn:${coturn.ip}:${coturn.port}?transport=udp`],
      username: expect.stringMatching(/^\d+:user_/),
      credential: expect.any(String),
    },
  ]);
  const userCredential = turnEntry(session.ice_servers);
  expect(Number(userCredential.username.split(":")[0]) * 1000).toBe(Date.parse(session.expires_at));

  const robotSocket = connectRobot(robot);
  await robotSocket.opened;
  const client = connectClient(session.robot_endpoint, session.session_token);
  await client.opened;
  const joined = await robotSocket.next("status", (m) => m.state === "peer_joined");
  const robotCredential = turnEntry(joined.ice_servers ?? []);
  expect(robotCredential.username).toMatch(new RegExp(`^\\d+:robot_${robot.deviceId}$`));

  const userTurn = await allocate(userCredential);
  const robotTurn = await allocate(robotCredential);
  try {
    const received = new Promise<string>((resolve) => robotTurn.onData.subscribe((data) => resolve(data.toString())));
    await robotTurn.getPermission(userTurn.relayedAddress);
    await userTurn.getPermission(robotTurn.relayedAddress);
    await userTurn.sendData(Buffer.from("through coturn"), robotTurn.relayedAddress);
    expect(await received).toBe("through coturn");
  } finally {
    await userTurn.close();
    await robotTurn.close();
    robotSocket.ws.close();
    client.ws.close();
  }
});

test("coturn refuses an expired credential and one made with another secret", async () => {
  const past = turnRestCredential(coturn.secret, { subject: "user_x", expiresAt: new Date(Date.now() - 60_000) });
  const forged = turnRestCredential("not-the-shared-secret", {
    subject: "user_x",
    expiresAt: new Date(Date.now() + 3600_000),
  });
  for (const credential of [past, forged]) {
    await expect(allocate({ username: credential.username, credential: credential.credential })).rejects.toBeTruthy();
  }
  expect(coturn.log()).toContain(`Cannot find credentials of user <${past.username}>`);
});
