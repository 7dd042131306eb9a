import { appendAudit } from "@/lib/audit/append-audit";
import type { Ctx } from "@/lib/context";
import { requireUser } from "@/lib/users/authorize";
import { parseInput } from "@/lib/validation";
import { requireVisibleRobot } from "./access";
import { Robots, ZUpdateRobotInput } from "./schemas";
import { searchTermsFor } from "./search-terms";
import { toRobotView, type RobotView } from "./views";

/**
 * The robot's owner (or an operator) renames it, sets its tags, or chooses whether lookups by other
 * robots and users see its public part (`lookup_visibility`, see `lookup-robot.ts`).
 */
export async function updateRobot(ctx: Ctx, rawInput: unknown): Promise<RobotView> {
  requireUser(ctx);
  const input = parseInput(ZUpdateRobotInput, rawInput, "body");
  const doc = await requireVisibleRobot(ctx, input.device_id);
  const name = input.name ?? doc.data.name;
  const tags = input.tags ? [...new Set(input.tags)] : doc.data.tags;
  const visibility = input.lookup_visibility ?? doc.data.lookup_visibility ?? "private";
  const next = { ...doc.data, name, tags, name_sort: name.toLowerCase(), updated_at: ctx.now().toISOString() };
  next.search_terms = searchTermsFor(next);
  const updated = await ctx.db.update(
    Robots,
    doc.id,
    {
      name,
      tags,
      lookup_visibility: visibility,
      name_sort: next.name_sort,
      search_terms: next.search_terms,
      updated_at: next.updated_at,
    },
    { ifRevision: doc.revision },
  );
  await appendAudit(ctx, {
    action: "robot.update",
    target: { type: "robot", id: doc.id },
    details: { name, tags, lookup_visibility: visibility },
  });
  return toRobotView(updated.data, ctx.now());
}
