import { mkdtempSync, rmSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { OtaBundles } from "../../lib/ota/schemas";
import { WorkItems } from "../../lib/work-queue/schemas";
import { getBundle, openDataDir, seedProductionModel, waitFor, type BundleJson } from "../support/ota";
import { startTestServer, type TestServer } from "../support/test-server";
import { signUpAndSignIn, type SignedInUser } from "../support/users";

/**
 * A server killed (SIGKILL) in the middle of a bundle build — the archive written to a temporary
 * object, not yet signed or published — leaves the build `building` with its work item held by a
 * dead worker. Work leases are short and renewed while a worker lives (here 5 s through
 * CONTINUON_WORK_LEASE_S), so the next server takes the build over within a minute instead of
 * waiting out a half-hour lease, deletes the dead attempt's temporary file and publishes a bundle
 * that verifies. A build with no tries left is failed with the reason, and an operator's retry
 * (audited) builds it.
 */
const LEASE = { CONTINUON_WORK_LEASE_S: "5" };

type BuildJson = BundleJson["build"] & { attempts?: number; max_attempts?: number; progress_pct: number };

async function crashMidBuild(label: string): Promise<{
  dataDir: string;
  port: number;
  admin: SignedInUser;
  bundleId: string;
}> {
  const dataDir = mkdtempSync(`/tmp/training-work-${label}-`);
  const server = await startTestServer({
    dataDir,
    env: { ...LEASE, CONTINUON_FAULT_POINT: "ota.build_after_archive:exit" },
  });
  const admin = await signUpAndSignIn(server.url, `${label}-admin`);
  const modelId = await seedProductionModel(`${label}-v1`, "1.0.0", { dataDir });
  const queued = await admin.api.post("/api/console/ota/bundles", { data: { model_id: modelId, version: "1.0.0" } });
  expect(queued.status(), await queued.text()).toBe(202);
  const { bundle_id: bundleId } = (await queued.json()) as { bundle_id: string };
  await waitFor(
    async () => (server.output().includes("fault point ota.build_after_archive reached") ? true : null),
    "the build to reach its fault point",
    60_000,
  ).catch((error: Error) => {
    throw new Error(`${error.message}\n${server.output()}`);
  });
  await server.kill();
  return { dataDir, port: server.port, admin, bundleId };
}

/** What the killed build left in the store and the blob folder (read while no server runs). */
async function leftovers(dataDir: string, bundleId: string) {
  const runtime = await openDataDir(dataDir);
  try {
    const bundle = await runtime.db.require(OtaBundles, bundleId, "Bundle");
    const item = await runtime.db.require(WorkItems, `ota-build_${bundleId}`, "Work item");
    const tmp = (await runtime.blobs.list("bundles/tmp/")).items.map((entry) => entry.key);
    return { bundle: bundle.data, item: item.data, tmp };
  } finally {
    await runtime.close();
  }
}

async function tmpObjects(dataDir: string): Promise<string[]> {
  const runtime = await openDataDir(dataDir);
  try {
    return (await runtime.blobs.list("bundles/tmp/")).items.map((entry) => entry.key);
  } finally {
    await runtime.close();
  }
}

test("a build killed mid-way is taken over by the next server within a minute and publishes a bundle that verifies", async () => {
  test.setTimeout(180_000);
  const { dataDir, port, admin, bundleId } = await crashMidBuild("build-crash");
  let server: TestServer | null = null;
  try {
    const left = await leftovers(dataDir, bundleId);
    expect(left.bundle.build).toMatchObject({ status: "building", attempts: 1, max_attempts: 5 });
    expect(left.item).toMatchObject({ status: "running", attempts: 1 });
    expect(Date.parse(left.item.lease_expires_at as string) - Date.parse(left.item.updated_at)).toBeLessThanOrEqual(
      5_000,
    );
    expect(left.tmp).toEqual([`bundles/tmp/build-crash-v1/1.0.0-${left.bundle.build.attempt}.bundle`]);

    const restarted = Date.now();
    server = await startTestServer({ dataDir, port, env: LEASE });
    const seen: string[] = [];
    const ready = await waitFor(
      async () => {
        const bundle = await getBundle(admin.api, bundleId);
        const build = bundle.build as BuildJson;
        seen.push(`${build.status}/${build.attempts}`);
        return build.status === "ready" ? bundle : null;
      },
      "the build to be taken over and finished",
      60_000,
    );
    const tookMs = Date.now() - restarted;
    test.info().annotations.push({ type: "taken over and built after the restart", description: `${tookMs} ms` });
    expect(tookMs).toBeLessThan(60_000);
    expect(seen).not.toContain("failed/1");
    expect(ready.build as BuildJson).toMatchObject({ status: "ready", attempts: 2, error: null, progress_pct: 100 });
    const verified = await admin.api.post(`/api/console/ota/bundles/${encodeURIComponent(bundleId)}/verify`, {
      data: {},
    });
    expect(await verified.json()).toMatchObject({ ok: true, checksum_ok: true, signature_ok: true, size_ok: true });
    expect(await tmpObjects(dataDir)).toEqual([]);
    const audit = (await (
      await admin.api.get(`/api/console/audit?target_id=${encodeURIComponent(bundleId)}&limit=50`)
    ).json()) as { entries: Array<{ action: string }> };
    expect(audit.entries.map((entry) => entry.action).sort()).toEqual(["bundle.built", "bundle.create"]);
  } finally {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("a build whose last try died is failed with the reason; an operator's retry (audited) builds it", async () => {
  test.setTimeout(180_000);
  const { dataDir, port, admin, bundleId } = await crashMidBuild("build-retry");
  let server: TestServer | null = null;
  try {
    // That was its last try.
    const runtime = await openDataDir(dataDir);
    await runtime.db.update(WorkItems, `ota-build_${bundleId}`, { max_attempts: 1 });
    await runtime.close();

    server = await startTestServer({ dataDir, port, env: LEASE });
    const failed = await waitFor(
      async () => {
        const bundle = await getBundle(admin.api, bundleId);
        return bundle.build.status === "failed" ? bundle : null;
      },
      "the build to be failed",
      60_000,
    );
    expect(failed.build as BuildJson).toMatchObject({ status: "failed", attempts: 1 });
    expect(failed.build.error).toMatch(/^The worker of attempt 1 of 1 stopped \(its lease expired at .+\)\.$/);
    expect(await tmpObjects(dataDir)).toEqual([]);

    const retried = await admin.api.post(`/api/console/ota/bundles/${encodeURIComponent(bundleId)}/retry-build`);
    expect(retried.status(), await retried.text()).toBe(202);
    expect(((await retried.json()) as { build: BuildJson }).build).toMatchObject({
      status: "queued",
      attempts: 0,
      error: null,
    });
    const ready = await waitFor(
      async () => {
        const bundle = await getBundle(admin.api, bundleId);
        return bundle.build.status === "ready" ? bundle : null;
      },
      "the retried build",
      60_000,
    );
    expect(ready.build as BuildJson).toMatchObject({ status: "ready", attempts: 1 });

    const again = await admin.api.post(`/api/console/ota/bundles/${encodeURIComponent(bundleId)}/retry-build`);
    expect(again.status()).toBe(409);
    expect(((await again.json()) as { error: { reason: string } }).error.reason).toBe("build_not_failed");
    expect(await getBundle(admin.api, bundleId)).toEqual(ready);

    const audit = (await (
      await admin.api.get(`/api/console/audit?target_id=${encodeURIComponent(bundleId)}&limit=50`)
    ).json()) as { entries: Array<{ action: string; outcome: string; details: Record<string, unknown> }> };
    expect(audit.entries.map((entry) => entry.action)).toEqual([
      "bundle.built",
      "bundle.build_retry",
      "bundle.build_failed",
      "bundle.create",
    ]);
    expect(audit.entries[1]?.details).toEqual({ previous_error: failed.build.error, previous_attempts: 1 });
  } finally {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
