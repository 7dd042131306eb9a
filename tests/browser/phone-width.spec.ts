import { expect, test, type Page } from "@playwright/test";
import { DOCS_PAGES } from "../../components/docs/docs-nav";
import { keepScreenshot, watchHydrationErrors } from "../support/screens";
import { useAdminSession } from "../support/users";

const PHONE = { width: 390, height: 844 };

/** How wide the page's content is: more than the viewport means the page scrolls sideways. */
async function scrollWidth(page: Page): Promise<number> {
  return page.evaluate(() => document.scrollingElement!.scrollWidth);
}

/** The elements that stick out past the right edge (for a readable failure). */
async function overflowing(page: Page): Promise<string[]> {
  return page.evaluate((width) => {
    const out: string[] = [];
    const clipped = (element: Element): boolean => {
      for (let parent = element.parentElement; parent; parent = parent.parentElement) {
        if (["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(parent).overflowX)) return true;
      }
      return false;
    };
    for (const element of Array.from(document.querySelectorAll("body *"))) {
      if (clipped(element)) continue;
      const box = element.getBoundingClientRect();
      if (box.right > width + 0.5 && box.width > 0) {
        out.push(
          `${element.tagName.toLowerCase()}.${String(element.className).slice(0, 60)} → ${Math.round(box.right)}`,
        );
      }
    }
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.parentElement || clipped(node.parentElement) || !node.textContent?.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const right = range.getBoundingClientRect().right;
      if (right > width + 0.5) out.push(`"${node.textContent.trim().slice(0, 40)}" → ${Math.round(right)}`);
    }
    return out.slice(0, 8);
  }, PHONE.width);
}

async function expectFits(page: Page, path: string) {
  await page.setViewportSize(PHONE);
  const response = await page.goto(path);
  expect(response?.status(), path).toBeLessThan(400);
  await page.waitForLoadState("networkidle");
  const width = await scrollWidth(page);
  if (width > PHONE.width) expect.soft(await overflowing(page), `${path} overflows`).toEqual([]);
  expect.soft(width, `${path} is ${width} px wide at ${PHONE.width} px`).toBeLessThanOrEqual(PHONE.width);
}

const PUBLIC_PAGES = ["/", "/signin", "/signup", "/docs", ...DOCS_PAGES.map((docs) => `/docs/${docs.slug}`)];

test("every public page fits a 390 px phone without sideways scrolling", async ({ page }) => {
  test.setTimeout(180_000);
  for (const path of PUBLIC_PAGES) await expectFits(page, path);
  await page.goto("/");
  // The header's links stay on one line, inside the screen.
  const nav = await page.getByRole("navigation", { name: "Site" }).boundingBox();
  expect(nav!.x + nav!.width).toBeLessThanOrEqual(PHONE.width);
  expect(nav!.height).toBeLessThanOrEqual(40);
  await expect(page.getByRole("link", { name: "Sign up" })).toBeVisible();
  await keepScreenshot(page, "phone-landing");
  await page.goto("/docs/api");
  await keepScreenshot(page, "phone-docs-api");
});

const CONSOLE_PAGES = [
  "/console",
  "/console/robots",
  "/console/claim",
  "/console/remote",
  "/console/episodes",
  "/console/episodes/quarantine",
  "/console/training",
  "/console/training/new",
  "/console/models",
  "/console/ota",
  "/console/admin/users",
  "/console/admin/provisioning",
  "/console/admin/training-tokens",
  "/console/admin/audit",
];

test("the main console pages fit a 390 px phone without sideways scrolling", async ({ page }) => {
  test.setTimeout(180_000);
  await useAdminSession(page);
  const hydration = watchHydrationErrors(page);
  for (const path of CONSOLE_PAGES) await expectFits(page, path);
  expect(hydration).toEqual([]);
  await page.goto("/console");
  await keepScreenshot(page, "phone-console-overview");
  await page.goto("/console/admin/audit");
  await keepScreenshot(page, "phone-console-audit");
});
