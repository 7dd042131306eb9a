import type { Ctx } from "@/lib/context";
import type { Page } from "@/lib/storage/typed";
import { requireUser } from "./authorize";
import { Users, type User } from "./schemas";

/** Admins list every account, oldest first, a page at a time. */
export async function listUsers(ctx: Ctx, input: { cursor?: string | null; limit?: number } = {}): Promise<Page<User>> {
  requireUser(ctx, "admin");
  return ctx.db.query(Users, {
    orderBy: { field: "created_at" },
    limit: Math.min(input.limit ?? 50, 200),
    cursor: input.cursor ?? null,
  });
}
