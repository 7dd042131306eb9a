import { expect, test } from "@playwright/test";
import { createToken, registeredRobot } from "../support/robots";
import { keepScreenshot, watchHydrationErrors } from "../support/screens";
import { adminApi, signUpAndSignIn, useAdminSession } from "../support/users";

test("the robot page counts its last heartbeat without a hydration mismatch", async ({ page, baseURL }) => {
  const admin = await adminApi(baseURL!);
  const { token } = await createToken(admin, { label: "details e2e" });
  await admin.dispose();
  const robot = await registeredRobot(baseURL!, token);
  const beat = await robot.request("POST", "/api/rcan/heartbeat", { json: { status: "online", battery: 0.8 } });
  expect(beat.status).toBe(200);

  await useAdminSession(page);
  const hydration = watchHydrationErrors(page);
  for (let load = 0; load < 3; load++) {
    await page.goto(`/console/robots/${robot.deviceId}`);
    await expect(page.getByTestId("live-robot-panel")).toContainText(/Last heartbeat\s*\d+ s ago/);
    await page.waitForLoadState("networkidle");
  }
  expect(hydration).toEqual([]);
});

test("the overview shows each role its own getting-started steps, code as code", async ({ page, baseURL }) => {
  await useAdminSession(page);
  await page.goto("/console");
  const steps = page.getByTestId("next-step");
  await expect(steps).toHaveCount(4);
  for (const text of await steps.allTextContents()) expect(text).not.toContain("`");
  await expect(steps.first().locator("code").first()).toHaveText("npm run demo");
  await keepScreenshot(page, "console-overview-steps-admin");

  const owner = await signUpAndSignIn(baseURL!, "owner-steps");
  await page.context().clearCookies();
  await page.context().addCookies((await owner.api.storageState()).cookies);
  await owner.api.dispose();
  await page.goto("/console");
  await expect(page.getByRole("heading", { name: /^\d\. / })).toHaveText([
    "1. Claim a robot you own",
    "2. Open what your robots recorded",
  ]);

  // The claim page copies the user id.
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  await page.goto("/console/claim");
  await page.getByRole("button", { name: "Copy user id" }).click();
  await expect(page.getByTestId("copy-uid")).toHaveText("Copied");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(owner.uid);
});

test("episode filters have visible labels, dates included", async ({ page }) => {
  await useAdminSession(page);
  await page.goto("/console/episodes");
  const form = page.getByRole("form", { name: "Filter episodes" });
  for (const label of ["Robot", "Model", "Status", "Tag", "Uploaded from", "Uploaded until", "Minimum quality"]) {
    await expect(form.getByText(label, { exact: true })).toBeVisible();
    await expect(form.getByLabel(label, { exact: true })).toBeVisible();
  }
  await expect(form.getByLabel("Uploaded from", { exact: true })).toHaveAttribute("type", "date");
  await keepScreenshot(page, "console-episodes-filters");
});
