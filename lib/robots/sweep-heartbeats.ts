import type { Ctx } from "@/lib/context";
import { HeartbeatPoints } from "./schemas";

/** Delete heartbeat points older than the history window (background sweeper). */
export async function sweepHeartbeats(ctx: Ctx): Promise<number> {
  const page = await ctx.db.query(HeartbeatPoints, {
    where: [{ field: "expires_at", op: "<", value: ctx.now().toISOString() }],
    orderBy: { field: "expires_at" },
    limit: 500,
  });
  if (page.docs.length === 0) return 0;
  await ctx.db.batch(
    page.docs.map((doc) => ({ kind: "delete" as const, collection: HeartbeatPoints.name, id: doc.id })),
  );
  return page.docs.length;
}
