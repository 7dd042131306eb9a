import { expect, test } from "../support/browser-test";

test("the page policy blocks injected inline event handlers, and the suite sees each violation", async ({
  page,
  cspViolations,
}) => {
  await page.goto("/docs");
  await expect(page.locator("h1").first()).toBeVisible();
  expect(cspViolations).toEqual([]);

  // What an HTML injection would add: an inline event handler.
  await page.evaluate(() => {
    const img = document.createElement("img");
    img.setAttribute("onerror", "window.__injected = 'handler'");
    img.src = "/no-such-image.png";
    document.body.append(img);
  });
  await expect.poll(() => cspViolations.some((v) => v.includes("script-src-attr blocked inline"))).toBe(true);
  expect(await page.evaluate(() => (window as unknown as { __injected?: string }).__injected)).toBeUndefined();
  // These were expected; the fixture fails the test on any other.
  cspViolations.length = 0;
});
