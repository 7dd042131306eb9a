import { z } from "zod";
import { claimTrainingJob } from "@/lib/training/claim-training-job";
import { withTrainingToken } from "@/server/http/with-training-token";
import { createRoute } from "@/server/http/route";

// POST /api/training/claim — a worker claims the oldest queued job (or job_id) under a lease; {job: null} when none
export const POST = createRoute(
  withTrainingToken("training"),
  { body: z.unknown(), maxBodyBytes: 4096 },
  async ({ ctx, body }) => claimTrainingJob(ctx, body ?? {}),
);
