import type { Ctx } from "@/lib/context";
import type { Doc } from "@/lib/storage/typed";
import { requireUser } from "@/lib/users/authorize";
import { parseInput } from "@/lib/validation";
import { applyRolloutAction } from "./apply-rollout-action";
import { ZPauseInput, type OtaBundle } from "./schemas";

/** Pause a canary or production rollout by hand: no robot is offered the bundle until it resumes. */
export async function pauseRollout(ctx: Ctx, raw: unknown): Promise<Doc<OtaBundle>> {
  const user = requireUser(ctx, "operator");
  const input = parseInput(ZPauseInput, raw, "body");
  return applyRolloutAction(ctx, input.bundle_id, {
    kind: "pause",
    reason: input.reason || `Paused by ${user.email}.`,
    auto: false,
  });
}
