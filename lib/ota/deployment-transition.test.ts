import { describe, expect, it } from "vitest";
import { planDeploymentTransition, type DeploymentEvent } from "./deployment-transition";
import type { OtaDeployment } from "./schemas";

const AT = "2026-06-01T12:00:00.000Z";

function deployment(patch: Partial<OtaDeployment> = {}): OtaDeployment {
  return {
    bundle_id: "companion-v1@1.0.0",
    device_id: "14d4b680",
    robot_model: "companion-v1",
    version: "1.0.0",
    state: "offered",
    outcome: null,
    error: null,
    rolled_back_by: null,
    offered_via: "check",
    cohort_bucket: 1,
    offered_at: "2026-06-01T11:00:00.000Z",
    downloaded_at: null,
    installed_at: null,
    failed_at: null,
    rolled_back_at: null,
    fetch_count: 0,
    updated_at: "2026-06-01T11:00:00.000Z",
    ...patch,
  };
}

describe("the per-robot deployment state machine", () => {
  const cases: Array<{
    name: string;
    from: Partial<OtaDeployment>;
    event: DeploymentEvent;
    state: OtaDeployment["state"];
    counts: Record<string, number>;
    deployed: number;
    errors: number;
    changed: boolean;
  }> = [
    {
      name: "offered → downloaded (report)",
      from: {},
      event: { kind: "downloaded", via: "report" },
      state: "downloaded",
      counts: { offered: -1, downloaded: 1 },
      deployed: 0,
      errors: 0,
      changed: true,
    },
    {
      name: "offered → installed",
      from: {},
      event: { kind: "installed" },
      state: "installed",
      counts: { offered: -1, installed: 1 },
      deployed: 1,
      errors: 0,
      changed: true,
    },
    {
      name: "downloaded → failed",
      from: { state: "downloaded" },
      event: { kind: "failed", error: "disk full" },
      state: "failed",
      counts: { downloaded: -1, failed: 1 },
      deployed: 0,
      errors: 1,
      changed: true,
    },
    {
      name: "installed → rolled back by the robot",
      from: { state: "installed", outcome: "installed" },
      event: { kind: "robot_rolled_back", error: "health check" },
      state: "rolled_back",
      counts: { installed: -1, rolled_back: 1 },
      deployed: -1,
      errors: 1,
      changed: true,
    },
    {
      name: "failed → installed (a retry worked)",
      from: { state: "failed", outcome: "failed" },
      event: { kind: "installed" },
      state: "installed",
      counts: { failed: -1, installed: 1 },
      deployed: 1,
      errors: -1,
      changed: true,
    },
    {
      name: "installed, then a late downloaded: no change",
      from: { state: "installed", outcome: "installed", downloaded_at: AT, installed_at: AT },
      event: { kind: "downloaded", via: "report" },
      state: "installed",
      counts: {},
      deployed: 0,
      errors: 0,
      changed: false,
    },
    {
      name: "installed twice: no change",
      from: { state: "installed", outcome: "installed", downloaded_at: AT, installed_at: AT },
      event: { kind: "installed" },
      state: "installed",
      counts: {},
      deployed: 0,
      errors: 0,
      changed: false,
    },
    {
      name: "the same failure twice: no change",
      from: { state: "failed", outcome: "failed", error: "x" },
      event: { kind: "failed", error: "x" },
      state: "failed",
      counts: {},
      deployed: 0,
      errors: 0,
      changed: false,
    },
    {
      name: "fleet rollback of an installed robot keeps its outcome",
      from: { state: "installed", outcome: "installed" },
      event: { kind: "rollout_rolled_back" },
      state: "rolled_back",
      counts: { installed: -1, rolled_back: 1 },
      deployed: 0,
      errors: 0,
      changed: true,
    },
    {
      name: "after a fleet rollback a late failure only records the outcome",
      from: { state: "rolled_back", rolled_back_by: "rollout" },
      event: { kind: "failed", error: "late" },
      state: "rolled_back",
      counts: {},
      deployed: 0,
      errors: 1,
      changed: true,
    },
    {
      name: "a completed fetch after install counts the fetch only",
      from: { state: "installed", outcome: "installed", downloaded_at: AT },
      event: { kind: "downloaded", via: "fetch" },
      state: "installed",
      counts: {},
      deployed: 0,
      errors: 0,
      changed: true,
    },
  ];

  it.each(cases)("$name", ({ from, event, state, counts, deployed, errors, changed }) => {
    const plan = planDeploymentTransition(deployment(from), event, AT);
    expect(plan.changed).toBe(changed);
    expect(plan.patch.state ?? deployment(from).state).toBe(state);
    expect(plan.deltas).toEqual({ counts, deployed, errors });
    if (changed) expect(plan.patch.updated_at).toBe(AT);
  });
});
