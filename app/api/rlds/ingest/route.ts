import { z } from "zod";
import { ingestEpisode } from "@/lib/episodes/ingest-episode";
import { createRoute } from "@/server/http/route";
import { withRobot } from "@/server/http/with-robot";

export const dynamic = "force-dynamic";

// POST /api/rlds/ingest — validate an uploaded episode and promote it to episodes/validated/ (or quarantine it)
export const POST = createRoute(withRobot(), { body: z.unknown(), maxBodyBytes: 512 * 1024 }, async ({ ctx, body }) =>
  ingestEpisode(ctx, body),
);
