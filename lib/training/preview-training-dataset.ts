import type { Ctx } from "@/lib/context";
import { createId } from "@/lib/ids";
import { requireUser } from "@/lib/users/authorize";
import { parseInput } from "@/lib/validation";
import { datasetHash } from "./dataset-hash";
import { DatasetPreviews, PREVIEW_TTL_MS } from "./dataset-previews";
import { ZEpisodeFilter } from "./schemas";
import { selectEpisodes } from "./select-episodes";

export interface DatasetPreview {
  /** Pass it to job creation (`preview_id`) to get exactly this set, whatever arrived since. */
  preview_id: string;
  /** The preview can be used until then. */
  expires_at: string;
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
 * and the dataset hash. The selected ids are kept under `preview_id` (for `PREVIEW_TTL_MS`), so a
 * job created from the preview takes exactly this set while the fleet keeps uploading.
 */
export async function previewTrainingDataset(ctx: Ctx, rawFilter: unknown): Promise<DatasetPreview> {
  const user = requireUser(ctx, "operator");
  const filter = parseInput(ZEpisodeFilter, rawFilter ?? {}, "filter");
  const selection = await selectEpisodes(ctx, filter);
  const now = ctx.now();
  const previewId = createId("dsp", now);
  const hash = datasetHash(selection.ids);
  const expiresAt = new Date(now.getTime() + PREVIEW_TTL_MS).toISOString();
  await ctx.db.create(DatasetPreviews, previewId, {
    filter,
    episode_ids: selection.ids,
    episode_set_sha256: hash,
    matched: selection.matched,
    robot_models: selection.robotModels,
    created_by: user.uid,
    created_at: now.toISOString(),
    expires_at: expiresAt,
  });
  return {
    preview_id: previewId,
    expires_at: expiresAt,
    matched: selection.matched,
    selected: selection.ids.length,
    scanned: selection.scanned,
    episode_set_sha256: hash,
    robot_models: selection.robotModels,
    sample: selection.ids.slice(0, 10),
  };
}
