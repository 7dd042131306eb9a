import { expect, test } from "../support/browser-test";
import { ADMIN } from "../support/global-setup";
import { keepScreenshot } from "../support/screens";

/**
 * The last step of the notebooks' end-to-end run (scripts/test-notebooks.mjs): after notebook 01
 * trained a job on a server of its own, the console shows that job's loss curve and its model with
 * the lineage. Outside that run there is no such job, so it is skipped.
 */
const jobId = process.env.TRAINING_E2E_JOB_ID;
const modelId = process.env.TRAINING_E2E_MODEL_ID;

test.skip(!jobId || !modelId, "run by scripts/test-notebooks.mjs after notebook 01 trained a job");

test("the console shows the notebook's loss curve and the model with its lineage", async ({ page }) => {
  await page.goto("/signin?callbackUrl=/console");
  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByLabel("Password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.pathname.startsWith("/console"));

  await page.goto(`/console/training/jobs/${jobId}`);
  await expect(page.getByTestId("job-status").first()).toHaveText("completed");
  const chart = page.getByTestId("loss-chart");
  await expect(chart).toBeVisible();
  expect(Number(await chart.getAttribute("data-points"))).toBeGreaterThanOrEqual(100);
  await expect(chart.locator("path.recharts-line-curve")).toHaveCount(1);
  await expect(page.getByTestId("job-log")).toContainText("Loaded");
  await expect(page.getByTestId("job-model")).toContainText("v1.0.0");
  await keepScreenshot(page, "notebook-job-loss-curve");

  await page.goto(`/console/models/${modelId}`);
  await expect(page.getByTestId("lineage-job")).toHaveText(jobId as string);
  await expect(page.getByTestId("lineage-child")).toHaveCount(1);
  await expect(page.getByTestId("lineage-episode").first()).toContainText("trained");
  await keepScreenshot(page, "notebook-model-lineage");
});
