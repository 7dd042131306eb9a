import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import type { Doc } from "@/lib/storage/typed";
import { requireUser } from "@/lib/users/authorize";
import { parseInput } from "@/lib/validation";
import { applyRolloutAction } from "./apply-rollout-action";
import { OtaBundles, ZApproveInput, type OtaBundle } from "./schemas";
import { assertStoredBundleVerifies } from "./verify-bundle";

/**
 * Approve the next forward step: `canary` at a target percentage (from staged) or `production`
 * (100 %, from staged or canary). The approval is recorded with who and when. Before the first
 * robot can be offered the bundle, the stored file is read back and its checksum and signature
 * verified, so a bundle that would not verify on a robot is never offered.
 */
export async function approveRollout(ctx: Ctx, raw: unknown): Promise<Doc<OtaBundle>> {
  requireUser(ctx, "operator");
  const input = parseInput(ZApproveInput, raw, "body");
  if (input.to === "canary" && input.target_percentage === undefined) {
    throw new DomainError("invalid", "Invalid body: target_percentage: a canary needs a target percentage (e.g. 10).", {
      reason: "invalid_input",
    });
  }
  const bundle = await ctx.db.get(OtaBundles, input.bundle_id);
  if (bundle && bundle.data.rollout.status === "staged") await assertStoredBundleVerifies(ctx, bundle);
  const action =
    input.to === "canary"
      ? { kind: "approve_canary" as const, target_percentage: input.target_percentage as number }
      : { kind: "approve_production" as const };
  return applyRolloutAction(ctx, input.bundle_id, action, input.note ?? null);
}
