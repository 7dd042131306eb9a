import { expect, test, type BrowserContext, type Page } from "../support/browser-test";
import type { RobotClient } from "../../tools/robot-client";
import { RemoteRobotPeer } from "../../tools/simulator/behaviors/remote-peer";
import { registerRobot } from "../support/remote";
import { keepScreenshot, watchHydrationErrors } from "../support/screens";
import { adminApi, signUpAndSignIn, type SignedInUser } from "../support/users";

/**
 * The console's remote sessions on the shared server, outside a network namespace: the robot runs
 * relay-only here (WebRTC is covered by remote-webrtc.spec.ts, which needs one), so what is tested
 * is the console flow: claim → Connect with the remembered proof → telemetry and acknowledged
 * commands → an admin ending the session.
 */
let owner: SignedInUser;
let robot: RobotClient;
let peer: RemoteRobotPeer;

test.beforeAll(async ({ baseURL }) => {
  const admin = await adminApi(baseURL as string);
  owner = await signUpAndSignIn(baseURL as string, "remote-ui-owner");
  robot = await registerRobot(baseURL as string, admin);
  peer = new RemoteRobotPeer({ client: robot, webrtc: false, telemetryHz: 5 });
  peer.start();
  await peer.connected();
});

test.afterAll(async () => {
  await peer?.stop();
});

async function signedIn(context: BrowserContext, user: { api: SignedInUser["api"] }): Promise<void> {
  await context.addCookies((await user.api.storageState()).cookies);
}

async function openSession(page: Page, proof: "remembered" | "paste"): Promise<void> {
  await page.goto(`/console/robots/${robot.deviceId}`);
  await page.getByTestId(`connect-${robot.deviceId}`).click();
  if (proof === "paste") await page.getByLabel("Local claim proof").fill(robot.issueClaimProof(owner.uid));
  // After a claim in this browser the proof is remembered: nothing to paste.
  else await expect(page.getByLabel("Local claim proof")).not.toHaveValue("");
  await page.getByRole("button", { name: "Verify and connect" }).click();
  await page.waitForURL(/\/console\/remote\/rs_[0-9a-z]{26}$/);
  await expect(page.getByTestId("remote-status")).toHaveText("Connected");
}

test("an owner claims a robot, connects from its page, sees telemetry and gets commands acknowledged", async ({
  page,
  context,
}) => {
  await signedIn(context, owner);
  const hydration = watchHydrationErrors(page);
  await page.goto("/console/remote");
  await expect(page.getByText("You own no robots yet")).toBeVisible();
  await expect(page.getByText("No remote sessions yet")).toBeVisible();

  await page.goto("/console/claim");
  await page.getByLabel("Claim proof", { exact: true }).fill(robot.issueClaimProof(owner.uid));
  await page.getByRole("button", { name: "Claim robot" }).click();
  await page.waitForURL(new RegExp(`/console/robots/${robot.deviceId}`));

  await openSession(page, "remembered");
  await expect(page.getByTestId("telemetry-mode")).toHaveText("idle");
  await expect(page.getByTestId("remote-path")).toHaveAttribute("data-path", "relay");
  await page.getByTestId("command-mode-select").selectOption("auto_charging");
  await page.getByTestId("command-mode-send").click();
  await expect(page.locator('[data-testid=command-entry][data-label="set_mode auto_charging"]')).toHaveAttribute(
    "data-status",
    "completed",
  );
  await expect(page.getByTestId("telemetry-mode")).toHaveText("auto_charging");
  await page.getByTestId("command-estop").click();
  await expect(page.getByTestId("telemetry-mode")).toHaveText("emergency_stop");
  await page.getByTestId("command-say-text").fill("should not speak");
  await page.getByTestId("command-say-send").click();
  await expect(page.locator('[data-testid=command-entry][data-label="say \\"should not speak\\""]')).toHaveAttribute(
    "data-status",
    "failed",
  );
  await expect(page.getByTestId("remote-rtt")).toHaveText(/ms$/);
  // Drive commands are logged: the start of a motion and the stop after it.
  await page.getByTestId("command-mode-select").selectOption("manual_control");
  await page.getByTestId("command-mode-send").click();
  await expect(page.getByTestId("telemetry-mode")).toHaveText("manual_control");
  await page.getByRole("button", { name: "forward" }).hover();
  await page.mouse.down();
  await expect(page.getByTestId("telemetry-velocity")).toContainText("0.40 m/s");
  await page.mouse.up();
  await expect(page.getByTestId("command-entry").nth(0)).toHaveAttribute("data-label", "drive stop");
  await expect(page.getByTestId("command-entry").nth(1)).toHaveAttribute("data-label", "drive 0.4 m/s, 0 rad/s");
  await expect(page.getByTestId("command-entry").nth(1)).toHaveAttribute("data-status", "sent");
  await page.setViewportSize({ width: 390, height: 844 });
  await keepScreenshot(page, "remote-session-phone");
  await page.getByTestId("remote-disconnect").click();
  await expect(page.getByTestId("remote-ended")).toHaveAttribute("data-reason", "bye");
  // An ended session's token no longer counts down.
  await expect(page.getByTestId("remote-token-ended")).toHaveText("Token no longer valid");
  await expect(page.getByTestId("remote-time-left")).toHaveCount(0);
  await page.goto("/console/remote");
  await expect(page.getByTestId("my-sessions")).toContainText("bye");
  // Neither the robot page nor the session page logs a React hydration error.
  expect(hydration).toEqual([]);
});

test("an admin sees the active session and ends it; the owner's page says it was revoked", async ({
  page,
  context,
  browser,
  baseURL,
}) => {
  await signedIn(context, owner);
  await openSession(page, "paste");

  const adminContext = await browser.newContext({ baseURL });
  await signedIn(adminContext, { api: await adminApi(baseURL as string) });
  const adminPage = await adminContext.newPage();
  await adminPage.goto("/console/remote");
  const sessionId = page.url().split("/").pop() as string;
  const row = adminPage.getByTestId("active-sessions").getByTestId(`session-row-${sessionId}`);
  await expect(row).toContainText(robot.deviceId);
  await keepScreenshot(adminPage, "remote-admin-active-sessions");
  adminPage.once("dialog", (dialog) => void dialog.accept());
  await row.getByTestId(`end-session-${sessionId}`).click();
  await expect(page.getByTestId("remote-ended")).toHaveAttribute("data-reason", "revoked");
  await expect(adminPage.getByTestId(`session-row-${sessionId}`)).toHaveCount(0);
  await adminContext.close();
});
