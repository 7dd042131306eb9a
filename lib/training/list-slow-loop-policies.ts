import type { Ctx } from "@/lib/context";
import { requireUser } from "@/lib/users/authorize";
import { ModelLines, SlowLoopPolicies, type ModelLine, type SlowLoopPolicy } from "./schemas";

/**
 * Slow-loop policies, one per robot model, beside every robot model that has models (so the
 * console can offer a policy for each), with its production model.
 */
export async function listSlowLoopPolicies(
  ctx: Ctx,
): Promise<{ policies: SlowLoopPolicy[]; robot_models: ModelLine[] }> {
  requireUser(ctx, "operator");
  const [policies, lines] = await Promise.all([
    ctx.db.query(SlowLoopPolicies, { orderBy: { field: "robot_model" }, limit: 500 }),
    ctx.db.query(ModelLines, { orderBy: { field: "robot_model" }, limit: 500 }),
  ]);
  return { policies: policies.docs.map((doc) => doc.data), robot_models: lines.docs.map((doc) => doc.data) };
}
