import { DomainError } from "@/lib/errors";
import type { UpdatePatch } from "@/lib/storage/port";
import type { Doc } from "@/lib/storage/typed";
import {
  offerViewOf,
  type Approval,
  type HistoryEntry,
  type OfferView,
  type OtaBundle,
  type OtaTrack,
  type RolloutPolicy,
  type RolloutStatus,
} from "./schemas";
import { compareVersions } from "./versions";

/**
 * The rollout state machine, pure. Verbs read the documents in a transaction, ask this module what
 * to write, and write it in the same transaction (so concurrent actions on one robot model's track
 * cannot both win).
 *
 * ```
 * built ──stage──▶ staged ──approve canary (p %)──▶ canary ──raise (q > p)──▶ canary
 *                    │                                 │
 *                    └──────approve production─────────┴──▶ production (100 %) ──▶ superseded (by the next)
 * canary | production ──pause (operator, or the policy)──▶ paused ──resume──▶ where it was
 * staged | canary | paused | production ──rollback──▶ rolled_back
 * ```
 * Every forward step (stage, approve, raise, resume) is an approval, recorded with who and when.
 * One rollout is active per robot model (staged, canary, or paused from canary).
 */

export type RolloutAction =
  | { kind: "stage"; policy: RolloutPolicy }
  | { kind: "approve_canary"; target_percentage: number }
  | { kind: "approve_production" }
  | { kind: "raise"; target_percentage: number }
  | { kind: "pause"; reason: string; auto: boolean }
  | { kind: "resume" }
  | { kind: "rollback"; reason: string | null }
  | { kind: "policy"; policy: RolloutPolicy };

export interface ActorRef {
  kind: string;
  id: string;
  email?: string;
}

export interface RolloutInputs {
  bundle: Doc<OtaBundle>;
  /** The robot model's track (null before the first rollout of that model). */
  track: Doc<OtaTrack> | null;
  /** The track's production bundle when it is another bundle. */
  production: Doc<OtaBundle> | null;
  /** The production bundle before the track's current one (what rolling back production returns to). */
  previousProduction: Doc<OtaBundle> | null;
  at: string;
  actor: ActorRef;
  note: string | null;
}

export interface RolloutPlan {
  bundlePatch: UpdatePatch;
  /** The whole new track document. */
  track: OtaTrack;
  /** Other bundles whose status changes (the production bundle superseded or restored). */
  others: Array<{ id: string; patch: UpdatePatch }>;
  toStatus: RolloutStatus;
  /** Queue the job that marks this bundle's deployments `rolled_back`. */
  rollbackDeployments: boolean;
  audit: { action: string; details: Record<string, unknown> };
}

export const MAX_RECORDED = 100;

const STEP: Partial<Record<RolloutAction["kind"], Approval["step"]>> = {
  stage: "stage",
  approve_canary: "canary",
  approve_production: "production",
  raise: "raise",
  resume: "resume",
};

function refuse(reason: string, message: string, code: "conflict" | "invalid" = "conflict"): never {
  throw new DomainError(code, message, { reason });
}

function label(bundle: Doc<OtaBundle>): string {
  return `${bundle.data.robot_model} ${bundle.data.version} (${bundle.id})`;
}

function describe(status: RolloutStatus, percentage: number): string {
  return status === "canary" || (status === "paused" && percentage < 100) ? `${status} at ${percentage} %` : status;
}

function assertPercentage(value: number): void {
  if (!(Number.isFinite(value) && value > 0 && value < 100 && Math.round(value * 100) === value * 100)) {
    refuse(
      "invalid_percentage",
      `target_percentage ${value} must be above 0 and below 100, with at most two decimals (approve production for 100 %).`,
      "invalid",
    );
  }
}

function emptyTrack(robotModel: string, at: string): OtaTrack {
  return {
    robot_model: robotModel,
    production_bundle_id: null,
    production_version: null,
    previous_production_ids: [],
    active_bundle_id: null,
    rolled_back_versions: [],
    offer_views: {},
    updated_at: at,
  };
}

const keepLast = <T>(items: T[]): T[] => items.slice(-MAX_RECORDED);

