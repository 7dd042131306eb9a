import { expect, test } from "../support/browser-test";
import { DOCS_PAGES } from "../../components/docs/docs-nav";
import { keepScreenshot } from "../support/screens";

test("the landing page says what continuon.cloud is and links to docs and sign-up", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("one platform");
  await expect(page.getByRole("link", { name: "Docs" })).toBeVisible();
  await keepScreenshot(page, "landing");
  await page.setViewportSize({ width: 390, height: 844 });
  await keepScreenshot(page, "landing-phone");
});

for (const docsPage of DOCS_PAGES) {
  test(`docs: ${docsPage.title}`, async ({ page }) => {
    const response = await page.goto(`/docs/${docsPage.slug}`);
    expect(response?.status()).toBe(200);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expect(page.getByRole("navigation", { name: "Documentation" })).toBeVisible();
    await keepScreenshot(page, `docs-${docsPage.slug}`);
  });
}
