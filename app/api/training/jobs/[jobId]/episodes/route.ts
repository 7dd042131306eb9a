import { z } from "zod";
import { listJobEpisodes } from "@/lib/training/list-job-episodes";
import { withTrainingTokenOrUser } from "@/server/http/with-training-token";
import { createRoute } from "@/server/http/route";

// GET /api/training/jobs/{job_id}/episodes — a page of the job's episodes with signed TFRecord and canonical download URLs
export const GET = createRoute(
  withTrainingTokenOrUser("training:read"),
  { params: z.object({ jobId: z.string().min(1).max(200) }), query: z.record(z.string(), z.string()) },
  async ({ ctx, params, query }) => listJobEpisodes(ctx, params.jobId, query),
);
