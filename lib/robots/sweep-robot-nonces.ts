import type { Ctx } from "@/lib/context";
import { RobotNonces } from "./schemas";

/** Delete nonce records whose window has passed (background sweeper). */
export async function sweepRobotNonces(ctx: Ctx): Promise<number> {
  const page = await ctx.db.query(RobotNonces, {
    where: [{ field: "expires_at", op: "<", value: ctx.now().toISOString() }],
    orderBy: { field: "expires_at" },
    limit: 500,
  });
  if (page.docs.length === 0) return 0;
  await ctx.db.batch(page.docs.map((doc) => ({ kind: "delete" as const, collection: RobotNonces.name, id: doc.id })));
  return page.docs.length;
}
