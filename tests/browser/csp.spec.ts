import { expect, test } from "../support/browser-test";

test("the page policy blocks injected inline handlers and scripts, and the suite sees each violation", async ({
  page,
  cspViolations,
}) => {
  await page.goto("/docs");
  await expect(page.locator("h1").first()).toBeVisible();
  expect(cspViolations).toEqual([]);

  // What an HTML injection would add: an inline event handler and a script without the nonce.
  await page.evaluate(() => {
    const img = document.createElement("img");
    img.setAttribute("onerror", "window.__injected = 'handler'");
    img.src = "/no-such-image.png";
    document.body.append(img);
    const inline = document.createElement("script");
    inline.textContent = "window.__injected = 'inline'";
    document.body.append(inline);
  });
  await expect.poll(() => cspViolations.some((v) => v.includes("script-src-attr blocked inline"))).toBe(true);
  await expect.poll(() => cspViolations.some((v) => v.includes("script-src-elem blocked inline"))).toBe(true);
  expect(await page.evaluate(() => (window as unknown as { __injected?: string }).__injected)).toBeUndefined();
  // These were expected; the fixture fails the test on any other.
  cspViolations.length = 0;
});
