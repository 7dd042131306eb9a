import { z } from "zod";
import { getEpisodeLineage } from "@/lib/models/get-episode-lineage";
import { withUser } from "@/server/auth/with-user";
import { createRoute } from "@/server/http/route";

// GET /api/console/models/by-episode/{episode_id} — the models an episode fed (lineage upwards)
export const GET = createRoute(
  withUser("operator"),
  { params: z.object({ episodeId: z.string().min(1).max(200) }) },
  async ({ ctx, params }) => getEpisodeLineage(ctx, params.episodeId),
);
