import { z } from "zod";
import { requestEpisodeUpload } from "@/lib/episodes/request-episode-upload";
import { createRoute } from "@/server/http/route";
import { withRobot } from "@/server/http/with-robot";

// POST /api/rlds/signed-url — a robot asks for upload URL(s) for one episode; the episode document is created raw
export const POST = createRoute(
  withRobot(),
  { body: z.unknown(), maxBodyBytes: 4 * 1024 * 1024 },
  async ({ ctx, body }) => requestEpisodeUpload(ctx, body),
);
