import { z } from "zod";
import { deleteEpisode } from "@/lib/episodes/delete-episode";
import { getEpisode } from "@/lib/episodes/get-episode";
import { withUser } from "@/server/auth/with-user";
import { createRoute } from "@/server/http/route";

const params = z.object({ episodeId: z.string().min(1).max(200) });

// GET /api/console/episodes/{episode_id} — one episode: metadata, stats, validation report, provenance, files, TFRecord state
export const GET = createRoute(withUser("owner"), { params }, async ({ ctx, params: { episodeId } }) =>
  getEpisode(ctx, episodeId),
);

// DELETE /api/console/episodes/{episode_id} — an operator deletes a quarantined episode and its raw upload (audited)
export const DELETE = createRoute(withUser("operator"), { params }, async ({ ctx, params: { episodeId } }) =>
  deleteEpisode(ctx, episodeId),
);
