import type { Actor, Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { hasRole } from "@/lib/users/authorize";

export type TrainingActor = Extract<Actor, { kind: "training" }>;

/**
 * The worker protocol is for training tokens only (notebooks); the route's authenticator has
 * already checked the token's scope. Verbs call this first.
 */
export function requireTrainingWorker(ctx: Ctx): TrainingActor {
  if (ctx.actor.kind !== "training") {
    throw new DomainError("unauthenticated", "Send a training token: Authorization: Bearer <token>.", {
      reason: "training_token_required",
    });
  }
  return ctx.actor;
}

/** Reads shared by notebooks and the console: a training token, or an operator. */
export function requireTrainingReader(ctx: Ctx): Actor {
  if (ctx.actor.kind === "training") return ctx.actor;
  if (ctx.actor.kind === "user") {
    if (!hasRole(ctx.actor.role, "operator")) {
      throw new DomainError("forbidden", "This needs the operator role.", { reason: "role_required" });
    }
    return ctx.actor;
  }
  throw new DomainError("unauthenticated", "Sign in as an operator or send a training token.", {
    reason: "sign_in_required",
  });
}
