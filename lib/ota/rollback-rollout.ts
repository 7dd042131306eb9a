import type { Ctx } from "@/lib/context";
import type { Doc } from "@/lib/storage/typed";
import { requireUser } from "@/lib/users/authorize";
import { parseInput } from "@/lib/validation";
import { applyRolloutAction } from "./apply-rollout-action";
import { ZRollbackInput, type OtaBundle } from "./schemas";

/**
 * Roll a bundle back: it is offered to no one, the previous production bundle is production again,
 * and the robots that took this bundle are offered the previous one (even though its version is
 * older). Their deployments of this bundle become `rolled_back` (in the background, from a work
 * item written with the rollback). Refused when there is no previous bundle to return to.
 */
export async function rollbackRollout(ctx: Ctx, raw: unknown): Promise<Doc<OtaBundle>> {
  requireUser(ctx, "operator");
  const input = parseInput(ZRollbackInput, raw, "body");
  return applyRolloutAction(ctx, input.bundle_id, { kind: "rollback", reason: input.reason || null });
}
