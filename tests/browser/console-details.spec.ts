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

test("filter selects on the robots and episodes pages show their whole label", async ({ page }) => {
  await useAdminSession(page);
  for (const [path, form] of [
    ["/console/robots", "Filter robots"],
    ["/console/episodes", "Filter episodes"],
  ] as const) {
    await page.goto(path);
    const selects = page.getByRole("form", { name: form }).locator("select");
    for (const select of await selects.all()) {
      const fit = await select.evaluate((element: HTMLSelectElement) => {
        const style = getComputedStyle(element);
        const context = document.createElement("canvas").getContext("2d")!;
        context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
        const text = element.selectedOptions[0]?.textContent ?? "";
        const room = element.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        return { text, needed: Math.ceil(context.measureText(text).width), room };
      });
      expect(fit.needed, `${path}: "${fit.text}" needs ${fit.needed} px, has ${fit.room}`).toBeLessThanOrEqual(
        fit.room,
      );
    }
  }
});
