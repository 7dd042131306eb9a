import type { FieldGroup, ReplayFieldInfo, ReplaySummary } from "@/lib/replay/schemas";

export const GROUP_TITLES: Record<FieldGroup, string> = {
  action: "Actions",
  joint_position: "Joint positions",
  joint_velocity: "Joint velocities",
  reward: "Reward",
  other: "Other fields",
};
const GROUP_ORDER: FieldGroup[] = ["action", "joint_position", "joint_velocity", "reward", "other"];
/** Series per panel (one colour each); more fields make a second panel of the same group. */
export const PANEL_FIELDS = 8;

/** A short label: the last path part (`command[0]`), with its parent when that alone is ambiguous. */
export function fieldLabel(path: string): string {
  const parts = path.split(".");
  return parts.length > 1 ? parts.slice(-2).join(".") : path;
}

/**
 * What the page charts before the user chooses: up to 7 actions, joint positions and joint
 * velocities and the reward; for other shapes (no joints, no actions) the first numeric fields.
 */
export function defaultFields(summary: ReplaySummary): string[] {
  const chosen: string[] = [];
  for (const group of ["action", "joint_position", "joint_velocity", "reward"] as FieldGroup[]) {
    chosen.push(
      ...summary.fields
        .filter((field) => field.group === group && field.count > 0)
        .slice(0, 7)
        .map((field) => field.path),
    );
  }
  if (chosen.length <= 1) {
    chosen.push(
      ...summary.fields
        .filter((field) => field.group === "other" && field.count > 0 && field.min !== field.max)
        .slice(0, 6)
        .map((field) => field.path),
    );
  }
  return chosen;
}

/** Keep the fields the episode has (a deep link may name others). */
export function knownFields(summary: ReplaySummary, paths: readonly string[]): string[] {
  const known = new Set(summary.fields.map((field) => field.path));
  return [...new Set(paths)].filter((path) => known.has(path));
}

export interface Panel {
  key: string;
  title: string;
  fields: string[];
}

/** Chosen fields grouped into chart panels, in a fixed group order. */
export function panelsFor(fields: readonly ReplayFieldInfo[], selected: readonly string[]): Panel[] {
  const byPath = new Map(fields.map((field) => [field.path, field]));
  const panels: Panel[] = [];
  for (const group of GROUP_ORDER) {
    const paths = selected.filter((path) => byPath.get(path)?.group === group);
    for (let i = 0; i < paths.length; i += PANEL_FIELDS) {
      panels.push({
        key: `${group}-${i}`,
        title: i === 0 ? GROUP_TITLES[group] : `${GROUP_TITLES[group]} (${i / PANEL_FIELDS + 1})`,
        fields: paths.slice(i, i + PANEL_FIELDS),
      });
    }
  }
  return panels;
}
