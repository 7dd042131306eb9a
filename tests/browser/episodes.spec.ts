/**
 * The episodes console in a real browser: an operator filters the list, opens an episode (report,
 * provenance, files, TFRecord, the replay link), re-validates and deletes a quarantined upload; an
 * owner sees only their robot's episodes; the overview shows upload activity; phone-sized pages.
 */
import { expect, test, type Page } from "../support/browser-test";
import { buildTar, jsonl, METADATA, step } from "../../lib/rlds/__fixtures__/archives";
import { recordEpisode, uploadEpisode } from "../../tools/simulator/behaviors/episodes";
import { keepScreenshot } from "../support/screens";
import { adminApi, signUpAndSignIn, useAdminSession } from "../support/users";
import { episodeRobot, putTo, requestUpload, sha256, waitForTfrecord } from "../api/episodes-support";

async function signIn(page: Page, email: string, password: string) {
  await page.goto("/signin?callbackUrl=/console");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.pathname.startsWith("/console"));
}

test("operators browse, filter, open, re-validate and delete episodes; owners see their own", async ({
  page,
  baseURL,
  browser,
}) => {
  test.setTimeout(120_000);
  const base = baseURL as string;
  const admin = await adminApi(base);
  const robot = await episodeRobot(admin, base);

  // A good episode from the simulator (PNG frames, device-signed), and one that fails validation.
  const good = await recordEpisode({
    robotId: robot.deviceId,
    robotModel: "companion-v1",
    episodeId: `good_${robot.deviceId}`,
    steps: 60,
    seed: 2,
  });
  expect((await uploadEpisode(robot, good, "tar.gz")).status).toBe("validated");
  await waitForTfrecord(admin, good.episodeId);
  const badBytes = await buildTar([
    { name: "metadata.json", body: JSON.stringify(METADATA) },
    { name: "steps/000000.jsonl", body: jsonl([step(0, { is_first: true }), step(1, { is_first: true }), step(2)]) },
  ]);
  const badId = `bad_${robot.deviceId}`;
  const grant = await requestUpload(robot, { episode_id: badId });
  expect((await putTo(grant.upload_url, grant.headers, badBytes)).status).toBe(200);
  expect(
    (await robot.request("POST", "/api/rlds/ingest", { json: { episode_id: badId, checksum: sha256(badBytes) } }))
      .status,
  ).toBe(200);

  await useAdminSession(page);
  await page.goto("/console");
  await expect(page.getByTestId("upload-activity")).toBeVisible();
  await page.getByRole("link", { name: "Episodes", exact: true }).first().click();
  await page.waitForURL(/\/console\/episodes$/);
  await expect(page.getByTestId(`episode-row-${good.episodeId}`)).toBeVisible();
  await expect(page.getByTestId(`episode-row-${badId}`)).toBeVisible();

  // Filters are applied on the server and kept in the URL.
  await page.getByLabel("Robot").fill(robot.deviceId);
  await page.getByLabel("Status").selectOption("rejected");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/status=rejected/);
  await expect(page.getByTestId(`episode-row-${badId}`)).toContainText("multiple_is_first");
  await expect(page.getByTestId(`episode-row-${good.episodeId}`)).toHaveCount(0);
  await page.getByLabel("Status").selectOption("validated");
  await page.getByLabel("Training eligibility").selectOption("true");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByTestId(`episode-row-${good.episodeId}`)).toBeVisible();

  // The detail page: stats, report, provenance, files with links, TFRecord, the replay link.
  await page.getByRole("link", { name: good.episodeId }).click();
  await expect(page.getByRole("heading", { name: good.episodeId })).toBeVisible();
  await expect(page.getByText("No errors.")).toBeVisible();
  await expect(page.getByTestId("ingest-state")).toHaveText("done");
  await expect(page.getByTestId("episode-files")).toContainText("steps.jsonl");
  await expect(page.getByTestId("episode-files")).toContainText("index/manifest.json");
  await expect(page.getByRole("link", { name: `Download ${good.episodeId}.tfrecord` })).toBeVisible();
  await expect(page.getByTestId("open-replay")).toHaveAttribute("href", `/console/episodes/${good.episodeId}/replay`);
  await expect(page.getByText("verified", { exact: false }).first()).toBeVisible();
  await keepScreenshot(page, "episodes-detail");

  // Quarantine: the reason with its step; re-validate (still rejected), then delete.
  await page.goto("/console/episodes/quarantine");
  const row = page.getByTestId(`quarantine-row-${badId}`);
  await expect(row).toContainText("multiple_is_first");
  await expect(row).toContainText("step 1");
  await keepScreenshot(page, "episodes-quarantine");
  page.on("dialog", (dialog) => void dialog.accept());
  await row.getByRole("button", { name: "Re-validate" }).click();
  await expect(row.getByRole("status")).toHaveText("Still rejected: see the reasons.");
  await row.getByRole("button", { name: "Delete" }).click();
  await expect(page.getByTestId(`quarantine-row-${badId}`)).toHaveCount(0);
  const audit = (await (await admin.get(`/api/console/audit?target_id=${badId}&limit=10`)).json()) as {
    entries: { action: string }[];
  };
  expect(audit.entries.map((entry) => entry.action)).toEqual(
    expect.arrayContaining(["episode.ingest", "episode.revalidate", "episode.delete"]),
  );

  // An owner sees their robot's episodes only, on a phone.
  const owner = await signUpAndSignIn(base, "episodes-owner");
  expect(
    (
      await owner.api.post("/api/robots/claim", { data: { local_claim_proof: robot.issueClaimProof(owner.uid) } })
    ).status(),
  ).toBe(200);
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await signIn(phone, owner.email, owner.password);
  await phone.goto("/console/episodes");
  await expect(phone.getByTestId(`episode-row-${good.episodeId}`)).toBeVisible();
  await expect(phone.locator("[data-testid^=episode-row-]")).toHaveCount(1);
  await keepScreenshot(phone, "episodes-list-phone");
  await phone.goto("/console/episodes/quarantine");
  await expect(phone.getByTestId("empty-state")).toContainText("Nothing in quarantine");
  await expect(phone.getByRole("button", { name: "Re-validate" })).toHaveCount(0);
  await phone.close();
});
