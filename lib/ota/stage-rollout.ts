import type { Ctx } from "@/lib/context";
import type { Doc } from "@/lib/storage/typed";
import { requireUser } from "@/lib/users/authorize";
import { parseInput } from "@/lib/validation";
import { applyRolloutAction } from "./apply-rollout-action";
import { resolvePolicy } from "./resolve-policy";
import { ZStageInput, type OtaBundle } from "./schemas";

/**
 * Stage a built bundle: it becomes its robot model's one active rollout, with its health policy
 * (error threshold %, minimum reports, auto-pause). Nothing is offered until a canary is approved.
 */
export async function stageRollout(ctx: Ctx, raw: unknown): Promise<Doc<OtaBundle>> {
  requireUser(ctx, "operator");
  const input = parseInput(ZStageInput, raw, "body");
  return applyRolloutAction(
    ctx,
    input.bundle_id,
    { kind: "stage", policy: resolvePolicy(input.policy) },
    input.note ?? null,
  );
}
