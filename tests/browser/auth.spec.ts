import { expect, test, type Page } from "../support/browser-test";
import { keepScreenshot } from "../support/screens";
import { startTestServer, type TestServer } from "../support/test-server";

/** A fresh server of its own: the sign-up below must be the very first account. */
let server: TestServer;
test.beforeAll(async () => {
  server = await startTestServer();
});
test.afterAll(async () => {
  await server.stop();
});

async function signUp(page: Page, name: string, email: string, password: string) {
  await page.goto(`${server.url}/signup`);
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL(`${server.url}/console`);
}

async function signOut(page: Page) {
  await page
    .getByRole("button", { name: /./ })
    .filter({ has: page.locator("span[aria-hidden=true]") })
    .click();
  await page.getByRole("menuitem", { name: "Sign out" }).click();
  await page.waitForURL(`${server.url}/`);
}

test("a newcomer signs up as admin, signs out and in; a second account is an owner kept out of admin pages", async ({
  page,
}) => {
  await page.goto(`${server.url}/signup`);
  await expect(page.getByText("it becomes the admin")).toBeVisible();
  await keepScreenshot(page, "signup-first-account");
  await signUp(page, "Ada Admin", "ada@example.test", "correct horse battery");
  await expect(page.getByRole("heading", { name: "Welcome, Ada Admin" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Users & roles" }).first()).toBeAttached();
  await keepScreenshot(page, "console-overview-admin");

  await page.goto(`${server.url}/console/admin/users`);
  await expect(page.getByTestId("user-row-ada@example.test")).toBeVisible();
  await keepScreenshot(page, "console-admin-users");
  await page.goto(`${server.url}/console/admin/audit`);
  await expect(page.getByRole("cell", { name: "user.sign_up" }).first()).toBeVisible();
  await keepScreenshot(page, "console-admin-audit");

  await page.goto(`${server.url}/console`);
  await signOut(page);
  await page.goto(`${server.url}/console`);
  await page.waitForURL(/\/signin/);

  await page.getByLabel("Email").fill("ada@example.test");
  await page.getByLabel("Password").fill("wrong password!");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("Wrong email or password.")).toBeVisible();
  await keepScreenshot(page, "signin-error");
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${server.url}/console`);
  await signOut(page);

  await signUp(page, "Olly Owner", "olly@example.test", "another good password");
  await page
    .getByRole("button", { name: /./ })
    .filter({ has: page.locator("span[aria-hidden=true]") })
    .click();
  await expect(page.getByTestId("user-role")).toHaveText("owner");
  await expect(page.getByRole("link", { name: "Users & roles" })).toHaveCount(0);
  const adminPage = await page.goto(`${server.url}/console/admin/users`);
  expect(adminPage?.status()).toBe(404);
  const api = await page.request.get(`${server.url}/api/console/users`);
  expect(api.status()).toBe(403);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${server.url}/console`);
  await keepScreenshot(page, "console-overview-phone");
});
