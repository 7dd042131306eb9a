import type { Quality, QualityFlag } from "@/lib/rlds/schemas";

/** Thresholds of the quality rules; exported so docs and tests quote the same numbers. */
export const QUALITY_RULES = Object.freeze({
  /** Below this many steps an episode is `short` (warning `short_episode`). */
  shortEpisodeSteps: 10,
  /** Below this many steps the length penalty is smaller but still applies. */
  briefEpisodeSteps: 50,
  /** Frame vs robot-state timestamps further apart than this are skewed (warning `clock_skew`). */
  clockSkewMs: 5,
  /** A step-to-step interval is a gap when longer than this many times the usual period… */
  gapFactor: 3,
  /** …and longer than the usual period by at least this much. */
  gapMinExtraMs: 10,
  /** Steps used to learn the usual period (median of their intervals). */
  periodSampleSteps: 64,
  /**
   * `frozen_signals`: at least this share of the steps where an action value changed saw no
   * observation value change (clock-like fields excluded), and at least `frozenMinSteps` such steps.
   */
  frozenShare: 0.5,
  frozenMinSteps: 10,
  /**
   * `action_jerk`: the mean absolute second difference of an action field, divided by that field's
   * range, above this. Smooth trajectories score ~0.01, uniform noise ~0.5.
   */
  jerkRatio: 0.25,
  /** `training_eligible` needs at least this score… */
  eligibleMinScore: 0.5,
  /** …and at least this many steps. */
  eligibleMinSteps: 10,
});

export interface QualityInputs {
  stepCount: number;
  gapCount: number;
  frozenSignals: boolean;
  actionJerk: boolean;
  clockSkewCount: number;
  missingMetadataCount: number;
  hasClock: boolean;
}

/**
 * Quality score in [0, 1] and its flags. Start at 1 and subtract:
 *
 * | flag | when | penalty |
 * | --- | --- | --- |
 * | `short` | fewer than 10 steps (0.5) or fewer than 50 (0.2) | 0.5 / 0.2 |
 * | `gaps` | timestamp gaps (see `QUALITY_RULES`) | 0.05 per gap, at most 0.3 |
 * | `frozen_signals` | observations stop changing while actions change | 0.3 |
 * | `action_jerk` | an action field jumps around instead of moving smoothly | 0.2 |
 * | `clock_skew` | camera frames more than 5 ms away from the robot state | 0.1 |
 * | `incomplete_metadata` | recommended metadata missing | 0.02 per field, at most 0.1 |
 * | `no_timestamps` | no step clock, so gaps and duration are unknown | 0.1 |
 */
export function computeQuality(input: QualityInputs): Quality {
  const flags: QualityFlag[] = [];
  let score = 1;
  if (input.stepCount < QUALITY_RULES.shortEpisodeSteps) {
    flags.push("short");
    score -= 0.5;
  } else if (input.stepCount < QUALITY_RULES.briefEpisodeSteps) {
    flags.push("short");
    score -= 0.2;
  }
  if (input.gapCount > 0) {
    flags.push("gaps");
    score -= Math.min(0.3, 0.05 * input.gapCount);
  }
  if (input.frozenSignals) {
    flags.push("frozen_signals");
    score -= 0.3;
  }
  if (input.actionJerk) {
    flags.push("action_jerk");
    score -= 0.2;
  }
  if (input.clockSkewCount > 0) {
    flags.push("clock_skew");
    score -= 0.1;
  }
  if (input.missingMetadataCount > 0) {
    flags.push("incomplete_metadata");
    score -= Math.min(0.1, 0.02 * input.missingMetadataCount);
  }
  if (!input.hasClock && input.stepCount > 1) {
    flags.push("no_timestamps");
    score -= 0.1;
  }
  return { score: Math.round(Math.max(0, Math.min(1, score)) * 1000) / 1000, flags };
}

/**
 * `training_eligible`: the episode validated, has at least 10 steps, scores at least 0.5, and
 * its observations are not frozen (a policy cannot learn from a sensor that stopped).
 */
export function isTrainingEligible(validated: boolean, stepCount: number, quality: Quality): boolean {
  return (
    validated &&
    stepCount >= QUALITY_RULES.eligibleMinSteps &&
    quality.score >= QUALITY_RULES.eligibleMinScore &&
    !quality.flags.includes("frozen_signals")
  );
}
