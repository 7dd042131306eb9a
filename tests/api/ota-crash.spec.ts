import { mkdtempSync, rmSync } from "node:fs";
import { expect, test } from "@playwright/test";
import type { RobotClient } from "../../tools/robot-client";
import { buildBundle, getBundle, registerFleet, rollout, seedProductionModel } from "../support/ota";
import { startTestServer, type TestServer } from "../support/test-server";
import { signUpAndSignIn } from "../support/users";

/**
 * A server killed (SIGKILL) while robots report leaves no half state: after a restart on the same
 * data, the rollout's counters equal the deployments' states, and retried reports finish the job.
 */
test("a crash in the middle of concurrent reports leaves counters and deployments consistent", async () => {
  test.setTimeout(180_000);
  const dataDir = mkdtempSync("/tmp/ota-crash-");
  let server: TestServer | null = await startTestServer({ dataDir });
  try {
    const admin = await signUpAndSignIn(server.url, "crash-admin");
    expect(admin.role).toBe("admin");
    const robots = await registerFleet(server.url, admin.api, "crash-v1", 60);
    const modelId = await seedProductionModel("crash-v1", "1.0.0", { dataDir });
    const bundle = await buildBundle(admin.api, { model_id: modelId, version: "1.0.0" });
    await rollout(admin.api, bundle.bundle_id, "stage", { policy: { auto_pause: false } });
    await rollout(admin.api, bundle.bundle_id, "approve", { to: "production" });
    for (const robot of robots) await robot.requestJson("GET", "/api/ota/check");

    const statusOf = (index: number) => (index % 3 === 0 ? "failed" : "installed");
    const report = (robot: RobotClient, index: number) =>
      robot.request("POST", "/api/ota/report", { json: { bundle_id: bundle.bundle_id, status: statusOf(index) } }).then(
        (response) => response.status,
        () => 0,
      );
    const inFlight = robots.map((robot, index) => report(robot, index));
    await new Promise((resolve) => setTimeout(resolve, 40));
    await server.kill();
    const first = await Promise.all(inFlight);
    const answered = first.filter((status) => status === 200).length;
    test.info().annotations.push({ type: "reports answered before the kill", description: `${answered} of 60` });
    console.log(`reports answered before the kill: ${answered} of 60`);
    const port = server.port;
    server = null;
    server = await startTestServer({ dataDir, port });

    const tally = async () => {
      const detail = await getBundle(admin.api, bundle.bundle_id);
      const response = await admin.api.get(
        `/api/console/ota/bundles/${encodeURIComponent(bundle.bundle_id)}/deployments?limit=500`,
      );
      const rows = ((await response.json()) as { deployments: Array<{ state: string; outcome: string | null }> })
        .deployments;
      const states: Record<string, number> = { offered: 0, downloaded: 0, installed: 0, failed: 0, rolled_back: 0 };
      for (const row of rows) states[row.state] = (states[row.state] ?? 0) + 1;
      return { detail, rows, states };
    };
    const afterCrash = await tally();
    expect(afterCrash.rows).toHaveLength(60);
    expect(afterCrash.detail.rollout.counts).toEqual(afterCrash.states);
    expect(afterCrash.detail.rollout.deployed_count).toBe(
      afterCrash.rows.filter((row) => row.outcome === "installed").length,
    );
    expect(afterCrash.detail.rollout.error_count).toBe(
      afterCrash.rows.filter((row) => row.outcome === "failed").length,
    );

    // Robots retry what did not get an answer (a repeat of one that did land changes nothing).
    const retried = await Promise.all(
      robots.map((robot, index) => (first[index] === 200 ? Promise.resolve(200) : report(robot, index))),
    );
    expect(retried.every((status) => status === 200)).toBe(true);
    const final = await tally();
    expect(final.states).toEqual({ offered: 0, downloaded: 0, installed: 40, failed: 20, rolled_back: 0 });
    expect(final.detail.rollout).toMatchObject({ deployed_count: 40, error_count: 20, counts: final.states });
  } finally {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
