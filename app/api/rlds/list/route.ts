import { z } from "zod";
import { listEpisodes } from "@/lib/episodes/list-episodes";
import { createRoute } from "@/server/http/route";
import { withRobotOrUser } from "@/server/http/with-robot";

// GET /api/rlds/list?robot_id&status&limit — episodes a robot (its own) or a user (owner: their robots'; operator: all) may see
export const GET = createRoute(withRobotOrUser("owner"), { query: z.looseObject({}) }, async ({ ctx, query }) => {
  const page = await listEpisodes(ctx, query);
  return { episodes: page.episodes, next_cursor: page.next_cursor, partial: page.partial };
});
