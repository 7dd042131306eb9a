import type { Ctx } from "@/lib/context";
import { requireUser } from "@/lib/users/authorize";
import { parseInput } from "@/lib/validation";
import { datasetHash } from "./dataset-hash";
import { ZEpisodeFilter } from "./schemas";
import { selectEpisodes } from "./select-episodes";

export interface DatasetPreview {
  matched: number;
  selected: number;
  scanned: number;
  episode_set_sha256: string;
  robot_models: Record<string, number>;
  /** A few of the chosen ids, newest first. */
  sample: string[];
}

/**
 * What a job created from this filter would hold, before creating it: the count, the robot models
 * and the dataset hash (pass it back as `expected_sha256` to create exactly this set).
 */
export async function previewTrainingDataset(ctx: Ctx, rawFilter: unknown): Promise<DatasetPreview> {
  requireUser(ctx, "operator");
  const filter = parseInput(ZEpisodeFilter, rawFilter ?? {}, "filter");
  const selection = await selectEpisodes(ctx, filter);
  return {
    matched: selection.matched,
    selected: selection.ids.length,
    scanned: selection.scanned,
    episode_set_sha256: datasetHash(selection.ids),
    robot_models: selection.robotModels,
    sample: selection.ids.slice(0, 10),
  };
}
