import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import type { Doc } from "@/lib/storage/typed";
import { requireUser } from "@/lib/users/authorize";
import { parseInput } from "@/lib/validation";
import { applyRolloutAction } from "./apply-rollout-action";
import { resolvePolicy } from "./resolve-policy";
import { OtaBundles, ZUpdatePolicyInput, type OtaBundle } from "./schemas";

/** Change a rollout's health policy (threshold, minimum reports, auto-pause on/off). */
export async function updateRolloutPolicy(ctx: Ctx, raw: unknown): Promise<Doc<OtaBundle>> {
  requireUser(ctx, "operator");
  const input = parseInput(ZUpdatePolicyInput, raw, "body");
  const bundle = await ctx.db.get(OtaBundles, input.bundle_id);
  if (!bundle) {
    throw new DomainError("not_found", `Bundle ${input.bundle_id.slice(0, 120)} was not found.`, {
      reason: "bundle_not_found",
    });
  }
  return applyRolloutAction(ctx, input.bundle_id, {
    kind: "policy",
    policy: resolvePolicy(input.policy, bundle.data.rollout.policy),
  });
}
