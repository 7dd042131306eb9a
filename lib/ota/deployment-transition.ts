import type { DeploymentState, OtaDeployment } from "./schemas";

/**
 * The per-robot deployment state machine, pure (tests drive it with tables):
 *
 * ```
 * offered ──downloaded──▶ downloaded ──installed──▶ installed
 *    │                        │                        │
 *    └──────failed / rolled_back (robot) ──────────────┴──▶ failed | rolled_back
 * failed | rolled_back (robot) ──downloaded / installed──▶ (a retry that worked)
 * any but rolled_back (rollout) ──fleet rollback──▶ rolled_back (rollout)
 * ```
 *
 * A report that would move a robot backwards (a late `downloaded` after `installed`) changes
 * nothing: robots retry and networks reorder, and the newer fact wins. After a fleet rollback the
 * state stays `rolled_back`; late reports still record the robot's outcome.
 */

/** What happened to one robot and one bundle. */
export type DeploymentEvent =
  | { kind: "downloaded"; via: "report" | "fetch" }
  | { kind: "installed" }
  | { kind: "failed"; error: string | null }
  | { kind: "robot_rolled_back"; error: string | null }
  | { kind: "rollout_rolled_back" };

export interface CounterDeltas {
  counts: Partial<Record<DeploymentState, number>>;
  deployed: number;
  errors: number;
}

export interface PlannedTransition {
  /** The fields to write on the deployment (empty when nothing changes). */
  patch: Partial<OtaDeployment>;
  deltas: CounterDeltas;
  changed: boolean;
}

function outcomeDeltas(before: OtaDeployment["outcome"], after: OtaDeployment["outcome"]) {
  return {
    deployed: (after === "installed" ? 1 : 0) - (before === "installed" ? 1 : 0),
    errors: (after === "failed" ? 1 : 0) - (before === "failed" ? 1 : 0),
  };
}

/** Plan the effect of an event on a deployment, at time `at` (ISO). */
export function planDeploymentTransition(
  current: OtaDeployment,
  event: DeploymentEvent,
  at: string,
): PlannedTransition {
  const fleetRolledBack = current.state === "rolled_back" && current.rolled_back_by === "rollout";
  let state: DeploymentState = current.state;
  let outcome = current.outcome;
  const patch: Partial<OtaDeployment> = {};
  switch (event.kind) {
    case "downloaded":
      if (event.via === "fetch") patch.fetch_count = current.fetch_count + 1;
      if (!fleetRolledBack && (current.state === "offered" || current.outcome === "failed")) {
        if (current.state !== "downloaded") state = "downloaded";
      }
      if (current.downloaded_at === null) patch.downloaded_at = at;
      break;
    case "installed":
      outcome = "installed";
      if (!fleetRolledBack) state = "installed";
      if (current.installed_at === null || current.outcome !== "installed") patch.installed_at = at;
      if (current.downloaded_at === null) patch.downloaded_at = at;
      if (current.error !== null) patch.error = null;
      break;
    case "failed":
    case "robot_rolled_back": {
      const target: DeploymentState = event.kind === "failed" ? "failed" : "rolled_back";
      const alreadySame = current.outcome === "failed" && current.state === target && current.error === event.error;
      if (alreadySame) break;
      outcome = "failed";
      if (!fleetRolledBack) {
        state = target;
        patch.rolled_back_by = target === "rolled_back" ? "robot" : null;
      }
      patch.error = event.error;
      if (target === "failed") patch.failed_at = at;
      else patch.rolled_back_at = at;
      break;
    }
    case "rollout_rolled_back":
      if (!fleetRolledBack) {
        state = "rolled_back";
        patch.rolled_back_by = "rollout";
        patch.rolled_back_at = at;
      }
      break;
  }
  if (state !== current.state) patch.state = state;
  if (outcome !== current.outcome) patch.outcome = outcome;
  const changed = Object.keys(patch).length > 0;
  if (changed) patch.updated_at = at;
  const counts: CounterDeltas["counts"] = {};
  if (state !== current.state) {
    counts[current.state] = -1;
    counts[state] = 1;
  }
  return { patch, deltas: { counts, ...outcomeDeltas(current.outcome, outcome) }, changed };
}
