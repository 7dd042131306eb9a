import { expect, test, type Page } from "@playwright/test";
import { ADMIN } from "../support/global-setup";
import { keepScreenshot } from "../support/screens";
import { signUpAndSignIn } from "../support/users";
import { readoutStep, replayPath, replayReady, runTag, seedReplayEpisodes } from "./replay-support";

async function fillSignIn(page: Page, email: string, password: string) {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

test("a shared replay link survives sign-in: signed out, sign in, land on the same step", async ({ page, baseURL }) => {
  const episodeId = `shared_${runTag()}`;
  await seedReplayEpisodes([`${episodeId}:2000`]);
  const link = replayPath(episodeId, "?step=1200");
  await page.goto(link);
  await page.waitForURL(/\/signin\?/);
  expect(new URL(page.url()).searchParams.get("callbackUrl")).toBe(link);
  await keepScreenshot(page, "shared-link-signin");
  await fillSignIn(page, ADMIN.email, ADMIN.password);
  await page.waitForURL(`${baseURL}${link}`);
  await replayReady(page);
  await expect.poll(() => readoutStep(page)).toBe(1200);
  await keepScreenshot(page, "shared-link-replay-step-1200");
});

test("job and OTA links survive sign-in with their query", async ({ page, baseURL }) => {
  const user = await signUpAndSignIn(baseURL as string, "linker");
  // (A #fragment never reaches the server, so only path and query can be carried.)
  for (const link of ["/console/ota?track=stable&view=rollouts", "/console/training?status=running&sort=created"]) {
    await page.context().clearCookies();
    await page.goto(link);
    await page.waitForURL(/\/signin\?/);
    await fillSignIn(page, user.email, user.password);
    await page.waitForURL(`${baseURL}${link}`);
    expect(new URL(page.url()).origin).toBe(new URL(baseURL as string).origin);
  }
  await keepScreenshot(page, "shared-link-training");
});

test("a crafted callbackUrl never leaves the site, in the form or when already signed in", async ({
  page,
  baseURL,
}) => {
  const origin = new URL(baseURL as string).origin;
  const user = await signUpAndSignIn(origin, "crafted");
  const bypasses = [
    "/%5Cevil.example/",
    "/%09/evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "https://evil.example/",
    "javascript:alert(1)",
  ];
  // Signed out: the form's own redirect after signing in.
  for (const callbackUrl of bypasses) {
    await page.context().clearCookies();
    await page.goto(`/signin?callbackUrl=${encodeURIComponent(callbackUrl)}`);
    await fillSignIn(page, user.email, user.password);
    await page.waitForURL((url) => url.pathname !== "/signin");
    const landed = new URL(page.url());
    expect(landed.origin).toBe(origin);
    expect(landed.host).not.toContain("evil");
  }
  // Signed in: the page redirects at once.
  for (const callbackUrl of bypasses) {
    await page.goto(`/signin?callbackUrl=${encodeURIComponent(callbackUrl)}`);
    const landed = new URL(page.url());
    expect(landed.origin).toBe(origin);
  }
  await page.goto(`/signin?callbackUrl=${encodeURIComponent("//evil.example/")}`);
  expect(page.url()).toBe(`${origin}/console`);
});

test("the sign-in form shows how long to wait once an address is throttled", async ({ page, baseURL }) => {
  const user = await signUpAndSignIn(baseURL as string, "waiter");
  await page.goto("/signin");
  for (let i = 0; i < 5; i++) {
    await fillSignIn(page, user.email, `wrong guess ${i}`);
    await expect(page.locator("form").getByRole("alert")).toHaveText("Wrong email or password.");
  }
  await fillSignIn(page, user.email, user.password);
  await expect(page.locator("form").getByRole("alert")).toHaveText(
    "Too many sign-in attempts from here. Try again in 30 seconds.",
  );
  await expect(page.getByRole("button", { name: "Sign in" })).toBeDisabled();
  await keepScreenshot(page, "signin-throttled");
});
