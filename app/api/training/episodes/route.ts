import { z } from "zod";
import { findTrainingEpisodes } from "@/lib/training/find-training-episodes";
import { withTrainingTokenOrUser } from "@/server/http/with-training-token";
import { createRoute } from "@/server/http/route";

// GET /api/training/episodes — episodes matching a filter (?robot_model, tags, min_quality, uploaded_from/to…) with signed download URLs
export const GET = createRoute(
  withTrainingTokenOrUser("training:read"),
  { query: z.record(z.string(), z.string()) },
  async ({ ctx, query }) => findTrainingEpisodes(ctx, query),
);
