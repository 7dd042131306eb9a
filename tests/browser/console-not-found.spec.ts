import { expect, test, type Page } from "@playwright/test";
import { keepScreenshot } from "../support/screens";
import { signUpAndSignIn, useAdminSession } from "../support/users";

/** The console shell is around the message: the menu and the sign-out menu are there. */
async function expectShell(page: Page) {
  const menu = page.getByRole("navigation", { name: "Console" }).first();
  await expect(menu.getByRole("link", { name: "Overview", exact: true })).toBeAttached();
  await expect(menu.getByRole("link", { name: "Robots", exact: true })).toBeAttached();
}

test("an owner opening Training, Models or Users sees, inside the console, which role the page needs", async ({
  page,
  baseURL,
}) => {
  const owner = await signUpAndSignIn(baseURL!, "owner-404");
  expect(owner.role).toBe("owner");
  await page.context().addCookies((await owner.api.storageState()).cookies);
  await owner.api.dispose();

  for (const [path, area, role, who] of [
    ["/console/training", "Training", "operator", "operators and admins"],
    ["/console/training/jobs/job_anything", "Training", "operator", "operators and admins"],
    ["/console/models", "Models", "operator", "operators and admins"],
    ["/console/admin/users", "Admin", "admin", "admins"],
    ["/console/admin/audit", "Admin", "admin", "admins"],
  ] as const) {
    // The page answers 404 (as for anything the user may not see) and says which role it needs.
    expect((await page.goto(path))?.status(), path).toBe(404);
    const message = page.getByTestId("role-required");
    await expect(message.getByRole("heading")).toHaveText(`${area} needs the ${role} role`);
    await expect(message).toContainText(
      `${area} is for ${who}. You are signed in as an owner; an admin can change your role under Admin → Users & roles.`,
    );
    await expectShell(page);
    if (path === "/console/models") await keepScreenshot(page, "console-role-required-models");
  }
  await page.getByRole("link", { name: "Back to the overview" }).click();
  await page.waitForURL(/\/console$/);
});

test("unknown robots, jobs, bundles and pages say what is missing inside the console, with a way back", async ({
  page,
}) => {
  await useAdminSession(page);
  for (const [path, title, back, backHref] of [
    ["/console/robots/ffffffff", "Robot not found", "All robots", "/console/robots"],
    ["/console/training/jobs/job_does_not_exist", "Training job not found", "All training jobs", "/console/training"],
    ["/console/ota/bnd_does_not_exist", "Bundle not found", "All bundles", "/console/ota"],
    ["/console/models/mdl_does_not_exist", "Model not found", "All models", "/console/models"],
    ["/console/episodes/ep_does_not_exist", "Episode not found", "All episodes", "/console/episodes"],
    ["/console/remote/rs_does_not_exist", "Remote session not found", "All sessions", "/console/remote"],
    ["/console/no-such-page", "Page not found", "Back to the overview", "/console"],
  ] as const) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(404);
    const message = page.getByTestId("not-found");
    await expect(message.getByRole("heading")).toHaveText(title);
    await expect(message.getByRole("link", { name: back })).toHaveAttribute("href", backHref);
    await expectShell(page);
    if (path.startsWith("/console/robots/")) await keepScreenshot(page, "console-not-found-robot");
  }
  await page.goto("/console/robots/ffffffff");
  await page.getByTestId("not-found").getByRole("link", { name: "All robots" }).click();
  await page.waitForURL(/\/console\/robots$/);
  await expect(page.getByRole("heading", { name: "Robots", level: 1 })).toBeVisible();
});
