import type { Ctx } from "@/lib/context";
import { requireUser } from "@/lib/users/authorize";
import { TrainingTokens } from "./schemas";
import { toTrainingTokenView, type TrainingTokenView } from "./views";

/** Admins list training tokens, newest first, with when each was last used. */
export async function listTrainingTokens(
  ctx: Ctx,
  options: { cursor?: string | null; limit?: number } = {},
): Promise<{ tokens: TrainingTokenView[]; nextCursor: string | null }> {
  requireUser(ctx, "admin");
  const page = await ctx.db.query(TrainingTokens, {
    orderBy: { field: "created_at", direction: "desc" },
    limit: Math.min(Math.max(options.limit ?? 100, 1), 500),
    cursor: options.cursor ?? null,
  });
  const now = ctx.now();
  return { tokens: page.docs.map((doc) => toTrainingTokenView(doc, now)), nextCursor: page.nextCursor };
}
