import { z } from "zod";
import { getReplaySteps } from "@/lib/replay";
import { withUser } from "@/server/auth/with-user";
import { createRoute } from "@/server/http/route";

const params = z.object({ episodeId: z.string().min(1).max(200) });

// GET /api/console/episodes/{episode_id}/replay/steps?from=&to= — steps [from, to) as stored, with clock and frame ids (from the byte-offset index)
export const GET = createRoute(withUser("owner"), { params }, async ({ ctx, request, params: { episodeId } }) =>
  Response.json(await getReplaySteps(ctx, episodeId, Object.fromEntries(new URL(request.url).searchParams)), {
    // A validated episode's steps never change: the browser may keep windows for an hour.
    headers: { "cache-control": "private, max-age=3600", vary: "cookie" },
  }),
);
