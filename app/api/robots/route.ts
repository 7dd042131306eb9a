import { z } from "zod";
import { listRobots } from "@/lib/robots/list-robots";
import { withUser } from "@/server/auth/with-user";
import { createRoute } from "@/server/http/route";

// GET /api/robots — robots the caller may see (owners: theirs; operators: the fleet), filtered, sorted, a page at a time
export const GET = createRoute(
  withUser("owner"),
  { query: z.looseObject({ limit: z.coerce.number().int().min(1).max(200).optional() }) },
  async ({ ctx, query }) => {
    const page = await listRobots(ctx, query);
    return { robots: page.robots, next_cursor: page.nextCursor, sort: page.sort, partial: page.partial };
  },
);
