import { z } from "zod";
import type { Ctx } from "@/lib/context";
import { defineCollection } from "@/lib/storage/typed";
import { ZEpisodeFilter } from "./schemas";

/**
 * A dataset preview pins the episode set a filter selected when the operator counted it: the job
 * created from the preview (`preview_id`) takes exactly these ids, however many matching episodes
 * the fleet uploaded since. Previews expire after `PREVIEW_TTL_MS`; a sweep deletes them.
 */
export const PREVIEW_TTL_MS = 24 * 60 * 60_000;

export const ZDatasetPreviewDoc = z.object({
  filter: ZEpisodeFilter,
  episode_ids: z.array(z.string()),
  episode_set_sha256: z.string(),
  matched: z.number().int(),
  robot_models: z.record(z.string(), z.number().int()),
  created_by: z.string(),
  created_at: z.string(),
  expires_at: z.string(),
});
export type DatasetPreviewDoc = z.infer<typeof ZDatasetPreviewDoc>;
export const DatasetPreviews = defineCollection("training_dataset_previews", ZDatasetPreviewDoc);

/** Delete lapsed previews, a page at a time (a background worker's pass). */
export async function sweepDatasetPreviews(ctx: Ctx): Promise<number> {
  const page = await ctx.db.query(DatasetPreviews, {
    where: [{ field: "expires_at", op: "<", value: ctx.now().toISOString() }],
    orderBy: { field: "expires_at" },
    limit: 200,
  });
  if (page.docs.length === 0) return 0;
  await ctx.db.batch(
    page.docs.map((doc) => ({ kind: "delete" as const, collection: DatasetPreviews.name, id: doc.id })),
  );
  return page.docs.length;
}
