import { z } from "zod";
import type { Ctx } from "@/lib/context";
import type { Filter } from "@/lib/storage/port";
import type { Page } from "@/lib/storage/typed";
import { requireUser } from "@/lib/users/authorize";
import { parseInput } from "@/lib/validation";
import { OtaDeployments, ZDeploymentState, type OtaDeployment } from "./schemas";

export const ZListDeploymentsInput = z.object({
  bundle_id: z.string().min(1).max(200),
  state: ZDeploymentState.optional(),
  cursor: z.string().max(2000).nullable().optional(),
  limit: z.number().int().min(1).max(500).optional(),
});

/** The per-robot table of a rollout, most recently changed first (operators). */
export async function listDeployments(ctx: Ctx, raw: unknown): Promise<Page<OtaDeployment>> {
  requireUser(ctx, "operator");
  const input = parseInput(ZListDeploymentsInput, raw, "query");
  const where: Filter[] = [{ field: "bundle_id", op: "==", value: input.bundle_id }];
  if (input.state) where.push({ field: "state", op: "==", value: input.state });
  return ctx.db.query(OtaDeployments, {
    where,
    orderBy: { field: "updated_at", direction: "desc" },
    limit: input.limit ?? 100,
    cursor: input.cursor ?? null,
  });
}
