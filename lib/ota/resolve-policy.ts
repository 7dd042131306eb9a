import type { z } from "zod";
import { DEFAULT_ROLLOUT_POLICY, type RolloutPolicy, type ZPolicyInput } from "./schemas";

/** A full policy from a partial one (missing fields keep `base`, by default the platform defaults). */
export function resolvePolicy(
  input: z.infer<typeof ZPolicyInput> | undefined,
  base: RolloutPolicy = DEFAULT_ROLLOUT_POLICY,
): RolloutPolicy {
  return {
    error_threshold_pct: input?.error_threshold_pct ?? base.error_threshold_pct,
    min_sample: input?.min_sample ?? base.min_sample,
    auto_pause: input?.auto_pause ?? base.auto_pause,
  };
}
