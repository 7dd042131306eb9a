import { expect, test } from "@playwright/test";
import { keepScreenshot } from "../support/screens";
import { useAdminSession } from "../support/users";

test("the audit log fits its column; details open in place", async ({ page }) => {
  await useAdminSession(page);
  await page.goto("/console/admin/audit");
  const table = page.locator("table").first();
  await expect(table).toBeVisible();
  const fit = await table.evaluate((element) => {
    const scroller = element.parentElement!;
    return { table: element.scrollWidth, column: scroller.clientWidth };
  });
  expect(fit.table).toBeLessThanOrEqual(fit.column);
  const details = page.getByTestId("audit-details").first();
  await details.locator("summary").click();
  await expect(details.locator("pre")).toBeVisible();
  await keepScreenshot(page, "console-audit-fitted");
});
