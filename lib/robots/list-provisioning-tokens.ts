import type { Ctx } from "@/lib/context";
import { requireUser } from "@/lib/users/authorize";
import { ProvisioningTokens } from "./schemas";
import { toProvisioningTokenView, type ProvisioningTokenView } from "./views";

/** Admins list provisioning tokens, newest first (never the tokens themselves: they are not stored). */
export async function listProvisioningTokens(
  ctx: Ctx,
  input: { cursor?: string | null; limit?: number } = {},
): Promise<{ tokens: ProvisioningTokenView[]; nextCursor: string | null }> {
  requireUser(ctx, "admin");
  const page = await ctx.db.query(ProvisioningTokens, {
    orderBy: { field: "created_at", direction: "desc" },
    limit: Math.min(input.limit ?? 50, 200),
    cursor: input.cursor ?? null,
  });
  const now = ctx.now();
  return { tokens: page.docs.map((doc) => toProvisioningTokenView(doc, now)), nextCursor: page.nextCursor };
}
