import { expect, test } from "@playwright/test";
import { isInCohort } from "../../lib/ota/cohort";
import { runOtaCycle, fetchOtaPublicKey } from "../../tools/simulator/behaviors/ota";
import type { RobotClient } from "../../tools/robot-client";
import {
  anonymousApi,
  buildBundle,
  getBundle,
  operatorUser,
  registerFleet,
  rollout,
  seedProductionModel,
  uniqueRobotModel,
  waitFor,
} from "../support/ota";
import { adminApi, signUpAndSignIn } from "../support/users";

type Check = {
  update: { bundle_id: string; version: string; rollback: boolean; download_url: string } | null;
  reason?: string;
};

async function check(robot: RobotClient, current?: string | null): Promise<Check> {
  return robot.requestJson<Check>("GET", `/api/ota/check${current ? `?current_version=${current}` : ""}`);
}

test.describe("OTA end to end", () => {
  test.describe.configure({ timeout: 180_000 });

  test("model → bundle → staged → canary 10 % → 50 % → production; failing robots pause the next rollout; rollback re-offers the previous bundle", async ({
    baseURL,
  }) => {
    const base = baseURL as string;
    const admin = await adminApi(base);
    const operator = await operatorUser(base, admin);
    const model = uniqueRobotModel("e2e");
    const robots = await registerFleet(base, admin, model, 40);
    const publicKey = await fetchOtaPublicKey(robots[0]!);
    const installed = new Map<string, string>();
    const cycle = async (robot: RobotClient, failRate = 0) => {
      const result = await runOtaCycle({
        client: robot,
        currentVersion: installed.get(robot.deviceId) ?? null,
        publicKey,
        failRate,
      });
      if (result.status === "installed") installed.set(robot.deviceId, result.version);
      return result;
    };

    // Build v1 from a production model; nothing is offered while it is built or staged.
    const v1Model = await seedProductionModel(model, "1.0.0");
    const v1 = await buildBundle(operator.api, { model_id: v1Model, version: "1.0.0" });
    expect(v1.bundle_id).toBe(`${model}@1.0.0`);
    expect((await check(robots[0]!)).update).toBeNull();
    await rollout(operator.api, v1.bundle_id, "stage", { policy: { error_threshold_pct: 25, min_sample: 6 } });
    expect(await check(robots[0]!)).toEqual({ update: null, reason: "no_release" });

    // Canary at 10 %: exactly the cohort is offered; the others get nothing.
    const canary = await rollout(operator.api, v1.bundle_id, "approve", {
      to: "canary",
      target_percentage: 10,
      note: "e2e canary",
    });
    expect(canary.rollout).toMatchObject({ status: "canary", target_percentage: 10 });
    const cohort10 = robots.filter((robot) => isInCohort(v1.bundle_id, robot.deviceId, 10));
    const cohort50 = robots.filter((robot) => isInCohort(v1.bundle_id, robot.deviceId, 50));
    for (const robot of robots) {
      const answer = await check(robot);
      if (cohort10.includes(robot))
        expect(answer.update, robot.deviceId).toMatchObject({ bundle_id: v1.bundle_id, version: "1.0.0" });
      else expect(answer, robot.deviceId).toEqual({ update: null, reason: "not_in_cohort" });
    }
    for (const robot of cohort10) expect(await cycle(robot)).toMatchObject({ status: "installed", version: "1.0.0" });

    // 50 %: the first cohort keeps its place (already up to date) and more robots join.
    await rollout(operator.api, v1.bundle_id, "raise", { target_percentage: 50 });
    for (const robot of robots) {
      const answer = await check(robot, installed.get(robot.deviceId));
      if (cohort10.includes(robot)) expect(answer).toEqual({ update: null, reason: "up_to_date" });
      else if (cohort50.includes(robot)) expect(answer.update).toMatchObject({ version: "1.0.0" });
      else expect(answer).toEqual({ update: null, reason: "not_in_cohort" });
    }
    expect(cohort50.length).toBeGreaterThan(cohort10.length);

    // Production: every robot installs.
    await rollout(operator.api, v1.bundle_id, "approve", { to: "production" });
    for (const robot of robots) await cycle(robot);
    expect(robots.every((robot) => installed.get(robot.deviceId) === "1.0.0")).toBe(true);
    const done = await getBundle(operator.api, v1.bundle_id);
    expect(done.rollout).toMatchObject({
      status: "production",
      target_percentage: 100,
      deployed_count: 40,
      error_count: 0,
    });
    expect(done.rollout.counts).toMatchObject({ installed: 40, offered: 0, failed: 0 });

    // v2 with failing robots: the policy (25 % after 6 outcomes) pauses the rollout by itself.
    const v2Model = await seedProductionModel(model, "1.1.0");
    const v2 = await buildBundle(operator.api, { model_id: v2Model, version: "1.1.0" });
    await rollout(operator.api, v2.bundle_id, "stage", {
      policy: { error_threshold_pct: 25, min_sample: 6, auto_pause: true },
    });
    await rollout(operator.api, v2.bundle_id, "approve", { to: "canary", target_percentage: 50 });
    const takers = robots.filter((robot) => isInCohort(v2.bundle_id, robot.deviceId, 50));
    expect(takers.length).toBeGreaterThanOrEqual(8);
    for (const [index, robot] of takers.slice(0, 6).entries()) {
      // Every other robot fails its install: 3 of 6 at the sixth outcome.
      const result = await cycle(robot, index % 2 === 1 ? 1 : 0);
      expect(result.status).toBe(index % 2 === 1 ? "failed" : "installed");
      const now = await getBundle(operator.api, v2.bundle_id);
      expect(now.rollout.status, `after ${index + 1} outcomes`).toBe(index < 5 ? "canary" : "paused");
    }
    const paused = await getBundle(operator.api, v2.bundle_id);
    expect(paused.rollout).toMatchObject({ status: "paused", auto_paused: true, deployed_count: 3, error_count: 3 });
    expect(paused.rollout.paused_reason).toBe(
      "Paused automatically: 3 of 6 robots reported a failure (50 %), above the 25 % threshold (applies from 6 reports).",
    );
    // Paused: the rest of the cohort is not offered 1.1.0, and a link handed out earlier stops working.
    const late = takers[6]!;
    expect(await check(late, "1.0.0")).toEqual({ update: null, reason: "up_to_date" });

    // Rollback: robots that took 1.1.0 are offered 1.0.0 again and go back.
    await rollout(operator.api, v2.bundle_id, "rollback", { reason: "install failures" });
    const tookV2 = takers.slice(0, 6).filter((robot) => installed.get(robot.deviceId) === "1.1.0");
    expect(tookV2).toHaveLength(3);
    for (const robot of tookV2) {
      const answer = await check(robot, "1.1.0");
      expect(answer.update).toMatchObject({ bundle_id: v1.bundle_id, version: "1.0.0", rollback: true });
      expect(await cycle(robot)).toMatchObject({ status: "installed", version: "1.0.0", rollback: true });
    }
    expect(await check(late, "1.0.0")).toEqual({ update: null, reason: "up_to_date" });
    const deployments = await waitFor(async () => {
      const response = await operator.api.get(
        `/api/console/ota/bundles/${encodeURIComponent(v2.bundle_id)}/deployments`,
      );
      const body = (await response.json()) as { deployments: Array<{ state: string; rolled_back_by: string | null }> };
      return body.deployments.every((row) => row.state === "rolled_back") ? body.deployments : null;
    }, "the rollback worker to mark deployments");
    expect(deployments.length).toBeGreaterThanOrEqual(6);
    const audit = await operator.api.get(`/api/console/ota/bundles/${encodeURIComponent(v2.bundle_id)}/audit`);
    const actions = (
      (await audit.json()) as { entries: Array<{ action: string; actor: { kind: string } }> }
    ).entries.map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        "bundle.create",
        "bundle.built",
        "rollout.stage",
        "rollout.approve_canary",
        "rollout.auto_pause",
        "rollout.rollback",
      ]),
    );
    const afterRollback = await getBundle(operator.api, v1.bundle_id);
    expect(afterRollback.rollout.status).toBe("production");
  });
});