/** Plan one action, or throw the DomainError that explains why it is not allowed now. */
export function planRolloutAction(inputs: RolloutInputs, action: RolloutAction): RolloutPlan {
  const { bundle, at, actor } = inputs;
  const rollout = bundle.data.rollout;
  const from = rollout.status;
  const track: OtaTrack = inputs.track ? { ...inputs.track.data } : emptyTrack(bundle.data.robot_model, at);
  const others: RolloutPlan["others"] = [];
  const patch: UpdatePatch = {};
  let to: RolloutStatus = from;
  let percentage = rollout.target_percentage;
  let rollbackDeployments = false;
  let reason: string | null = inputs.note;
  const notFrom = (allowed: string) =>
    refuse(
      "invalid_transition",
      `Bundle ${label(bundle)} is ${describe(from, rollout.target_percentage)}; "${action.kind.replace("_", " ")}" needs it to be ${allowed}.`,
    );
  const isActiveElsewhere = track.active_bundle_id !== null && track.active_bundle_id !== bundle.id;

  switch (action.kind) {
    case "stage": {
      if (bundle.data.build.status !== "ready") {
        refuse("bundle_not_built", `Bundle ${label(bundle)} is not built yet (build ${bundle.data.build.status}).`);
      }
      if (from !== "built") notFrom("built (not yet staged)");
      if (isActiveElsewhere) {
        refuse(
          "rollout_active",
          `${bundle.data.robot_model} already has a rollout in flight (${track.active_bundle_id}); promote it to production or roll it back first — one rollout per robot model at a time.`,
        );
      }
      if (track.production_version !== null && compareVersions(bundle.data.version, track.production_version) <= 0) {
        refuse(
          "version_not_newer",
          `Version ${bundle.data.version} is not newer than ${track.production_version}, which ${bundle.data.robot_model} robots run in production; robots only move forward.`,
        );
      }
      to = "staged";
      percentage = 0;
      patch["rollout.policy"] = action.policy;
      patch["rollout.previous_bundle_id"] = track.production_bundle_id;
      track.active_bundle_id = bundle.id;
      break;
    }
    case "approve_canary": {
      if (from !== "staged") notFrom("staged");
      assertPercentage(action.target_percentage);
      to = "canary";
      percentage = action.target_percentage;
      break;
    }
    case "raise": {
      if (from !== "canary") notFrom("canary (resume a paused rollout first)");
      assertPercentage(action.target_percentage);
      if (action.target_percentage <= rollout.target_percentage) {
        refuse(
          "percentage_not_raised",
          `target_percentage ${action.target_percentage} must be above the current ${rollout.target_percentage} %: a robot once in the cohort stays in it.`,
          "invalid",
        );
      }
      percentage = action.target_percentage;
      break;
    }
    case "approve_production": {
      if (from !== "staged" && from !== "canary") notFrom("staged or canary");
      to = "production";
      percentage = 100;
      if (track.production_bundle_id && track.production_bundle_id !== bundle.id) {
        track.previous_production_ids = keepLast([...track.previous_production_ids, track.production_bundle_id]);
        others.push({
          id: track.production_bundle_id,
          patch: { "rollout.status": "superseded", "rollout.updated_at": at },
        });
      }
      track.production_bundle_id = bundle.id;
      track.production_version = bundle.data.version;
      track.active_bundle_id = null;
      break;
    }
    case "pause": {
      if (from !== "canary" && from !== "production") notFrom("canary or production");
      to = "paused";
      reason = action.reason;
      patch["rollout.paused_from"] = from;
      patch["rollout.paused_reason"] = action.reason;
      patch["rollout.paused_by"] = actor.email ?? actor.id;
      patch["rollout.paused_at"] = at;
      patch["rollout.auto_paused"] = action.auto;
      break;
    }
    case "resume": {
      if (from !== "paused") notFrom("paused");
      to = rollout.paused_from ?? "canary";
      patch["rollout.paused_from"] = null;
      patch["rollout.paused_reason"] = null;
      patch["rollout.paused_by"] = null;
      patch["rollout.paused_at"] = null;
      patch["rollout.auto_paused"] = false;
      // After a resume the policy judges what happens next, not the failures that caused the pause.
      patch["rollout.baseline"] = { deployed: rollout.deployed_count, errors: rollout.error_count };
      break;
    }
    case "rollback": {
      const isProduction = from === "production" || (from === "paused" && rollout.paused_from === "production");
      if (!["staged", "canary", "paused", "production"].includes(from)) {
        notFrom("staged, canary, paused or production");
      }
      to = "rolled_back";
      if (from === "staged") {
        track.active_bundle_id = null;
        break;
      }
      if (isProduction) {
        if (track.production_bundle_id !== bundle.id) {
          refuse(
            "invalid_transition",
            `Bundle ${label(bundle)} is no longer ${bundle.data.robot_model}'s production bundle.`,
          );
        }
        if (track.active_bundle_id !== null) {
          refuse(
            "rollout_active",
            `Roll back or finish the rollout in flight (${track.active_bundle_id}) before rolling back the production bundle it builds on.`,
          );
        }
        const previous = inputs.previousProduction;
        if (!previous) {
          refuse(
            "no_previous_bundle",
            `Bundle ${label(bundle)} is the first production bundle of ${bundle.data.robot_model}: there is no previous bundle to roll back to. Pause it instead, or build a fixed version.`,
          );
        }
        track.production_bundle_id = previous.id;
        track.production_version = previous.data.version;
        track.previous_production_ids = track.previous_production_ids.filter((id) => id !== previous.id);
        others.push({ id: previous.id, patch: { "rollout.status": "production", "rollout.updated_at": at } });
      } else {
        if (!rollout.previous_bundle_id || track.production_bundle_id !== rollout.previous_bundle_id) {
          refuse(
            "no_previous_bundle",
            `${bundle.data.robot_model} had no production bundle when ${label(bundle)} was staged: there is nothing to roll back to. Pause the rollout instead.`,
          );
        }
        track.active_bundle_id = null;
      }
      track.rolled_back_versions = keepLast([
        ...track.rolled_back_versions.filter((version) => version !== bundle.data.version),
        bundle.data.version,
      ]).slice(-50);
      patch["rollout.paused_from"] = null;
      rollbackDeployments = true;
      reason = action.reason;
      break;
    }
    case "policy": {
      if (from === "rolled_back" || from === "superseded") notFrom("not finished");
      patch["rollout.policy"] = action.policy;
      break;
    }
  }

  patch["rollout.status"] = to;
  patch["rollout.target_percentage"] = percentage;
  patch["rollout.updated_at"] = at;
  const step = STEP[action.kind];
  if (step) {
    const approval: Approval = {
      step,
      from_status: from,
      to_status: to,
      target_percentage: percentage,
      by: { uid: actor.id, email: actor.email ?? actor.id },
      at,
      note: inputs.note,
    };
    patch.approvals = keepLast([...bundle.data.approvals, approval]);
  }
  const entry: HistoryEntry = {
    at,
    action: action.kind === "pause" && action.auto ? "auto_pause" : action.kind,
    from_status: from,
    to_status: to,
    target_percentage: percentage,
    actor,
    reason,
  };
  patch.history = keepLast([...bundle.data.history, entry]);
  // Refresh the offer views of the bundles the track points to, from what this action leaves.
  const views: Record<string, OfferView> = {};
  for (const id of [track.active_bundle_id, track.production_bundle_id]) {
    if (!id) continue;
    if (id === bundle.id) views[id] = offerViewOf(bundle.data, { status: to, target_percentage: percentage });
    else if (inputs.previousProduction && id === inputs.previousProduction.id && action.kind === "rollback") {
      views[id] = offerViewOf(inputs.previousProduction.data, { status: "production", target_percentage: 100 });
    } else if (track.offer_views[id]) views[id] = track.offer_views[id];
    else if (inputs.production && id === inputs.production.id) views[id] = offerViewOf(inputs.production.data);
  }
  track.offer_views = views;
  track.updated_at = at;
  return {
    bundlePatch: patch,
    track,
    others,
    toStatus: to,
    rollbackDeployments,
    audit: {
      action: `rollout.${entry.action}`,
      details: {
        robot_model: bundle.data.robot_model,
        version: bundle.data.version,
        from_status: from,
        to_status: to,
        target_percentage: percentage,
        ...(reason ? { reason } : {}),
        ...(action.kind === "policy" || action.kind === "stage" ? { policy: action.policy } : {}),
      },
    },
  };
}
