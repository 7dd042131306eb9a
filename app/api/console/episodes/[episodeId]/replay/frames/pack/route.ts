import { z } from "zod";
import { encodeFramePack, getReplayFramePack } from "@/lib/replay";
import { withUser } from "@/server/auth/with-user";
import { createRoute } from "@/server/http/route";

const params = z.object({ episodeId: z.string().min(1).max(200) });

// GET /api/console/episodes/{episode_id}/replay/frames/pack?stream=&from=&to= — the frames of steps [from, to) in one answer (u32 header length, JSON header, bytes)
export const GET = createRoute(withUser("owner"), { params }, async ({ ctx, request, params: { episodeId } }) => {
  const pack = await getReplayFramePack(ctx, episodeId, Object.fromEntries(new URL(request.url).searchParams));
  return new Response(new Uint8Array(encodeFramePack(pack)), {
    headers: {
      "content-type": "application/vnd.continuon.frame-pack",
      "cache-control": "private, max-age=3600",
      vary: "cookie",
    },
  });
});
