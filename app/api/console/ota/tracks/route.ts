import { listTracks } from "@/lib/ota/list-tracks";
import { withUser } from "@/server/auth/with-user";
import { createRoute } from "@/server/http/route";

// GET /api/console/ota/tracks — per robot model: the production bundle and the rollout in flight
export const GET = createRoute(withUser("operator"), {}, async ({ ctx }) => ({
  tracks: (await listTracks(ctx)).map((doc) => doc.data),
}));
