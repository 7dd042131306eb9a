import type { Ctx } from "@/lib/context";
import type { Doc } from "@/lib/storage/typed";
import { requireUser } from "@/lib/users/authorize";
import { parseInput } from "@/lib/validation";
import { applyRolloutAction } from "./apply-rollout-action";
import { ZRaiseInput, type OtaBundle } from "./schemas";

/** Raise a canary's target percentage (an approval). Robots already in the cohort stay in it. */
export async function raiseRollout(ctx: Ctx, raw: unknown): Promise<Doc<OtaBundle>> {
  requireUser(ctx, "operator");
  const input = parseInput(ZRaiseInput, raw, "body");
  return applyRolloutAction(
    ctx,
    input.bundle_id,
    { kind: "raise", target_percentage: input.target_percentage },
    input.note ?? null,
  );
}
