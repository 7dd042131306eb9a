import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test, type Page } from "../support/browser-test";
import { CHROMIUM_ARGS } from "../../playwright.config";
import type { RobotClient } from "../../tools/robot-client";
import { RemoteRobotPeer } from "../../tools/simulator/behaviors/remote-peer";
import { startCoturn, type Coturn } from "../support/coturn";
import { ownedRobot } from "../support/remote";
import { keepScreenshot } from "../support/screens";
import { startTestServer, type TestServer } from "../support/test-server";
import { signUpAndSignIn, type SignedInUser } from "../support/users";

/**
 * Remote sessions in Chromium against the simulator's robot peer (werift), inside the network
 * namespace `scripts/netns-run.sh` creates (Chromium gathers no ICE candidates on loopback alone):
 *
 *   bash scripts/netns-run.sh npx playwright test tests/browser/remote-webrtc.spec.ts
 *
 * coturn runs on the namespace's address as the deployment's STUN/TURN server. The second test
 * drops every UDP packet in the namespace (an `ip rule`), so ICE cannot succeed and the session must
 * work through the relay, saying so.
 */
const NETNS_IP = process.env.CONTINUON_NETNS_IP;
test.skip(!process.env.CONTINUON_NETNS || !NETNS_IP, "needs a network namespace: run it through scripts/netns-run.sh");
test.use({
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    // Raw host addresses instead of mDNS names: the robot peer resolves no .local names.
    args: [...CHROMIUM_ARGS, "--disable-features=WebRtcHideLocalIpsWithMdns"],
  },
});

let coturn: Coturn;
let server: TestServer;
let owner: SignedInUser;
let robot: RobotClient;
let peer: RemoteRobotPeer;

test.beforeAll(async () => {
  coturn = await startCoturn({ ip: NETNS_IP, port: 3478 });
  server = await startTestServer({
    dataDir: mkdtempSync(join(tmpdir(), "remote-rtc-")),
    env: { TURN_URLS: coturn.urls.join(","), TURN_SECRET: coturn.secret },
  });
  const admin = await signUpAndSignIn(server.url, "rtc-admin");
  owner = await signUpAndSignIn(server.url, "rtc-owner");
  ({ robot } = await ownedRobot(server.url, admin.api, owner));
  peer = new RemoteRobotPeer({ client: robot, telemetryHz: 5 });
  peer.start();
  await peer.connected();
});

test.afterAll(async () => {
  await peer?.stop();
  await server?.stop();
  await coturn?.stop();
});

/** Sign the page in as the owner, press Connect on the robot, paste its proof: the session page opens. */
async function connect(page: Page): Promise<string> {
  const state = await owner.api.storageState();
  await page.context().addCookies(state.cookies);
  await page.goto(`${server.url}/console/remote`);
  await page.getByTestId(`connect-${robot.deviceId}`).click();
  await page.getByLabel("Local claim proof").fill(robot.issueClaimProof(owner.uid));
  await page.getByRole("button", { name: "Verify and connect" }).click();
  await page.waitForURL(/\/console\/remote\/rs_[0-9a-z]{26}$/);
  await expect(page.getByTestId("remote-status")).toHaveText("Connected");
  return page.url().split("/").pop() as string;
}

async function setModeAndSeeAck(page: Page, mode: string): Promise<void> {
  await page.getByTestId("command-mode-select").selectOption(mode);
  await page.getByTestId("command-mode-send").click();
  await expect(page.locator(`[data-testid=command-entry][data-label="set_mode ${mode}"]`)).toHaveAttribute(
    "data-status",
    "completed",
  );
  await expect(page.getByTestId("telemetry-mode")).toHaveText(mode);
}

async function sessionOf(sessionId: string) {
  const response = await owner.api.get(`/api/remote/session?session_id=${sessionId}`);
  return (await response.json()) as { path: string; connection_type: string; bytes_relayed: number; status: string };
}

test("an owner connects over a direct WebRTC data channel, sees telemetry and gets set_mode acknowledged", async ({
  page,
}) => {
  const sessionId = await connect(page);
  await expect(page.getByTestId("telemetry-mode")).toBeVisible();
  await expect(page.getByTestId("remote-path")).toHaveAttribute("data-path", "direct", { timeout: 20_000 });
  await expect(page.getByTestId("remote-path")).toHaveText("Direct");
  await expect.poll(() => peer.activeSessions).toEqual([{ id: sessionId, direct: true }]);
  await setModeAndSeeAck(page, "autonomous");
  await page.getByTestId("command-say-text").fill("hello from the console");
  await page.getByTestId("command-say-send").click();
  await expect(page.getByTestId("telemetry-utterance")).toHaveText("hello from the console");
  await expect(page.getByTestId("remote-rtt")).toHaveText(/^\d+(\.\d+)? ms$/);
  await expect(page.getByTestId("remote-time-left")).toHaveText(/^(59|60):\d\d$/);
  expect(await sessionOf(sessionId)).toMatchObject({ status: "connected", path: "direct", connection_type: "webrtc" });
  await keepScreenshot(page, "remote-session-direct");

  await page.getByTestId("remote-disconnect").click();
  await expect(page.getByTestId("remote-ended")).toHaveAttribute("data-reason", "bye");
  await expect.poll(async () => (await sessionOf(sessionId)).status).toBe("disconnected");
});

test("with ICE blocked the same flow works through the relay, and the indicator says so", async ({ page }) => {
  // Every UDP packet in the namespace is refused: no host, STUN or TURN path can form.
  const rule = ["rule", "add", "pref", "10", "ipproto", "udp", "prohibit"];
  execFileSync("ip", ["rule", "del", "pref", "0"], { stdio: "ignore" });
  execFileSync("ip", ["rule", "add", "pref", "100", "lookup", "local"]);
  execFileSync("ip", rule);
  try {
    const sessionId = await connect(page);
    await expect(page.getByTestId("telemetry-mode")).toBeVisible();
    await expect(page.getByTestId("remote-path-detail")).toHaveText(/ICE failed|not reachable/, { timeout: 30_000 });
    await expect(page.getByTestId("remote-path")).toHaveAttribute("data-path", "relay");
    await expect(page.getByTestId("remote-path")).toHaveText("Relayed");
    await setModeAndSeeAck(page, "manual_control");
    // Teleop through the relay: hold "forward" until the robot reports the speed.
    await page.getByRole("button", { name: "forward" }).hover();
    await page.mouse.down();
    await expect(page.getByTestId("telemetry-velocity")).toContainText("0.40 m/s");
    await page.mouse.up();
    await expect(page.getByTestId("remote-rtt")).toHaveText(/^\d+(\.\d+)? ms$/);
    expect(peer.activeSessions).toEqual([{ id: sessionId, direct: false }]);
    await keepScreenshot(page, "remote-session-relayed");
    const session = await sessionOf(sessionId);
    expect(session).toMatchObject({ status: "connected", path: "relayed", connection_type: "tunnel" });
    expect(session.bytes_relayed).toBeGreaterThan(0);
    await page.getByTestId("remote-disconnect").click();
    await expect(page.getByTestId("remote-ended")).toBeVisible();
  } finally {
    execFileSync("ip", ["rule", "del", "pref", "10"]);
  }
});
