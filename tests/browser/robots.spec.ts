import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test, type Page } from "../support/browser-test";
import { heartbeatBehavior } from "../../tools/simulator/behaviors/heartbeat";
import { SimulatedRobot } from "../../tools/simulator/simulated-robot";
import { createToken } from "../support/robots";
import { keepScreenshot } from "../support/screens";
import { startTestServer, type TestServer } from "../support/test-server";
import { adminApi, signUpAndSignIn, useAdminSession } from "../support/users";

async function signUp(page: Page, base: string, name: string, email: string) {
  await page.goto(`${base}/signup`);
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL(`${base}/console`);
}

test.describe("an owner claims a simulated robot and watches it live", () => {
  // A server of its own with a 5 s heartbeat interval: offline after 15 s without a heartbeat.
  let server: TestServer;
  let robotDir: string;
  test.beforeAll(async () => {
    const port = Number(process.env.E2E_PORT ?? 3210) + 10;
    server = await startTestServer({ port, env: { HEARTBEAT_INTERVAL_S: "5" } });
    robotDir = mkdtempSync(join(tmpdir(), "robots-browser-"));
  });
  test.afterAll(async () => {
    await server.stop();
    rmSync(robotDir, { recursive: true, force: true });
  });

  test("claim with the simulator's proof, see it online, offline when heartbeats stop, online again; another owner sees nothing", async ({
    page,
    browser,
  }) => {
    test.setTimeout(120_000);
    const admin = await signUpAndSignIn(server.url, "robots-admin");
    expect(admin.role).toBe("admin");
    const { token } = await createToken(admin.api);

    const dir = join(robotDir, "robot");
    const robot = await SimulatedRobot.open({
      dir,
      baseUrl: server.url,
      name: "Porch greeter",
      output: () => undefined,
    });
    await robot.register(token);
    await heartbeatBehavior.start(robot, {});

    await signUp(page, server.url, "Olive Owner", "olive@example.test");
    await expect(page.getByTestId("empty-state")).toContainText("You have no robots yet");
    await page.goto(`${server.url}/console/claim`);
    const uid = (await page.getByTestId("my-uid").textContent())?.trim() as string;
    // The simulator's CLI prints the proof, as it would on a real robot's pairing screen.
    const proof = execFileSync(
      process.execPath,
      ["--import", "tsx", "tools/simulator/cli.ts", "claim", "--dir", dir, "--user", uid],
      { encoding: "utf8" },
    ).trim();
    expect(proof.split(".")).toHaveLength(3);
    await page.getByLabel("Claim proof", { exact: true }).fill(proof);
    await keepScreenshot(page, "robots-claim");
    await page.getByRole("button", { name: "Claim robot" }).click();
    await page.waitForURL(new RegExp(`/console/robots/${robot.deviceId}`));
    await expect(page.getByText("This robot is now yours.")).toBeVisible();
    await expect(page.getByTestId("robot-owner")).toContainText("You");
    await expect(page.getByTestId("robot-status").first()).toHaveText("online");
    await expect(page.getByTestId("heartbeat-chart")).toBeVisible({ timeout: 15_000 });
    await keepScreenshot(page, "robots-detail-online");

    // The simulator stops heartbeating: three missed intervals later the page (refreshing on its own) shows offline.
    await robot.stop();
    await expect(page.getByTestId("robot-status").first()).toHaveText("offline", { timeout: 40_000 });
    await keepScreenshot(page, "robots-detail-offline");

    const again = await SimulatedRobot.open({ dir, baseUrl: server.url, output: () => undefined });
    await again.heartbeat();
    await expect(page.getByTestId("robot-status").first()).toHaveText("online", { timeout: 20_000 });

    await page.goto(`${server.url}/console`);
    await expect(page.getByTestId("fleet-panels")).toBeVisible();
    await expect(page.getByTestId("recent-heartbeats")).toContainText("Porch greeter");
    await keepScreenshot(page, "robots-overview-owner");
    await page.goto(`${server.url}/console/robots`);
    await expect(page.getByTestId(`robot-row-${robot.deviceId}`)).toBeVisible();
    await page.setViewportSize({ width: 390, height: 844 });
    await keepScreenshot(page, "robots-list-phone");

    // Another owner: no trace of the robot anywhere.
    const otherContext = await browser.newContext();
    const other = await otherContext.newPage();
    await signUp(other, server.url, "Oscar Other", "oscar@example.test");
    await other.goto(`${server.url}/console/robots`);
    await expect(other.getByTestId("empty-state")).toContainText("You have no robots yet");
    await expect(other.getByText(robot.deviceId)).toHaveCount(0);
    const hidden = await other.goto(`${server.url}/console/robots/${robot.deviceId}`);
    expect(hidden?.status()).toBe(404);
    const lookup = await other.request.get(`${server.url}/api/rcan/lookup?ruri=${encodeURIComponent(robot.ruri)}`);
    expect(lookup.status()).toBe(404);
    await keepScreenshot(other, "robots-other-owner");
    await otherContext.close();
    await again.stop();
  });
});

