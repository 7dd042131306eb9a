import { describe, expect, it } from "vitest";
import type { Doc } from "@/lib/storage/typed";
import { planRolloutAction, type RolloutAction } from "./rollout-state";
import { DEFAULT_ROLLOUT_POLICY, ZERO_COUNTS, type OtaBundle, type OtaTrack, type RolloutStatus } from "./schemas";

const AT = "2026-06-01T12:00:00.000Z";
const ACTOR = { kind: "user", id: "op-1", email: "op@example.test" };

function bundle(
  id: string,
  version: string,
  status: RolloutStatus,
  extra: Partial<OtaBundle["rollout"]> = {},
): Doc<OtaBundle> {
  return {
    id,
    revision: "1",
    data: {
      version,
      robot_model: "companion-v1",
      created_at: AT,
      created_by: "op-1",
      training_job_id: null,
      storage_ref: `bundles/ota/companion-v1/${version}.bundle`,
      model_id: "m",
      model_name: "seed",
      model_version: version,
      dataset_hash: null,
      build: { status: "ready", attempt: "a", started_at: AT, finished_at: AT, progress_pct: 100, error: null },
      manifest: {
        checksum: "sha256:00",
        size_bytes: 1,
        requires_version: null,
        min_brain_version: "0.0.0",
        release_notes: "",
        files: [],
        required_files: [],
      },
      signature: "sig",
      key_id: "k",
      rollout: {
        status,
        target_percentage: status === "canary" ? 10 : status === "production" ? 100 : 0,
        deployed_count: 0,
        error_count: 0,
        counts: ZERO_COUNTS,
        policy: DEFAULT_ROLLOUT_POLICY,
        previous_bundle_id: null,
        paused_from: null,
        paused_reason: null,
        paused_by: null,
        paused_at: null,
        auto_paused: false,
        baseline: { deployed: 0, errors: 0 },
        updated_at: AT,
        ...extra,
      },
      approvals: [],
      history: [],
    },
  };
}

function track(patch: Partial<OtaTrack> = {}): Doc<OtaTrack> {
  return {
    id: "companion-v1",
    revision: "1",
    data: {
      robot_model: "companion-v1",
      production_bundle_id: null,
      production_version: null,
      previous_production_ids: [],
      active_bundle_id: null,
      rolled_back_versions: [],
      offer_views: {},
      updated_at: AT,
      ...patch,
    },
  };
}

const PRODUCTION = bundle("companion-v1@1.0.0", "1.0.0", "production");
const WITH_PRODUCTION = track({ production_bundle_id: PRODUCTION.id, production_version: "1.0.0" });

