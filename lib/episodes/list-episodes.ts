import { z } from "zod";
import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { Robots } from "@/lib/robots/schemas";
import { encodeCursor } from "@/lib/storage/cursor";
import type { Filter } from "@/lib/storage/port";
import { hasRole } from "@/lib/users/authorize";
import { parseInput } from "@/lib/validation";
import { Episodes, ZEpisodeStatus, type Episode } from "./schemas";
import { toEpisodeSummary, type EpisodeSummary } from "./views";

/** Documents one list call reads at most when some filters are checked after the query. */
export const EPISODE_SCAN_BUDGET = 1000;
/** Firestore's `in` takes 30 values: an owner with more robots picks one. */
const MAX_OWNED_IN_QUERY = 30;

const date = z
  .string()
  .max(40)
  .refine((value) => !Number.isNaN(Date.parse(value)), { message: "must be a date (YYYY-MM-DD or ISO 8601)" })
  .transform((value) => new Date(value).toISOString());

export const ZListEpisodesInput = z.object({
  robot_id: z.string().max(64).optional(),
  robot_model: z.string().max(100).optional(),
  status: ZEpisodeStatus.optional(),
  tag: z.string().max(100).optional(),
  /** Created at or after (inclusive). */
  from: date.optional(),
  /** Created at or before (inclusive; a bare date means the end of that day). */
  to: z
    .string()
    .max(40)
    .refine((value) => !Number.isNaN(Date.parse(value)), { message: "must be a date (YYYY-MM-DD or ISO 8601)" })
    .transform((value) =>
      /^\d{4}-\d{2}-\d{2}$/.test(value)
        ? new Date(Date.parse(value) + 86_400_000 - 1).toISOString()
        : new Date(value).toISOString(),
    )
    .optional(),
  min_quality: z.coerce.number().min(0).max(1).optional(),
  eligible: z
    .enum(["true", "false"])
    .transform((value) => value === "true")
    .optional(),
  cursor: z.string().max(2000).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});
export type ListEpisodesInput = z.input<typeof ZListEpisodesInput>;

export interface EpisodeListPage {
  episodes: EpisodeSummary[];
  next_cursor: string | null;
  /** True when the scan budget ran out before the page filled: follow `next_cursor` for more. */
  partial: boolean;
}

/**
 * Episodes, newest first, with server-side filters and cursor pagination (`GET /api/rlds/list`,
 * the console list and the quarantine view). Every query shape has its index in
 * `lib/storage/indexes.ts`, so a page costs the same at 50 000 episodes as at 50:
 * - equality filters in the query: scope (`robot_id`, or `robot_model`), `status`,
 *   `training_eligible`;
 * - the one array/range filter a query may have: the owner's robots (`robot_id in …`), else the
 *   tag (`metadata.tags` contains), else the date range (`created_at`);
 * - anything left (a second of those, `min_quality`, a model next to a robot) is checked on the
 *   documents read, within {@link EPISODE_SCAN_BUDGET} (a short page then says `partial`).
 *
 * Who sees what: operators and admins every episode, owners those of the robots they own now,
 * a robot its own.
 */
