import { mkdirSync } from "node:fs";
import type { Page } from "@playwright/test";

/** Keep a full-page screenshot under test-results/screens/ (a CI artifact, also for humans to look at). */
export async function keepScreenshot(page: Page, name: string): Promise<void> {
  mkdirSync("test-results/screens", { recursive: true });
  await page.screenshot({ path: `test-results/screens/${name}.png`, fullPage: true });
}