describe("the rollout state machine", () => {
  const allowed: Array<{
    name: string;
    bundle: Doc<OtaBundle>;
    track: Doc<OtaTrack> | null;
    action: RolloutAction;
    to: RolloutStatus;
    percentage: number;
  }> = [
    {
      name: "built → staged",
      bundle: bundle("b@1.1.0", "1.1.0", "built"),
      track: WITH_PRODUCTION,
      action: { kind: "stage", policy: DEFAULT_ROLLOUT_POLICY },
      to: "staged",
      percentage: 0,
    },
    {
      name: "staged → canary 10 %",
      bundle: bundle("b@1.1.0", "1.1.0", "staged"),
      track: WITH_PRODUCTION,
      action: { kind: "approve_canary", target_percentage: 10 },
      to: "canary",
      percentage: 10,
    },
    {
      name: "canary 10 → 12.5 %",
      bundle: bundle("b@1.1.0", "1.1.0", "canary"),
      track: WITH_PRODUCTION,
      action: { kind: "raise", target_percentage: 12.5 },
      to: "canary",
      percentage: 12.5,
    },
    {
      name: "canary → production",
      bundle: bundle("b@1.1.0", "1.1.0", "canary"),
      track: WITH_PRODUCTION,
      action: { kind: "approve_production" },
      to: "production",
      percentage: 100,
    },
    {
      name: "staged → production",
      bundle: bundle("b@1.1.0", "1.1.0", "staged"),
      track: null,
      action: { kind: "approve_production" },
      to: "production",
      percentage: 100,
    },
    {
      name: "canary → paused",
      bundle: bundle("b@1.1.0", "1.1.0", "canary"),
      track: WITH_PRODUCTION,
      action: { kind: "pause", reason: "r", auto: false },
      to: "paused",
      percentage: 10,
    },
    {
      name: "paused → canary",
      bundle: bundle("b@1.1.0", "1.1.0", "paused", { paused_from: "canary", target_percentage: 10 }),
      track: WITH_PRODUCTION,
      action: { kind: "resume" },
      to: "canary",
      percentage: 10,
    },
    {
      name: "staged → rolled back (withdrawn)",
      bundle: bundle("b@1.1.0", "1.1.0", "staged"),
      track: track({ active_bundle_id: "b@1.1.0" }),
      action: { kind: "rollback", reason: null },
      to: "rolled_back",
      percentage: 0,
    },
    {
      name: "canary → rolled back",
      bundle: bundle("b@1.1.0", "1.1.0", "canary", { previous_bundle_id: PRODUCTION.id }),
      track: WITH_PRODUCTION,
      action: { kind: "rollback", reason: null },
      to: "rolled_back",
      percentage: 10,
    },
  ];

  it.each(allowed)("$name", ({ bundle: subject, track: trackDoc, action, to, percentage }) => {
    const plan = planRolloutAction(
      {
        bundle: subject,
        track: trackDoc,
        production: null,
        previousProduction: null,
        at: AT,
        actor: ACTOR,
        note: null,
      },
      action,
    );
    expect(plan.toStatus).toBe(to);
    expect(plan.bundlePatch["rollout.target_percentage"]).toBe(percentage);
    expect((plan.bundlePatch.history as unknown[]).length).toBe(1);
  });

  const refused: Array<{
    name: string;
    bundle: Doc<OtaBundle>;
    track: Doc<OtaTrack> | null;
    previous?: Doc<OtaBundle>;
    action: RolloutAction;
    code: string;
    reason: string;
  }> = [
    {
      name: "stage while another rollout is active",
      bundle: bundle("b@1.2.0", "1.2.0", "built"),
      track: track({ active_bundle_id: "b@1.1.0" }),
      action: { kind: "stage", policy: DEFAULT_ROLLOUT_POLICY },
      code: "conflict",
      reason: "rollout_active",
    },
    {
      name: "stage an older version",
      bundle: bundle("b@0.9.0", "0.9.0", "built"),
      track: WITH_PRODUCTION,
      action: { kind: "stage", policy: DEFAULT_ROLLOUT_POLICY },
      code: "conflict",
      reason: "version_not_newer",
    },
    {
      name: "stage the same version",
      bundle: bundle("b@1.0.0", "1.0.0", "built"),
      track: WITH_PRODUCTION,
      action: { kind: "stage", policy: DEFAULT_ROLLOUT_POLICY },
      code: "conflict",
      reason: "version_not_newer",
    },
    {
      name: "stage a bundle still building",
      bundle: {
        ...bundle("b@1.1.0", "1.1.0", "built"),
        data: {
          ...bundle("b@1.1.0", "1.1.0", "built").data,
          build: { status: "building", attempt: "a", started_at: AT, finished_at: null, progress_pct: 10, error: null },
        },
      },
      track: null,
      action: { kind: "stage", policy: DEFAULT_ROLLOUT_POLICY },
      code: "conflict",
      reason: "bundle_not_built",
    },
    {
      name: "canary of a built (unstaged) bundle",
      bundle: bundle("b@1.1.0", "1.1.0", "built"),
      track: null,
      action: { kind: "approve_canary", target_percentage: 10 },
      code: "conflict",
      reason: "invalid_transition",
    },
    {
      name: "canary at 0 %",
      bundle: bundle("b@1.1.0", "1.1.0", "staged"),
      track: null,
      action: { kind: "approve_canary", target_percentage: 0 },
      code: "invalid",
      reason: "invalid_percentage",
    },
    {
      name: "canary at 3 decimals",
      bundle: bundle("b@1.1.0", "1.1.0", "staged"),
      track: null,
      action: { kind: "approve_canary", target_percentage: 1.234 },
      code: "invalid",
      reason: "invalid_percentage",
    },
    {
      name: "raise a paused rollout",
      bundle: bundle("b@1.1.0", "1.1.0", "paused", { paused_from: "canary" }),
      track: null,
      action: { kind: "raise", target_percentage: 50 },
      code: "conflict",
      reason: "invalid_transition",
    },
    {
      name: "pause a staged rollout",
      bundle: bundle("b@1.1.0", "1.1.0", "staged"),
      track: null,
      action: { kind: "pause", reason: "r", auto: false },
      code: "conflict",
      reason: "invalid_transition",
    },
    {
      name: "roll back the first production bundle",
      bundle: PRODUCTION,
      track: WITH_PRODUCTION,
      action: { kind: "rollback", reason: null },
      code: "conflict",
      reason: "no_previous_bundle",
    },
    {
      name: "roll back production under an active rollout",
      bundle: PRODUCTION,
      track: track({ production_bundle_id: PRODUCTION.id, production_version: "1.0.0", active_bundle_id: "b@1.1.0" }),
      previous: bundle("b@0.9.0", "0.9.0", "superseded"),
      action: { kind: "rollback", reason: null },
      code: "conflict",
      reason: "rollout_active",
    },
    {
      name: "roll back a superseded bundle",
      bundle: bundle("b@0.9.0", "0.9.0", "superseded"),
      track: WITH_PRODUCTION,
      action: { kind: "rollback", reason: null },
      code: "conflict",
      reason: "invalid_transition",
    },
    {
      name: "change the policy of a rolled-back bundle",
      bundle: bundle("b@1.1.0", "1.1.0", "rolled_back"),
      track: WITH_PRODUCTION,
      action: { kind: "policy", policy: DEFAULT_ROLLOUT_POLICY },
      code: "conflict",
      reason: "invalid_transition",
    },
  ];

  it.each(refused)(
    "refuses: $name → $code/$reason",
    ({ bundle: subject, track: trackDoc, previous, action, code, reason }) => {
      expect(() =>
        planRolloutAction(
          {
            bundle: subject,
            track: trackDoc,
            production: null,
            previousProduction: previous ?? null,
            at: AT,
            actor: ACTOR,
            note: null,
          },
          action,
        ),
      ).toThrowError(expect.objectContaining({ code, reason }));
    },
  );

  it("production supersedes the previous production bundle and frees the active slot", () => {
    const plan = planRolloutAction(
      {
        bundle: bundle("b@1.1.0", "1.1.0", "canary"),
        track: track({ ...WITH_PRODUCTION.data, active_bundle_id: "b@1.1.0" }),
        production: PRODUCTION,
        previousProduction: null,
        at: AT,
        actor: ACTOR,
        note: null,
      },
      { kind: "approve_production" },
    );
    expect(plan.track).toMatchObject({
      production_bundle_id: "b@1.1.0",
      production_version: "1.1.0",
      previous_production_ids: [PRODUCTION.id],
      active_bundle_id: null,
    });
    expect(plan.others).toEqual([
      { id: PRODUCTION.id, patch: { "rollout.status": "superseded", "rollout.updated_at": AT } },
    ]);
  });

  it("rolling back production restores the previous one", () => {
    const current = bundle("b@1.1.0", "1.1.0", "production");
    const plan = planRolloutAction(
      {
        bundle: current,
        track: track({
          production_bundle_id: current.id,
          production_version: "1.1.0",
          previous_production_ids: [PRODUCTION.id],
        }),
        production: null,
        previousProduction: PRODUCTION,
        at: AT,
        actor: ACTOR,
        note: null,
      },
      { kind: "rollback", reason: "bad" },
    );
    expect(plan.track).toMatchObject({
      production_bundle_id: PRODUCTION.id,
      production_version: "1.0.0",
      previous_production_ids: [],
      rolled_back_versions: ["1.1.0"],
    });
    expect(plan.others).toEqual([
      { id: PRODUCTION.id, patch: { "rollout.status": "production", "rollout.updated_at": AT } },
    ]);
    expect(plan.rollbackDeployments).toBe(true);
  });

  it("resume resets the policy's baseline to the outcomes so far", () => {
    const plan = planRolloutAction(
      {
        bundle: bundle("b@1.1.0", "1.1.0", "paused", { paused_from: "canary", deployed_count: 6, error_count: 4 }),
        track: null,
        production: null,
        previousProduction: null,
        at: AT,
        actor: ACTOR,
        note: "fixed the config",
      },
      { kind: "resume" },
    );
    expect(plan.bundlePatch["rollout.baseline"]).toEqual({ deployed: 6, errors: 4 });
    expect((plan.bundlePatch.approvals as Array<{ step: string; note: string }>)[0]).toMatchObject({
      step: "resume",
      note: "fixed the config",
    });
  });
});
