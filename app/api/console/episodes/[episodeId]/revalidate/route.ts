import { z } from "zod";
import { revalidateEpisode } from "@/lib/episodes/revalidate-episode";
import { withUser } from "@/server/auth/with-user";
import { createRoute } from "@/server/http/route";

// POST /api/console/episodes/{episode_id}/revalidate — an operator re-validates a quarantined episode from its raw upload (audited)
export const POST = createRoute(
  withUser("operator"),
  { params: z.object({ episodeId: z.string().min(1).max(200) }), bodyMode: "none" },
  async ({ ctx, params: { episodeId } }) => revalidateEpisode(ctx, episodeId),
);
