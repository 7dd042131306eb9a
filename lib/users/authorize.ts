import type { Actor, Ctx, Role } from "@/lib/context";
import { DomainError } from "@/lib/errors";

const RANK: Record<Role, number> = { owner: 0, operator: 1, admin: 2 };

export type UserActor = Extract<Actor, { kind: "user" }>;

export function hasRole(role: Role, atLeast: Role): boolean {
  return RANK[role] >= RANK[atLeast];
}

/**
 * The actor must be a signed-in user with at least `atLeast`. Verbs call this first: route
 * wrappers and layouts also check, but the domain is where access is decided.
 */
export function requireUser(ctx: Ctx, atLeast: Role = "owner"): UserActor {
  if (ctx.actor.kind !== "user") {
    throw new DomainError("unauthenticated", "Sign in to do this.", { reason: "sign_in_required" });
  }
  if (!hasRole(ctx.actor.role, atLeast)) {
    throw new DomainError("forbidden", `This needs the ${atLeast} role.`, { reason: "role_required" });
  }
  return ctx.actor;
}
