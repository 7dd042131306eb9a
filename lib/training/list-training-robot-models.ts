import type { Ctx } from "@/lib/context";
import { Episodes } from "@/lib/episodes/schemas";
import { requireUser } from "@/lib/users/authorize";
import { ModelLines } from "./schemas";

/** Robot models worth offering in the job form: those with models, and those among the newest episodes. */
export async function listTrainingRobotModels(ctx: Ctx): Promise<string[]> {
  requireUser(ctx, "operator");
  const [lines, recent] = await Promise.all([
    ctx.db.query(ModelLines, { orderBy: { field: "robot_model" }, limit: 200 }),
    ctx.db.query(Episodes, { orderBy: { field: "uploaded_at", direction: "desc" }, limit: 500 }),
  ]);
  const models = new Set(lines.docs.map((doc) => doc.id));
  for (const doc of recent.docs) if (doc.data.robot_model) models.add(doc.data.robot_model);
  return [...models].sort();
}
