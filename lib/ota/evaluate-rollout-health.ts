import { withActor, type Ctx } from "@/lib/context";
import { DomainError, isDomainError } from "@/lib/errors";
import type { Doc } from "@/lib/storage/typed";
import { applyRolloutAction } from "./apply-rollout-action";
import { OtaBundles, type OtaBundle } from "./schemas";

export interface RolloutHealth {
  /** Outcomes since the last resume: installed + failed. */
  outcomes: number;
  errors: number;
  error_rate_pct: number;
  /** The policy applies (enough outcomes) and the error rate passed the threshold. */
  breached: boolean;
  /** Outcomes still needed before the threshold applies. */
  needed: number;
}

/**
 * The policy's view of a rollout, the way AWS IoT Jobs' abort criteria read (a failure percentage
 * that only counts once a minimum number of robots finished) and hawkBit's error threshold
 * (pause, not fail, so an operator decides): error rate = failures / outcomes since the last
 * resume; it breaches when it is above `error_threshold_pct` and outcomes ≥ `min_sample`.
 */
export function assessRolloutHealth(rollout: OtaBundle["rollout"]): RolloutHealth {
  const deployed = Math.max(0, rollout.deployed_count - rollout.baseline.deployed);
  const errors = Math.max(0, rollout.error_count - rollout.baseline.errors);
  const outcomes = deployed + errors;
  const rate = outcomes === 0 ? 0 : (errors * 100) / outcomes;
  const enough = outcomes >= rollout.policy.min_sample;
  return {
    outcomes,
    errors,
    error_rate_pct: Math.round(rate * 100) / 100,
    breached: enough && rate > rollout.policy.error_threshold_pct,
    needed: Math.max(0, rollout.policy.min_sample - outcomes),
  };
}

/** The sentence the console shows for an automatic pause. */
export function autoPauseReason(health: RolloutHealth, policy: OtaBundle["rollout"]["policy"]): string {
  return (
    `Paused automatically: ${health.errors} of ${health.outcomes} robots reported a failure ` +
    `(${health.error_rate_pct} %), above the ${policy.error_threshold_pct} % threshold ` +
    `(applies from ${policy.min_sample} reports).`
  );
}

/**
 * Pause a rollout whose policy is breached (auto-pause on, canary or production). Called after
 * every outcome a robot reports, and by the sweep as a backstop (e.g. after a crash between a
 * report and this check). Idempotent: a rollout already paused is left alone.
 */
export async function evaluateRolloutHealth(
  ctx: Ctx,
  bundleId: string,
): Promise<"paused" | "healthy" | "not_applicable"> {
  const bundle = await ctx.db.get(OtaBundles, bundleId);
  if (!bundle) return "not_applicable";
  return evaluateLoaded(ctx, bundle);
}

async function evaluateLoaded(ctx: Ctx, bundle: Doc<OtaBundle>): Promise<"paused" | "healthy" | "not_applicable"> {
  const { rollout } = bundle.data;
  if (!rollout.policy.auto_pause || (rollout.status !== "canary" && rollout.status !== "production")) {
    return "not_applicable";
  }
  const health = assessRolloutHealth(rollout);
  if (!health.breached) return "healthy";
  try {
    await applyRolloutAction(
      withActor(ctx, { kind: "system", name: "ota-policy" }),
      bundle.id,
      { kind: "pause", reason: autoPauseReason(health, rollout.policy), auto: true },
      null,
      (fresh) => {
        // Judge again on the state inside the transaction (a resume may have reset the baseline).
        if (!fresh.data.rollout.policy.auto_pause || !assessRolloutHealth(fresh.data.rollout).breached) {
          throw new DomainError("conflict", "The rollout is healthy again.", { reason: "no_longer_applicable" });
        }
      },
    );
    ctx.log.warn({ bundle_id: bundle.id, ...health }, "rollout paused by its policy");
    return "paused";
  } catch (error) {
    // Someone paused or rolled it back in between: nothing left to do.
    if (isDomainError(error) && (error.reason === "invalid_transition" || error.reason === "no_longer_applicable")) {
      return "not_applicable";
    }
    throw error;
  }
}
