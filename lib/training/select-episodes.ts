import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { Episodes, type Episode } from "@/lib/episodes/schemas";
import type { Filter } from "@/lib/storage/port";
import type { Page } from "@/lib/storage/typed";
import { MAX_JOB_EPISODES, type EpisodeFilter } from "./schemas";

/** Stop looking after this many candidate documents: a filter this broad needs narrowing. */
export const MAX_SCANNED_EPISODES = 100_000;
const PAGE = 1000;

/** Episodes that can be trained on: validated, whether or not a job already used them. */
const TRAINABLE = new Set<Episode["status"]>(["validated", "training", "trained"]);

export interface EpisodeSelection {
  /** The chosen ids, newest upload first. */
  ids: string[];
  /** How many matched in all (more than `ids.length` when `max_episodes` cut the list). */
  matched: number;
  scanned: number;
  /** Robot models among the chosen episodes, with counts. */
  robotModels: Record<string, number>;
}

function matches(episode: Episode, filter: EpisodeFilter): boolean {
  if (!TRAINABLE.has(episode.status)) return false;
  if (filter.robot_model && episode.robot_model !== filter.robot_model) return false;
  if (filter.robot_id && episode.robot_id !== filter.robot_id) return false;
  if (filter.eligible_only && !episode.training_eligible) return false;
  if (filter.min_quality !== undefined && (episode.quality?.score ?? -1) < filter.min_quality) return false;
  for (const tag of filter.tags) if (!episode.metadata.tags.includes(tag)) return false;
  return true;
}

/**
 * Run a saved episode filter. The store query uses what has an index (robot or robot model,
 * eligibility, an upload-time range, newest first); tags, quality and status are checked on each
 * document, since Firestore allows one range and one array filter per query. Matches beyond
 * `max_episodes` (newest first) are counted but not taken; without `max_episodes`, more than a job
 * can hold is refused.
 */
export async function selectEpisodes(ctx: Ctx, filter: EpisodeFilter): Promise<EpisodeSelection> {
  const where: Filter[] = [];
  if (filter.robot_id) where.push({ field: "robot_id", op: "==", value: filter.robot_id });
  else if (filter.robot_model) where.push({ field: "robot_model", op: "==", value: filter.robot_model });
  if (filter.eligible_only) where.push({ field: "training_eligible", op: "==", value: true });
  if (filter.uploaded_from) {
    where.push({ field: "uploaded_at", op: ">=", value: new Date(filter.uploaded_from).toISOString() });
  }
  if (filter.uploaded_to)
    where.push({ field: "uploaded_at", op: "<=", value: new Date(filter.uploaded_to).toISOString() });
  if (filter.uploaded_from && filter.uploaded_to && filter.uploaded_from > filter.uploaded_to) {
    throw new DomainError("invalid", "Invalid filter: uploaded_from is after uploaded_to.", {
      reason: "invalid_input",
    });
  }
  const take = filter.max_episodes ?? MAX_JOB_EPISODES;
  const ids: string[] = [];
  const robotModels: Record<string, number> = {};
  let matched = 0;
  let scanned = 0;
  let cursor: string | null = null;
  do {
    const page: Page<Episode> = await ctx.db.query(Episodes, {
      where,
      orderBy: { field: "uploaded_at", direction: "desc" },
      limit: PAGE,
      cursor,
    });
    for (const doc of page.docs) {
      scanned += 1;
      if (!matches(doc.data, filter)) continue;
      matched += 1;
      if (ids.length < take) {
        ids.push(doc.id);
        const model = doc.data.robot_model ?? "(unknown)";
        robotModels[model] = (robotModels[model] ?? 0) + 1;
      }
    }
    cursor = page.nextCursor;
    if (cursor && scanned >= MAX_SCANNED_EPISODES) {
      throw new DomainError(
        "invalid",
        `The filter reaches more than ${MAX_SCANNED_EPISODES} episodes; narrow it by robot model, robot or upload dates.`,
        { reason: "filter_too_broad" },
      );
    }
  } while (cursor);
  if (filter.max_episodes === undefined && matched > MAX_JOB_EPISODES) {
    throw new DomainError(
      "invalid",
      `The filter matches ${matched} episodes; a job holds at most ${MAX_JOB_EPISODES}. Set max_episodes or narrow the filter.`,
      { reason: "too_many_episodes" },
    );
  }
  return { ids, matched, scanned, robotModels };
}
