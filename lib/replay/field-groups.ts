import type { FieldGroup } from "./schemas";

/**
 * The chart panel a numeric field belongs to, from its path alone, so any observation/action shape
 * gets sensible default panels: joint positions and velocities wherever they sit, every action
 * field, the reward, and the rest under "other".
 */
export function fieldGroupOf(path: string, source: "observation" | "action" | "step"): FieldGroup {
  if (path === "reward") return "reward";
  const lower = path.toLowerCase();
  if (/joint_?velocit|joint_?vel\b|jointvelocit|qvel/.test(lower)) return "joint_velocity";
  if (/joint_?position|joint_?pos\b|jointposition|qpos/.test(lower)) return "joint_position";
  if (source === "action") return "action";
  return "other";
}
