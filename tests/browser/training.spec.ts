import { expect, request as playwrightRequest, test } from "../support/browser-test";
import { bearer, seedEpisodes, uniqueRobotModel } from "../api/training-support";
import { useAdminSession } from "../support/users";
import { keepScreenshot } from "../support/screens";

test("an operator creates a job from a filter, watches the loss curve arrive live, and promotes the model with its lineage", async ({
  page,
  baseURL,
}) => {
  test.setTimeout(120_000);
  const robotModel = uniqueRobotModel("ui");
  await seedEpisodes(4, robotModel);
  await useAdminSession(page);

  // A training token, shown once.
  await page.goto("/console/admin/training-tokens");
  await page.getByLabel("Name").fill(`browser ${robotModel}`);
  await page.getByRole("button", { name: "Create token" }).click();
  const token = (await page.getByTestId("new-token-value").textContent())?.trim() as string;
  expect(token).toMatch(/^ctt_/);
  await keepScreenshot(page, "training-tokens");

  // The job: filter, count, create.
  await page.goto("/console/training/new");
  await page.getByLabel("Robot model").fill(robotModel);
  await page.getByLabel("Steps").fill("200");
  await page.getByRole("button", { name: "Count episodes" }).click();
  await expect(page.getByTestId("preview-count")).toHaveText("4");
  await keepScreenshot(page, "training-new-job");
  // Robots keep uploading matching episodes after the count: the job still takes the counted four.
  const counted = await page.getByTestId("preview").textContent();
  const later = await seedEpisodes(3, robotModel);
  await page.getByRole("button", { name: "Create job with 4 episodes" }).click();
  await page.waitForURL(/\/console\/training\/jobs\/job_/);
  const jobId = page.url().split("/").pop() as string;
  await expect(page.getByTestId("job-status").first()).toHaveText("queued");
  await expect(page.getByTestId("no-metrics")).toBeVisible();
  await expect(page.getByTestId("job-episode")).toHaveCount(4);
  expect(counted).toContain("the job takes exactly these");
  for (const id of later) await expect(page.getByText(id)).toHaveCount(0);

  // A worker (the notebook's calls, made here) claims and reports while the page is open.
  const worker = await playwrightRequest.newContext({ baseURL });
  const claim = (await (
    await worker.post("/api/training/claim", {
      headers: bearer(token),
      data: { job_id: jobId, worker: "browser-worker" },
    })
  ).json()) as {
    lease: { lease_id: string };
  };
  const lease_id = claim.lease.lease_id;
  const report = (from: number) =>
    worker.post(`/api/training/jobs/${jobId}/metrics`, {
      headers: bearer(token),
      data: {
        lease_id,
        points: Array.from({ length: 50 }, (_, i) => ({
          step: from + i,
          loss: 2 / (from + i),
          grad_norm: 1 / Math.sqrt(from + i),
          elapsed_s: (from + i) / 10,
        })),
      },
    });
  await report(1);
  // The open page picks the points up by polling: no reload.
  await expect(page.getByTestId("loss-chart")).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId("job-status").first()).toHaveText("running");
  await expect(page.getByTestId("loss-chart")).toHaveAttribute("data-points", "50");
  await report(51);
  await expect(page.getByTestId("loss-chart")).toHaveAttribute("data-points", "100", { timeout: 15_000 });
  await expect(page.locator('[data-testid="loss-chart"] path.recharts-line-curve')).toHaveCount(1);
  await expect(page.getByTestId("metrics-chart")).toBeVisible();
  await keepScreenshot(page, "training-job-running");

  const signed = (await (
    await worker.post(`/api/training/jobs/${jobId}/checkpoint-url`, {
      headers: bearer(token),
      data: { lease_id, path: "seed_model.npz" },
    })
  ).json()) as { upload_url: string; headers: Record<string, string>; model_ref: string };
  expect(
    (await worker.put(signed.upload_url, { headers: signed.headers, data: Buffer.from("weights") })).status(),
  ).toBe(200);
  await worker.post(`/api/training/jobs/${jobId}/logs`, {
    headers: bearer(token),
    data: { lease_id, lines: [{ message: "uploaded seed_model.npz" }] },
  });
  expect(
    (
      await worker.post(`/api/training/jobs/${jobId}/complete`, {
        headers: bearer(token),
        data: { lease_id, model_ref: signed.model_ref, metrics: { loss: 0.02 } },
      })
    ).status(),
  ).toBe(200);

  await expect(page.getByTestId("job-status").first()).toHaveText("completed", { timeout: 15_000 });
  await expect(page.getByTestId("job-model")).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId("job-log")).toContainText("uploaded seed_model.npz");
  await keepScreenshot(page, "training-job-completed");

  // The model with its lineage; promote it.
  await page.getByTestId("job-model").getByRole("link").first().click();
  await page.waitForURL(/\/console\/models\/mdl_/);
  await expect(page.getByTestId("lineage-job")).toHaveText(jobId);
  await expect(page.getByTestId("lineage-episode-count")).toHaveText("4");
  await expect(page.getByTestId("lineage-episode")).toHaveCount(4);
  await expect(page.getByTestId("lineage-episode").first()).toContainText("trained");
  page.once("dialog", (dialog) => void dialog.accept());
  await page.getByRole("button", { name: "Promote to production" }).click();
  await expect(page.getByTestId("model-stage")).toHaveText("production");
  await keepScreenshot(page, "training-model-lineage");

  await page.goto("/console/training");
  await expect(page.getByTestId(`job-row-${jobId}`)).toContainText("completed");
  await page.setViewportSize({ width: 390, height: 844 });
  await keepScreenshot(page, "training-jobs-phone");
  await page.goto("/console/training/slow-loop");
  await expect(page.getByRole("form", { name: `Slow-loop policy for ${robotModel}` })).toBeVisible();
  await keepScreenshot(page, "training-slow-loop-phone");
  await worker.dispose();
});

test("the training pages say what to do next when there is nothing yet, and owners cannot see them", async ({
  page,
  baseURL,
}) => {
  await useAdminSession(page);
  await page.goto("/console/training?status=cancelled");
  await expect(page.getByTestId("empty-state").or(page.locator("table"))).toBeVisible();
  await page.goto("/console/models?stage=checkpoint");
  await expect(page.getByTestId("empty-state").or(page.locator("table"))).toBeVisible();
  const api = await playwrightRequest.newContext({ baseURL });
  const email = `owner-${Date.now()}@example.test`;
  await api.post("/api/auth/signup", { data: { email, password: "correct horse battery", display_name: "Owner" } });
  await page.context().clearCookies();
  await page.goto("/signin?callbackUrl=/console");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.pathname.startsWith("/console"));
  expect((await page.goto("/console/training"))?.status()).toBe(404);
  expect((await page.goto("/console/admin/training-tokens"))?.status()).toBe(404);
});
