import { actorId, type Ctx } from "@/lib/context";
import type { ActorRef } from "./schemas";

/** Who did something, as stored on training documents. */
export function actorRef(ctx: Ctx): ActorRef {
  return {
    kind: ctx.actor.kind,
    id: actorId(ctx.actor),
    ...(ctx.actor.kind === "user" ? { email: ctx.actor.email } : {}),
  };
}
