import { episodesBehavior } from "./episodes";
import { heartbeatBehavior } from "./heartbeat";
import { otaBehavior } from "./ota";
import { remoteBehavior } from "./remote";
import type { RobotBehavior } from "./types";

/**
 * Every behavior the simulator knows. Add yours here (one line), in its own file next to this one.
 */
export const BEHAVIORS: RobotBehavior[] = [heartbeatBehavior, remoteBehavior, otaBehavior, episodesBehavior];

/** Look behaviors up by name (`heartbeat,episodes`); unknown names fail naming the known ones. */
export function resolveBehaviors(names: string[] | undefined): RobotBehavior[] {
  if (!names || names.length === 0) return BEHAVIORS.filter((behavior) => behavior.enabledByDefault);
  return names.map((name) => {
    const behavior = BEHAVIORS.find((candidate) => candidate.name === name);
    if (!behavior) {
      throw new Error(`unknown behavior "${name}"; known: ${BEHAVIORS.map((known) => known.name).join(", ")}`);
    }
    return behavior;
  });
}

export type { BehaviorOptions, RobotBehavior } from "./types";
