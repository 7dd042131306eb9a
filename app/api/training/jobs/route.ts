import { z } from "zod";
import { listQueuedTrainingJobs } from "@/lib/training/list-queued-training-jobs";
import { listTrainingJobs } from "@/lib/training/list-training-jobs";
import { withTrainingTokenOrUser } from "@/server/http/with-training-token";
import { createRoute } from "@/server/http/route";

// GET /api/training/jobs — queued jobs, oldest first (the claim order); ?status=… lists other jobs newest first
export const GET = createRoute(
  withTrainingTokenOrUser("training:read"),
  {
    query: z.object({
      status: z.string().max(20).optional(),
      type: z.string().max(20).optional(),
      robot_model: z.string().max(64).optional(),
      cursor: z.string().max(500).optional(),
      limit: z.string().max(4).optional(),
    }),
  },
  async ({ ctx, query }) => {
    if (!query.status || query.status === "queued") {
      const { cursor: _cursor, status: _status, ...rest } = query;
      return { jobs: await listQueuedTrainingJobs(ctx, rest), next_cursor: null };
    }
    const { robot_model: _model, ...rest } = query;
    const page = await listTrainingJobs(ctx, rest);
    return { jobs: page.jobs, next_cursor: page.nextCursor };
  },
);
