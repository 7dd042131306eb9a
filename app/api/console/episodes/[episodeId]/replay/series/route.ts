import { z } from "zod";
import { getReplaySeries } from "@/lib/replay";
import { withUser } from "@/server/auth/with-user";
import { createRoute } from "@/server/http/route";

const params = z.object({ episodeId: z.string().min(1).max(200) });

// GET /api/console/episodes/{episode_id}/replay/series?field=…&from=&to=&buckets= — numeric fields in min/max buckets (every step when zoomed in)
export const GET = createRoute(withUser("owner"), { params }, async ({ ctx, request, params: { episodeId } }) => {
  const search = new URL(request.url).searchParams;
  const query = { ...Object.fromEntries(search), field: search.getAll("field") };
  return Response.json(await getReplaySeries(ctx, episodeId, query), {
    headers: { "cache-control": "private, max-age=3600", vary: "cookie" },
  });
});
