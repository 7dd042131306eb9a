import { z } from "zod";
import { listJobEpisodes } from "@/lib/training/list-job-episodes";
import { withUser } from "@/server/auth/with-user";
import { createRoute } from "@/server/http/route";

// GET /api/console/training/jobs/{job_id}/episodes — a page of the job's episodes with download links
export const GET = createRoute(
  withUser("operator"),
  { params: z.object({ jobId: z.string().min(1).max(200) }), query: z.record(z.string(), z.string()) },
  async ({ ctx, params, query }) => listJobEpisodes(ctx, params.jobId, query),
);
