import { z } from "zod";
import type { Ctx } from "@/lib/context";
import { parseInput } from "@/lib/validation";
import { describeEpisodes, type JobEpisode, ZListJobEpisodesInput } from "./list-job-episodes";
import { requireTrainingReader } from "./require-training-actor";
import { ZEpisodeFilter } from "./schemas";
import { selectEpisodes } from "./select-episodes";

const flag = z
  .enum(["0", "1", "true", "false"])
  .optional()
  .transform((value) => (value === undefined ? undefined : value === "1" || value === "true"));

/** A saved episode filter as query parameters (`tags` comma-separated). */
export const ZEpisodeFilterQuery = z
  .object({
    robot_model: z.string().optional(),
    robot_id: z.string().optional(),
    tags: z
      .string()
      .optional()
      .transform((value) =>
        value
          ? value
              .split(",")
              .map((tag) => tag.trim())
              .filter(Boolean)
          : [],
      ),
    uploaded_from: z.string().optional(),
    uploaded_to: z.string().optional(),
    min_quality: z.coerce.number().optional(),
    eligible_only: flag,
    max_episodes: z.coerce.number().optional(),
  })
  .loose();

/**
 * Episodes matching a filter, with signed download URLs, a page at a time (the Python client's
 * `load_episodes(robot_model=…, min_quality=…)`, used by analysis notebooks). Read-only.
 */
export async function findTrainingEpisodes(
  ctx: Ctx,
  rawQuery: Record<string, string> = {},
): Promise<{ episodes: JobEpisode[]; matched: number; next_cursor: string | null }> {
  requireTrainingReader(ctx);
  const { cursor, limit, format, include_blobs, ...rest } = rawQuery;
  const page = parseInput(ZListJobEpisodesInput, { cursor, limit, format, include_blobs }, "query");
  const query = parseInput(ZEpisodeFilterQuery, rest, "query");
  const filter = parseInput(
    ZEpisodeFilter,
    Object.fromEntries(
      Object.entries(query).filter(([key, value]) => value !== undefined && key in ZEpisodeFilter.shape),
    ),
    "query",
  );
  const selection = await selectEpisodes(ctx, filter);
  const start = Number(page.cursor ?? 0);
  const slice = selection.ids.slice(start, start + page.limit);
  const episodes = await describeEpisodes(ctx, slice, page);
  const next = start + slice.length;
  return { episodes, matched: selection.matched, next_cursor: next < selection.ids.length ? String(next) : null };
}
