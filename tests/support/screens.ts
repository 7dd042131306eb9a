import { mkdirSync } from "node:fs";
import type { Page } from "@playwright/test";

/** Keep a full-page screenshot under test-results/screens/ (a CI artifact, also for humans to look at). */
export async function keepScreenshot(page: Page, name: string): Promise<void> {
  mkdirSync("test-results/screens", { recursive: true });
  await page.screenshot({ path: `test-results/screens/${name}.png`, fullPage: true });
}

/**
 * Collect React hydration errors (#418/#423/#425, "Hydration failed", "did not match") the page
 * logs from now on; assert the returned list is empty at the end of a test.
 */
export function watchHydrationErrors(page: Page): string[] {
  const errors: string[] = [];
  const hydration = /Minified React error #(418|423|425)|Hydration failed|hydrat\w* .*(mismatch|did not match)/i;
  page.on("console", (message) => {
    if (message.type() === "error" && hydration.test(message.text())) errors.push(`${page.url()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => {
    if (hydration.test(error.message)) errors.push(`${page.url()}: ${error.message}`);
  });
  return errors;
}
