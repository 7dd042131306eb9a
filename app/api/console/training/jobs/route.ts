import { z } from "zod";
import { createTrainingJob } from "@/lib/training/create-training-job";
import { listTrainingJobs } from "@/lib/training/list-training-jobs";
import { withUser } from "@/server/auth/with-user";
import { createRoute, json } from "@/server/http/route";

// GET /api/console/training/jobs — operators list jobs newest first (?status, ?type, ?cursor)
export const GET = createRoute(
  withUser("operator"),
  { query: z.record(z.string(), z.string()) },
  async ({ ctx, query }) => {
    const page = await listTrainingJobs(ctx, query);
    return { jobs: page.jobs, next_cursor: page.nextCursor };
  },
);

// POST /api/console/training/jobs — an operator creates a job from a preview or an episode filter {type, preview_id | filter, model_base?, hyperparams?, expected_sha256?}
export const POST = createRoute(
  withUser("operator"),
  { body: z.unknown(), maxBodyBytes: 64 * 1024 },
  async ({ ctx, body }) => json(await createTrainingJob(ctx, body, { source: "console" }), { status: 201 }),
);
