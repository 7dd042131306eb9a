import { expect, test, type Page } from "@playwright/test";
import { keepScreenshot } from "../support/screens";
import { signUpAndSignIn, useAdminSession } from "../support/users";

async function signInWithForm(page: Page, email: string, password: string) {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

test("a user changes their password: a weak one is refused with the reason, a strong one signs them out everywhere", async ({
  page,
  browser,
  baseURL,
}) => {
  const user = await signUpAndSignIn(baseURL as string, "changer");
  const elsewhere = await browser.newContext();
  await elsewhere.addCookies((await user.api.storageState()).cookies);
  const other = await elsewhere.newPage();
  await other.goto(`${baseURL}/console`);
  await expect(other.getByRole("heading", { name: /Welcome/ })).toBeVisible();

  await page.goto("/console/account");
  await page.waitForURL(/\/signin\?/);
  await signInWithForm(page, user.email, user.password);
  await page.waitForURL(`${baseURL}/console/account`);
  await page.getByLabel("Current password").fill(user.password);
  await page.getByLabel("New password").fill("password123");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(
    page.getByText("Choose a harder password: it is on lists of commonly used and breached passwords."),
  ).toBeVisible();
  await keepScreenshot(page, "account-weak-password");

  await page.getByLabel("New password").fill("saffron kettle meadow drum");
  await page.getByRole("button", { name: "Change password" }).click();
  await page.waitForURL(/\/signin\?callbackUrl=%2Fconsole%2Faccount/);
  await signInWithForm(page, user.email, "saffron kettle meadow drum");
  await page.waitForURL(`${baseURL}/console/account`);

  // The other browser's session ended with the change.
  await other.goto(`${baseURL}/console/robots`);
  await other.waitForURL(`${baseURL}/signin?callbackUrl=%2Fconsole%2Frobots`);
  await elsewhere.close();
});

test("an admin disables an account from Users & roles: its open session ends at once", async ({
  page,
  browser,
  baseURL,
}) => {
  const user = await signUpAndSignIn(baseURL as string, "to-disable");
  const theirs = await browser.newContext();
  await theirs.addCookies((await user.api.storageState()).cookies);
  const their = await theirs.newPage();
  await their.goto(`${baseURL}/console`);
  await expect(their.getByRole("heading", { name: /Welcome/ })).toBeVisible();

  await useAdminSession(page);
  await page.goto("/console/admin/users");
  const row = page.getByTestId(`user-row-${user.email}`);
  page.once("dialog", (dialog) => void dialog.accept());
  await row.getByRole("button", { name: "Disable" }).click();
  await expect(row.getByText("Disabled", { exact: true })).toBeVisible();
  await expect(row.getByRole("button", { name: "Enable" })).toBeVisible();
  await keepScreenshot(page, "admin-users-disabled");

  await their.goto(`${baseURL}/console/robots`);
  await their.waitForURL(`${baseURL}/signin?callbackUrl=%2Fconsole%2Frobots`);
  await signInWithForm(their, user.email, user.password);
  await expect(their.locator("form").getByRole("alert")).toHaveText("This account is disabled; ask an admin.");
  await theirs.close();
});
