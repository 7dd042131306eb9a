import type { Ctx } from "@/lib/context";
import type { Doc } from "@/lib/storage/typed";
import { requireUser } from "@/lib/users/authorize";
import { OtaTracks, type OtaTrack } from "./schemas";

/** Per robot model: the production bundle and the rollout in flight (operators). */
export async function listTracks(ctx: Ctx): Promise<Doc<OtaTrack>[]> {
  requireUser(ctx, "operator");
  const page = await ctx.db.query(OtaTracks, { limit: 200 });
  return page.docs;
}