test("an admin creates a provisioning token (shown once) and revokes it", async ({ page, baseURL }) => {
  const base = baseURL as string;
  await useAdminSession(page);
  await page.goto("/console/admin/provisioning");
  await expect(page.getByRole("heading", { name: "Provisioning tokens", exact: true })).toBeVisible();
  const label = `Browser batch ${Date.now()}`;
  await page.getByLabel("Robot model").fill("companion-v1");
  await page.getByLabel("Label", { exact: true }).fill(label);
  await page.getByLabel("Use limit").fill("3");
  await page.getByRole("button", { name: "Create token" }).click();
  const value = page.getByTestId("new-token-value");
  await expect(value).toHaveText(/^cpt_[A-Za-z0-9_-]{43}$/);
  const token = (await value.textContent()) as string;
  await expect(page.getByTestId("new-token")).toContainText("shown only once");
  await keepScreenshot(page, "robots-token-created");

  await page.reload();
  await expect(page.getByTestId("new-token")).toHaveCount(0);
  expect(await page.content()).not.toContain(token);
  const row = page.getByRole("row").filter({ hasText: label });
  await expect(row.getByTestId("token-state")).toHaveText("active");
  page.once("dialog", (dialog) => void dialog.accept());
  await row.getByRole("button", { name: "Revoke" }).click();
  await expect(row.getByTestId("token-state")).toHaveText("revoked");
  await keepScreenshot(page, "robots-token-revoked");

  // The revoked token no longer registers robots.
  const robot = await SimulatedRobot.open({
    dir: mkdtempSync(join(tmpdir(), "robots-revoked-")),
    baseUrl: base,
    output: () => undefined,
  });
  const refused = await robot.register(token).catch((error: unknown) => error);
  expect(refused).toMatchObject({ status: 403, code: "forbidden" });
  expect(JSON.stringify((refused as { body: unknown }).body)).toContain("provisioning_token_revoked");
});

test("an admin resets a robot's key: the re-enrolment token is shown once, re-enrols the robot through the simulator, and it comes back unclaimed", async ({
  page,
  baseURL,
}) => {
  const base = baseURL as string;
  const admin = await adminApi(base);
  const { token } = await createToken(admin);
  await admin.dispose();
  const dirs = [mkdtempSync(join(tmpdir(), "robots-reset-")), mkdtempSync(join(tmpdir(), "robots-reflashed-"))];
  const robot = await SimulatedRobot.open({
    dir: dirs[0]!,
    baseUrl: base,
    name: "Hall sweeper",
    output: () => undefined,
  });
  await robot.register(token);

  await useAdminSession(page);
  await page.goto(`/console/robots/${robot.deviceId}`);
  page.once("dialog", (dialog) => void dialog.accept());
  await page.getByRole("button", { name: "Reset key" }).click();
  const value = page.getByTestId("reenrolment-token-value");
  await expect(value).toHaveText(/^cre_[A-Za-z0-9_-]{43}$/);
  const reenrolment = (await value.textContent()) as string;
  await expect(page.getByTestId("reenrolment-token")).toContainText("shown only once");
  await expect(page.getByTestId("key-history")).toContainText("Reset");
  await expect(page.getByRole("button", { name: "Issue a new re-enrolment token" })).toBeVisible();
  await keepScreenshot(page, "robots-key-reset");

  // The re-flashed robot (a new key under the same device id) re-enrols with the simulator's CLI.
  const printed = execFileSync(
    process.execPath,
    [
      "--import",
      "tsx",
      "tools/simulator/cli.ts",
      "register",
      "--reenrolment-token",
      reenrolment,
      "--dir",
      dirs[1]!,
      "--device-id",
      robot.deviceId,
      "--url",
      base,
    ],
    { encoding: "utf8" },
  );
  expect(JSON.parse(printed.slice(printed.indexOf("{")))).toMatchObject({
    device_id: robot.deviceId,
    owner_uid: null,
  });

  await page.reload();
  await expect(page.getByTestId("reenrolment-token")).toHaveCount(0);
  expect(await page.content()).not.toContain(reenrolment);
  await expect(page.getByTestId("key-history")).toContainText("Re-enrolled");
  await expect(page.getByTestId("robot-owner")).toContainText("Nobody (unclaimed)");
  await keepScreenshot(page, "robots-reenrolled");
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
