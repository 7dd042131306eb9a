import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { Robots } from "@/lib/robots/schemas";
import { canSeeRobotDetail } from "@/lib/robots/views";
import type { Doc } from "@/lib/storage/typed";
import { hasRole } from "@/lib/users/authorize";
import { isEpisodeId } from "./episode-keys";
import { Episodes, type Episode } from "./schemas";

/** `read`: see the episode and its files; `manage`: re-validate or delete it. */
export type EpisodeAccess = "read" | "manage";

function notFound(episodeId: string): DomainError {
  return new DomainError("not_found", `Episode ${episodeId.slice(0, 128)} was not found.`, {
    reason: "episode_not_found",
  });
}

/**
 * The one access rule for an episode, for every feature that shows or changes one (the console,
 * replay, downloads). Load the episode or fail:
 * - `read`: operators and admins see every episode; an owner sees the episodes of the robots they
 *   own now (ownership is read from the registry, so a transfer takes effect at once); a robot sees
 *   its own; the system sees all. Anyone else gets `not_found`, as if it did not exist, so nobody
 *   learns which episode ids exist.
 * - `manage`: operators and admins only (`forbidden` for an owner who can read it).
 *
 * @throws `unauthenticated` for an anonymous caller, `not_found` / `episode_not_found`, `forbidden` / `role_required`.
 */
export async function requireEpisodeAccess(
  ctx: Ctx,
  episodeId: string,
  access: EpisodeAccess = "read",
): Promise<Doc<Episode>> {
  const actor = ctx.actor;
  if (actor.kind === "anonymous") {
    throw new DomainError("unauthenticated", "Sign in to do this.", { reason: "sign_in_required" });
  }
  if (!isEpisodeId(episodeId)) throw notFound(episodeId);
  const doc = await ctx.db.get(Episodes, episodeId);
  if (!doc) throw notFound(episodeId);
  let canRead = actor.kind === "system";
  if (actor.kind === "user") {
    canRead = hasRole(actor.role, "operator");
    if (!canRead) {
      const robot = await ctx.db.get(Robots, doc.data.robot_id);
      canRead = robot !== null && canSeeRobotDetail(actor, robot.data);
    }
  } else if (actor.kind === "robot") {
    canRead = doc.data.robot_id === actor.deviceId;
  }
  if (!canRead) throw notFound(episodeId);
  if (access === "manage" && !(actor.kind === "system" || (actor.kind === "user" && hasRole(actor.role, "operator")))) {
    throw new DomainError("forbidden", "Re-validating or deleting an episode needs the operator role.", {
      reason: "role_required",
    });
  }
  return doc;
}
