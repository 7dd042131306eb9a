import type { Ctx } from "@/lib/context";
import { Models, type Model } from "@/lib/models/schemas";
import type { Doc } from "@/lib/storage/typed";
import { requireUser } from "@/lib/users/authorize";

/** Production models, newest first: what a bundle can be built from (operators). */
export async function listBuildableModels(ctx: Ctx): Promise<Doc<Model>[]> {
  requireUser(ctx, "operator");
  const page = await ctx.db.query(Models, {
    where: [{ field: "stage", op: "==", value: "production" }],
    orderBy: { field: "created_at", direction: "desc" },
    limit: 100,
  });
  return page.docs;
}