export async function listEpisodes(ctx: Ctx, raw: unknown = {}): Promise<EpisodeListPage> {
  const input = parseInput(ZListEpisodesInput, raw, "query");
  const limit = input.limit ?? 50;
  const actor = ctx.actor;
  let ownedIds: string[] | null = null;
  if (actor.kind === "robot") {
    if (input.robot_id !== undefined && input.robot_id !== actor.deviceId) {
      throw new DomainError(
        "forbidden",
        `robot_id ${input.robot_id.slice(0, 64)} is not the signing robot; a robot lists its own episodes.`,
        {
          reason: "robot_mismatch",
        },
      );
    }
    input.robot_id = actor.deviceId;
  } else if (actor.kind === "user") {
    if (!hasRole(actor.role, "operator")) {
      const owned = await ctx.db.query(Robots, {
        where: [{ field: "owner_uid", op: "==", value: actor.uid }],
        orderBy: { field: "name_sort", direction: "asc" },
        limit: 1000,
      });
      ownedIds = owned.docs.map((doc) => doc.id);
      if (input.robot_id !== undefined && !ownedIds.includes(input.robot_id)) {
        return { episodes: [], next_cursor: null, partial: false };
      }
      if (input.robot_id !== undefined) ownedIds = null;
      else if (ownedIds.length === 0) return { episodes: [], next_cursor: null, partial: false };
      else if (ownedIds.length > MAX_OWNED_IN_QUERY) {
        throw new DomainError("invalid", `You own ${ownedIds.length} robots: choose one (robot_id) to list episodes.`, {
          reason: "robot_filter_required",
        });
      }
    }
  } else if (actor.kind !== "system") {
    throw new DomainError("unauthenticated", "Sign in to list episodes.", { reason: "sign_in_required" });
  }
  if (input.from && input.to && input.from > input.to) {
    throw new DomainError("invalid", "Invalid query: from is after to.", { reason: "invalid_input" });
  }

  const where: Filter[] = [];
  let checkModel = false;
  if (input.robot_id !== undefined) {
    where.push({ field: "robot_id", op: "==", value: input.robot_id });
    checkModel = input.robot_model !== undefined;
  } else if (input.robot_model !== undefined) {
    where.push({ field: "robot_model", op: "==", value: input.robot_model });
  }
  if (input.status !== undefined) where.push({ field: "status", op: "==", value: input.status });
  if (input.eligible !== undefined) where.push({ field: "training_eligible", op: "==", value: input.eligible });
  let checkTag = input.tag !== undefined;
  let checkDates = input.from !== undefined || input.to !== undefined;
  if (ownedIds !== null) {
    where.push({ field: "robot_id", op: "in", value: ownedIds });
  } else if (input.tag !== undefined) {
    where.push({ field: "metadata.tags", op: "array-contains", value: input.tag });
    checkTag = false;
  } else if (checkDates) {
    if (input.from) where.push({ field: "created_at", op: ">=", value: input.from });
    if (input.to) where.push({ field: "created_at", op: "<=", value: input.to });
    checkDates = false;
  }
  const orderBy = { field: "created_at", direction: "desc" as const };
  const keep = (episode: Episode) =>
    (!checkModel || episode.robot_model === input.robot_model) &&
    (!checkTag || episode.metadata.tags.includes(input.tag ?? "")) &&
    (!checkDates ||
      ((!input.from || episode.created_at >= input.from) && (!input.to || episode.created_at <= input.to))) &&
    (input.min_quality === undefined || (episode.quality?.score ?? -1) >= input.min_quality);
  const filtering = checkModel || checkTag || checkDates || input.min_quality !== undefined;

  const episodes: EpisodeSummary[] = [];
  let cursor = input.cursor ?? null;
  let scanned = 0;
  for (;;) {
    const pageSize = filtering ? Math.min(200, EPISODE_SCAN_BUDGET - scanned) : limit - episodes.length;
    const page = await ctx.db.query(Episodes, { where, orderBy, limit: pageSize, cursor });
    for (const doc of page.docs) {
      scanned += 1;
      if (keep(doc.data)) episodes.push(toEpisodeSummary(doc.id, doc.data));
      if (episodes.length === limit) {
        const last = doc === page.docs[page.docs.length - 1];
        const next = last ? page.nextCursor : encodeCursor({ value: doc.data.created_at, id: doc.id });
        return { episodes, next_cursor: next, partial: false };
      }
    }
    cursor = page.nextCursor;
    if (!cursor) return { episodes, next_cursor: null, partial: false };
    if (scanned >= EPISODE_SCAN_BUDGET) return { episodes, next_cursor: cursor, partial: true };
  }
}
