import type { Actor, Ctx } from "@/lib/context";
import { authenticateTrainingToken } from "@/lib/training/authenticate-training-token";
import { createTrainingToken } from "@/lib/training/create-training-token";
import type { TrainingScope } from "@/lib/training/schemas";

export const ADMIN: Actor = { kind: "user", uid: "u_admin", role: "admin", email: "admin@example.test" };
export const OPERATOR: Actor = { kind: "user", uid: "u_operator", role: "operator", email: "op@example.test" };
export const OWNER: Actor = { kind: "user", uid: "u_owner", role: "owner", email: "owner@example.test" };

/** A training worker context: an admin creates a token, and the token authenticates as the route would. */
export async function trainingWorker(
  ctx: Ctx & { as(actor: Actor): Ctx },
  scopes: TrainingScope[] = ["training"],
  name = "notebook",
): Promise<{ ctx: Ctx; token: string; tokenId: string }> {
  const { token } = await createTrainingToken(ctx.as(ADMIN), { name, scopes });
  const auth = await authenticateTrainingToken(ctx, token, scopes.includes("training") ? "training" : "training:read");
  return { ctx: ctx.as({ kind: "training", tokenId: auth.tokenId }), token, tokenId: auth.tokenId };
}
