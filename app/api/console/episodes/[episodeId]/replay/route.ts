import { z } from "zod";
import { getReplaySummary } from "@/lib/replay";
import { withUser } from "@/server/auth/with-user";
import { createRoute } from "@/server/http/route";

const params = z.object({ episodeId: z.string().min(1).max(200) });

// GET /api/console/episodes/{episode_id}/replay — replay summary: steps, clock, chartable fields, frame streams, timeline markers
export const GET = createRoute(withUser("owner"), { params }, async ({ ctx, params: { episodeId } }) =>
  Response.json(await getReplaySummary(ctx, episodeId), {
    headers: { "cache-control": "private, max-age=60", vary: "cookie" },
  }),
);
