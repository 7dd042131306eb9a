import { z } from "zod";
import type { Ctx } from "@/lib/context";
import type { Page } from "@/lib/storage/typed";
import type { Filter } from "@/lib/storage/port";
import { requireUser } from "@/lib/users/authorize";
import { parseInput } from "@/lib/validation";
import { OtaBundles, type OtaBundle } from "./schemas";

export const ZListBundlesInput = z.object({
  robot_model: z.string().max(64).optional(),
  cursor: z.string().max(2000).nullable().optional(),
  limit: z.number().int().min(1).max(200).optional(),
});

/** Bundles, newest first, optionally of one robot model (operators). */
export async function listBundles(ctx: Ctx, raw: unknown = {}): Promise<Page<OtaBundle>> {
  requireUser(ctx, "operator");
  const input = parseInput(ZListBundlesInput, raw, "query");
  const where: Filter[] = input.robot_model ? [{ field: "robot_model", op: "==", value: input.robot_model }] : [];
  return ctx.db.query(OtaBundles, {
    where,
    orderBy: { field: "created_at", direction: "desc" },
    limit: input.limit ?? 50,
    cursor: input.cursor ?? null,
  });
}