test.describe("OTA misuse over HTTP: exact status and reason, nothing changes", () => {
  test("the bad-input table", async ({ baseURL }) => {
    const base = baseURL as string;
    const admin = await adminApi(base);
    const operator = await operatorUser(base, admin);
    const owner = await signUpAndSignIn(base, "owner");
    const model = uniqueRobotModel("misuse");
    const other = uniqueRobotModel("other");
    const [robot, outsider] = await registerFleet(base, admin, model, 2);
    const [foreign] = await registerFleet(base, admin, other, 1);
    const v1Model = await seedProductionModel(model, "1.0.0");
    const v1 = await buildBundle(operator.api, { model_id: v1Model, version: "1.0.0" });
    await rollout(operator.api, v1.bundle_id, "stage");
    await rollout(operator.api, v1.bundle_id, "approve", { to: "production" });
    // v2 needs >= 1.5.0: a robot on 1.0.0 cannot take it; staged as canary at 1 % with no previous... (v1 is previous)
    const v2Model = await seedProductionModel(model, "2.0.0");
    const v2 = await buildBundle(operator.api, { model_id: v2Model, version: "2.0.0", requires_version: ">=1.5.0" });
    await rollout(operator.api, v2.bundle_id, "stage");
    await rollout(operator.api, v2.bundle_id, "approve", { to: "production" });
    await check(robot!, null);

    const snapshot = async () =>
      JSON.stringify([
        await getBundle(operator.api, v1.bundle_id),
        await getBundle(operator.api, v2.bundle_id),
        await (
          await operator.api.get(`/api/console/ota/bundles/${encodeURIComponent(v1.bundle_id)}/deployments`)
        ).json(),
      ]);

    const fresh = uniqueRobotModel("fresh");
    const freshModel = await seedProductionModel(fresh, "1.0.0");
    const first = await buildBundle(operator.api, { model_id: freshModel, version: "1.0.0" });
    await rollout(operator.api, first.bundle_id, "stage");
    await rollout(operator.api, first.bundle_id, "approve", { to: "canary", target_percentage: 10 });

    const signedJson = async (client: RobotClient, method: string, path: string, json?: unknown) => {
      const response = await client.request(method, path, json === undefined ? {} : { json });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const cases: Array<{
      name: string;
      run: () => Promise<{ status: number; body: Record<string, unknown> }>;
      status: number;
      code?: string;
      reason: string;
    }> = [
      {
        name: "wrong robot model (report)",
        run: () => signedJson(foreign!, "POST", "/api/ota/report", { bundle_id: v1.bundle_id, status: "installed" }),
        status: 403,
        code: "forbidden",
        reason: "wrong_robot_model",
      },
      {
        name: "wrong robot model (check)",
        run: () => signedJson(foreign!, "GET", "/api/ota/check"),
        status: 200,
        reason: "no_release",
      },
      {
        name: "requires_version not met",
        run: () => signedJson(outsider!, "GET", "/api/ota/check?current_version=1.0.0"),
        status: 200,
        reason: "requires_version_not_met",
      },
      {
        name: "unknown bundle in a report",
        run: () => signedJson(robot!, "POST", "/api/ota/report", { bundle_id: `${model}@9.9.9`, status: "installed" }),
        status: 404,
        code: "not_found",
        reason: "bundle_not_found",
      },
      {
        name: "report for a bundle never offered",
        run: () => signedJson(outsider!, "POST", "/api/ota/report", { bundle_id: v1.bundle_id, status: "failed" }),
        status: 409,
        code: "conflict",
        reason: "bundle_not_offered",
      },
      {
        name: "non-semver current_version",
        run: () => signedJson(robot!, "GET", "/api/ota/check?current_version=v1.0"),
        status: 400,
        code: "invalid",
        reason: "invalid_version",
      },
      {
        name: "approval by an owner",
        run: async () => {
          const response = await owner.api.post(
            `/api/console/ota/bundles/${encodeURIComponent(v2.bundle_id)}/rollout/approve`,
            { data: { to: "production" } },
          );
          return { status: response.status(), body: await response.json() };
        },
        status: 403,
        code: "forbidden",
        reason: "role_required",
      },
      {
        name: "rollback with no previous bundle",
        run: async () => {
          const response = await operator.api.post(
            `/api/console/ota/bundles/${encodeURIComponent(first.bundle_id)}/rollout/rollback`,
            { data: {} },
          );
          return { status: response.status(), body: await response.json() };
        },
        status: 409,
        code: "conflict",
        reason: "no_previous_bundle",
      },
      {
        name: "a version reused",
        run: async () => {
          const response = await operator.api.post("/api/console/ota/bundles", {
            data: { model_id: v2Model, version: "1.0.0" },
          });
          return { status: response.status(), body: await response.json() };
        },
        status: 409,
        code: "conflict",
        reason: "version_exists",
      },
      {
        name: "a non-semver version",
        run: async () => {
          const response = await operator.api.post("/api/console/ota/bundles", {
            data: { model_id: v2Model, version: "2.1" },
          });
          return { status: response.status(), body: await response.json() };
        },
        status: 400,
        code: "invalid",
        reason: "invalid_version",
      },
      {
        name: "an unsigned check",
        run: async () => {
          const response = await (await anonymousApi(base)).get("/api/ota/check");
          return { status: response.status(), body: await response.json() };
        },
        status: 401,
        code: "unauthenticated",
        reason: "signature_missing",
      },
    ];
    for (const entry of cases) {
      const before = await snapshot();
      const { status, body } = await entry.run();
      expect(status, entry.name).toBe(entry.status);
      if (entry.code) expect(body.error, entry.name).toMatchObject({ code: entry.code, reason: entry.reason });
      else expect(body, entry.name).toEqual({ update: null, reason: entry.reason });
      expect(await snapshot(), `${entry.name} changed nothing`).toBe(before);
    }
  });
});
