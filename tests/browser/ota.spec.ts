import { expect, test, type Page } from "../support/browser-test";
import { isInCohort } from "../../lib/ota/cohort";
import { fetchOtaPublicKey, runOtaCycle } from "../../tools/simulator/behaviors/ota";
import { OtaBundles } from "../../lib/ota/schemas";
import { buildBundle, openDataDir, registerFleet, seedProductionModel, uniqueRobotModel } from "../support/ota";
import { keepScreenshot } from "../support/screens";
import { adminApi, signUpAndSignIn, useAdminSession } from "../support/users";

async function signIn(page: Page, email: string, password: string) {
  await page.goto("/signin?callbackUrl=/console");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.pathname.startsWith("/console"));
}

async function confirmAction(page: Page, button: string | RegExp, fill?: Record<string, string>) {
  await page.getByTestId("rollout-controls").getByRole("button", { name: button }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toBeVisible();
  for (const [label, value] of Object.entries(fill ?? {})) await dialog.getByLabel(label).fill(value);
  return dialog;
}

test("an operator builds, stages and approves a canary with confirmations, watches robots arrive live, pauses, resumes and promotes; an owner sees what their robot runs", async ({
  page,
  baseURL,
  browser,
}) => {
  test.setTimeout(180_000);
  const base = baseURL as string;
  const admin = await adminApi(base);
  const robotModel = uniqueRobotModel("ui");
  const modelId = await seedProductionModel(robotModel, "1.0.0");
  const robots = await registerFleet(base, admin, robotModel, 12);

  await useAdminSession(page);
  await page.goto("/console/ota");
  await expect(page.getByRole("heading", { name: "OTA updates" })).toBeVisible();
  await page.getByLabel("Production model").selectOption(modelId);
  await page.getByLabel("Bundle version").fill("1.0.0");
  await page.getByLabel("Release notes").fill("First release from the browser test");
  await keepScreenshot(page, "ota-build-form");
  await page.getByRole("button", { name: "Build and sign" }).click();
  await page.waitForURL(/\/console\/ota\/ui-/);
  const bundleId = decodeURIComponent(page.url().split("/").pop() as string);
  await expect(page.getByTestId("rollout-status").first()).toHaveText("built", { timeout: 30_000 });
  await expect(page.getByTestId("bundle-signature")).not.toHaveText("—");
  await page.getByRole("button", { name: "Verify now" }).click();
  await expect(page.getByTestId("verify-result")).toContainText("verified");

  // Stage (with its policy), then a canary at 50 %, each behind a confirmation.
  let dialog = await confirmAction(page, "Stage", { "Minimum reports": "4", "Error threshold %": "30" });
  await expect(dialog).toContainText("one rollout in flight");
  await dialog.getByRole("button", { name: "Confirm" }).click();
  await expect(page.getByTestId("rollout-status").first()).toHaveText("staged");
  dialog = await confirmAction(page, "Approve canary…", { "Target percentage": "50" });
  await keepScreenshot(page, "ota-confirm-canary");
  await dialog.getByRole("button", { name: "Confirm" }).click();
  await expect(page.getByTestId("rollout-status").first()).toHaveText("canary 50 %");

  // The cohort's robots check, verify and install while the page is open.
  const publicKey = await fetchOtaPublicKey(robots[0]!);
  const cohort = robots.filter((robot) => isInCohort(bundleId, robot.deviceId, 50));
  for (const robot of cohort) await runOtaCycle({ client: robot, currentVersion: null, publicKey });
  await expect(page.getByTestId("rollout-chart")).toBeVisible();
  await expect(page.getByTestId(`deployment-${cohort[0]!.deviceId}`)).toContainText("installed", { timeout: 15_000 });
  await expect(page.getByTestId("rollout-live")).toContainText(String(cohort.length));
  await keepScreenshot(page, "ota-bundle-canary");
  await page.setViewportSize({ width: 390, height: 844 });
  await keepScreenshot(page, "ota-bundle-canary-phone");
  await page.setViewportSize({ width: 1280, height: 900 });

  // Pause by hand (the reason is shown), resume, then production.
  dialog = await confirmAction(page, "Pause", { Reason: "checking telemetry first" });
  await dialog.getByRole("button", { name: "Pause" }).click();
  await expect(page.getByTestId("paused-reason")).toContainText("checking telemetry first");
  dialog = await confirmAction(page, "Resume");
  await dialog.getByRole("button", { name: "Confirm" }).click();
  await expect(page.getByTestId("rollout-status").first()).toHaveText("canary 50 %");
  dialog = await confirmAction(page, "Approve production");
  await expect(dialog).toContainText(`Every ${robotModel} robot`);
  await dialog.getByRole("button", { name: "Confirm" }).click();
  await expect(page.getByTestId("rollout-status").first()).toHaveText("production");
  await expect(page.getByTestId("audit-trail")).toContainText("rollout.approve_production");
  await expect(page.getByTestId("audit-trail")).toContainText("rollout.pause");
  await keepScreenshot(page, "ota-bundle-production");
  await page.goto("/console/ota");
  await expect(page.getByTestId(`bundle-row-${bundleId}`)).toContainText("production");
  await keepScreenshot(page, "ota-overview");

  // An owner claims one of the robots and sees which bundle it runs.
  const owner = await signUpAndSignIn(base, "ota-owner");
  const mine = cohort[0]!;
  const claim = await owner.api.post("/api/robots/claim", {
    data: { local_claim_proof: mine.issueClaimProof(owner.uid) },
  });
  expect(claim.ok()).toBe(true);
  const ownerContext = await browser.newContext();
  const ownerPage = await ownerContext.newPage();
  await signIn(ownerPage, owner.email, owner.password);
  await ownerPage.goto("/console/ota");
  await expect(ownerPage.getByRole("heading", { name: "Software updates" })).toBeVisible();
  await expect(ownerPage.getByTestId(`my-robot-${mine.deviceId}`)).toContainText("1.0.0");
  await expect(ownerPage.getByText("Build a bundle")).toHaveCount(0);
  await keepScreenshot(ownerPage, "ota-owner");
  const forbidden = await owner.api.get(`/api/console/ota/bundles/${encodeURIComponent(bundleId)}`);
  expect(forbidden.status()).toBe(403);
  await ownerContext.close();
});

test("the OTA pages explain what to do when there is nothing yet", async ({ page, baseURL }) => {
  const owner = await signUpAndSignIn(baseURL as string, "ota-empty");
  await signIn(page, owner.email, owner.password);
  await page.goto("/console/ota");
  await expect(page.getByTestId("empty-state")).toContainText("Claim a robot");
  await keepScreenshot(page, "ota-owner-empty");
});

test("a failed build shows its error and attempt; the operator retries it (confirmed, audited) and watches it sign", async ({
  page,
  baseURL,
}) => {
  test.setTimeout(120_000);
  const admin = await adminApi(baseURL as string);
  const robotModel = uniqueRobotModel("retry");
  const modelId = await seedProductionModel(robotModel, "1.0.0");
  const built = await buildBundle(admin, { model_id: modelId, version: "1.0.0" });
  // What the builder leaves when the server of the fifth attempt died mid-build.
  const error = "The worker of attempt 5 of 5 stopped (its lease expired at 2026-06-01T12:00:30.000Z).";
  const runtime = await openDataDir();
  try {
    const stored = await runtime.db.require(OtaBundles, built.bundle_id, "Bundle");
    await runtime.db.update(OtaBundles, built.bundle_id, {
      build: { ...stored.data.build, status: "failed", error, attempts: 5, max_attempts: 5, progress_pct: 40 },
    });
  } finally {
    await runtime.close();
  }

  await useAdminSession(page);
  await page.goto(`/console/ota/${encodeURIComponent(built.bundle_id)}`);
  await expect(page.getByTestId("build-status")).toHaveText("build failed");
  await expect(page.getByTestId("build-failed")).toContainText(`The build failed (attempt 5 of 5): ${error}`);
  await keepScreenshot(page, "ota-build-failed");
  await page.getByRole("button", { name: "Retry build" }).click();
  await page.getByRole("button", { name: "Confirm retry" }).click();
  await expect(page.getByTestId("build-status")).toHaveText("signed", { timeout: 60_000 });
  await expect(page.getByTestId("build-failed")).toHaveCount(0);

  const audit = (await (
    await admin.get(`/api/console/audit?target_id=${encodeURIComponent(built.bundle_id)}&limit=20`)
  ).json()) as { entries: Array<{ action: string; details: Record<string, unknown> }> };
  expect(audit.entries.map((entry) => entry.action)).toEqual([
    "bundle.built",
    "bundle.build_retry",
    "bundle.built",
    "bundle.create",
  ]);
  expect(audit.entries[1]?.details).toEqual({ previous_error: error, previous_attempts: 5 });
});
