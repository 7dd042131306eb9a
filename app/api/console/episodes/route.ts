import { z } from "zod";
import { listEpisodes } from "@/lib/episodes/list-episodes";
import { withUser } from "@/server/auth/with-user";
import { createRoute } from "@/server/http/route";

// GET /api/console/episodes — episodes the user may see, filtered (robot, model, status, tag, dates, quality, eligibility), a page at a time
export const GET = createRoute(withUser("owner"), { query: z.looseObject({}) }, async ({ ctx, query }) => {
  const page = await listEpisodes(ctx, query);
  return { episodes: page.episodes, next_cursor: page.next_cursor, partial: page.partial };
});
