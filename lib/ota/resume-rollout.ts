import type { Ctx } from "@/lib/context";
import type { Doc } from "@/lib/storage/typed";
import { requireUser } from "@/lib/users/authorize";
import { parseInput } from "@/lib/validation";
import { applyRolloutAction } from "./apply-rollout-action";
import { ZResumeInput, type OtaBundle } from "./schemas";

/**
 * Resume a paused rollout where it was (canary at its percentage, or production). An approval. The
 * health policy then judges outcomes from this point on, not the failures that caused the pause.
 */
export async function resumeRollout(ctx: Ctx, raw: unknown): Promise<Doc<OtaBundle>> {
  requireUser(ctx, "operator");
  const input = parseInput(ZResumeInput, raw, "body");
  return applyRolloutAction(ctx, input.bundle_id, { kind: "resume" }, input.note ?? null);
}
