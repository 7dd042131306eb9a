import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { downsampleSeries } from "@/lib/rlds/replay-index/read-replay-index";
import { parseInput } from "@/lib/validation";
import { openReplay } from "./open-replay";
import { ZReplaySeriesQuery, type ReplaySeries, type ReplaySeriesAnswer } from "./schemas";

/**
 * Chart data for numeric fields over steps `[from, to)` (default: the whole episode) in at most
 * `buckets` buckets each, with the min and max of every bucket so a one-step spike survives any
 * zoom. Read from the index's min/max pyramid: about `buckets` stored entries per field whatever
 * the episode's length. When the range has no more steps than buckets, every step is its own
 * bucket (full resolution), which is what zooming in asks for.
 *
 * @throws `not_found` / `field_not_found` naming a field the index does not hold,
 *   `invalid` / `step_range_invalid` for a range outside the episode.
 */
export async function getReplaySeries(ctx: Ctx, episodeId: string, raw: unknown): Promise<ReplaySeriesAnswer> {
  const query = parseInput(ZReplaySeriesQuery, raw, "query");
  const replay = await openReplay(ctx, episodeId);
  const { manifest, reader } = replay;
  const from = query.from ?? 0;
  const to = query.to ?? manifest.step_count;
  if (to > manifest.step_count || from > to) {
    throw new DomainError(
      "invalid",
      `Steps [${from}, ${to}) are outside episode ${episodeId} (${manifest.step_count} steps).`,
      { reason: "step_range_invalid" },
    );
  }
  const known = new Set(manifest.fields.map((field) => field.path));
  const fields = [...new Set(query.field)];
  for (const field of fields) {
    if (!known.has(field)) {
      throw new DomainError("not_found", `Field "${field}" is not a charted field of episode ${episodeId}.`, {
        reason: "field_not_found",
      });
    }
  }
  const series: ReplaySeries[] = await Promise.all(
    fields.map(async (field) => {
      if (to === from) return { field, level: 0, block: 1, start: [], end: [], min: [], max: [] };
      const window = await downsampleSeries(reader, manifest, field, from, to, query.buckets);
      return {
        field,
        level: window.level,
        block: window.block,
        start: window.buckets.map((bucket) => bucket.start),
        end: window.buckets.map((bucket) => bucket.end),
        min: window.buckets.map((bucket) => bucket.min),
        max: window.buckets.map((bucket) => bucket.max),
      };
    }),
  );
  return { episode_id: episodeId, from, to, full_resolution: to - from <= query.buckets, series };
}
