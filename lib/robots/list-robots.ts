import type { Ctx } from "@/lib/context";
import { encodeCursor } from "@/lib/storage/cursor";
import { getField } from "@/lib/storage/field-path";
import type { Filter, OrderBy } from "@/lib/storage/port";
import { hasRole, requireUser } from "@/lib/users/authorize";
import { parseInput } from "@/lib/validation";
import { Robots, ZListRobotsInput, type Robot, type RobotSort } from "./schemas";
import { matchesSearch, primarySearchTerm, SEARCH_PREFIX_MAX, searchWords } from "./search-terms";
import { computeRobotStatus } from "./status";
import { toRobotSummary, type RobotSummary } from "./views";

/** Documents one list call reads at most when some filters are checked after the query. */
export const LIST_SCAN_BUDGET = 1000;

export interface RobotListPage {
  robots: RobotSummary[];
  nextCursor: string | null;
  /** How the list is ordered (filtering by status orders by last heartbeat). */
  sort: RobotSort | "status";
  /** True when the scan budget ran out before the page filled: follow `nextCursor` for more. */
  partial: boolean;
}

const ORDER_BY: Record<RobotSort, OrderBy> = {
  name: { field: "name_sort", direction: "asc" },
  registered: { field: "registered_at", direction: "desc" },
  heartbeat: { field: "last_heartbeat", direction: "desc" },
};

/**
 * The robots list: search, filters, sort and cursor pagination, all served by indexes.
 *
 * The store takes equality filters plus one array or range filter per query (Firestore's rule), so:
 * - owner scope (`owner_uid`) and `model` are equality filters, always in the query;
 * - of search (`q`, prefix terms), `tag` and `status`, the first present is the query's one
 *   array/range filter; any others are checked on the documents read, within a scan budget
 *   (the page may come back short with a cursor to continue);
 * - search orders by name or registration (not by heartbeat, which would rewrite every search
 *   index entry on each heartbeat); a status filter alone orders by last heartbeat.
 * Every query shape used here has its index in `lib/storage/indexes.ts`.
 *
 * Owners always see only their own robots; operators and admins see the fleet.
 */
export async function listRobots(ctx: Ctx, rawInput: unknown = {}): Promise<RobotListPage> {
  const user = requireUser(ctx);
  const input = parseInput(ZListRobotsInput, rawInput, "query");
  const limit = input.limit ?? 50;
  const now = ctx.now();
  const nowIso = now.toISOString();
  const fleet = hasRole(user.role, "operator");

  const where: Filter[] = [];
  if (!fleet || input.owner === "mine") where.push({ field: "owner_uid", op: "==", value: user.uid });
  else if (input.owner === "unclaimed") where.push({ field: "owner_uid", op: "==", value: null });
  if (input.model) where.push({ field: "model", op: "==", value: input.model });

  const term = input.q ? primarySearchTerm(input.q) : null;
  let sort: RobotListPage["sort"] = input.sort ?? "name";
  let orderBy: OrderBy;
  let checkSearch = Boolean(input.q);
  let checkTag = Boolean(input.tag);
  let checkStatus = Boolean(input.status);
  if (term) {
    where.push({ field: "search_terms", op: "array-contains", value: term });
    if (sort === "heartbeat") sort = "name";
    orderBy = ORDER_BY[sort];
    const words = searchWords(input.q ?? "");
    checkSearch = words.length > 1 || (words[0]?.length ?? 0) > SEARCH_PREFIX_MAX;
  } else if (input.tag) {
    where.push({ field: "tags", op: "array-contains", value: input.tag });
    orderBy = ORDER_BY[sort];
    checkTag = false;
  } else if (input.status) {
    if (input.status === "offline") {
      where.push({ field: "offline_after", op: "<=", value: nowIso });
    } else {
      where.push({ field: "status", op: "==", value: input.status });
      where.push({ field: "offline_after", op: ">", value: nowIso });
    }
    sort = "status";
    orderBy = { field: "offline_after", direction: "desc" };
    checkStatus = false;
  } else {
    orderBy = ORDER_BY[sort];
  }

  const keep = (robot: Robot) =>
    (!checkSearch || matchesSearch(robot, input.q ?? "")) &&
    (!checkTag || robot.tags.includes(input.tag ?? "")) &&
    (!checkStatus || computeRobotStatus(robot, now) === input.status);
  const filtering = checkSearch || checkTag || checkStatus;

  const robots: RobotSummary[] = [];
  let cursor = input.cursor ?? null;
  let scanned = 0;
  for (;;) {
    const pageSize = filtering ? Math.min(200, LIST_SCAN_BUDGET - scanned) : limit;
    const page = await ctx.db.query(Robots, { where, orderBy, limit: pageSize, cursor });
    for (const doc of page.docs) {
      scanned++;
      if (keep(doc.data)) robots.push(toRobotSummary(doc.data, now));
      if (robots.length === limit) {
        const last = doc === page.docs[page.docs.length - 1];
        // A full page: continue after this document (the query's own cursor when it is the last one read).
        const nextCursor = last
          ? page.nextCursor
          : encodeCursor({ value: getField(doc.data, orderBy.field), id: doc.id });
        return { robots, nextCursor, sort, partial: false };
      }
    }
    cursor = page.nextCursor;
    if (!cursor) return { robots, nextCursor: null, sort, partial: false };
    if (scanned >= LIST_SCAN_BUDGET) return { robots, nextCursor: cursor, sort, partial: true };
  }
}
