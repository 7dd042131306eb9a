import { z } from "zod";
import { heartbeatTrainingJob } from "@/lib/training/heartbeat-training-job";
import { withTrainingToken } from "@/server/http/with-training-token";
import { createRoute } from "@/server/http/route";

// POST /api/training/jobs/{job_id}/heartbeat — the lease holder renews its lease {lease_id, progress?, lease_s?}
export const POST = createRoute(
  withTrainingToken("training"),
  { params: z.object({ jobId: z.string().min(1).max(200) }), body: z.unknown(), maxBodyBytes: 8 * 1024 },
  async ({ ctx, params, body }) => heartbeatTrainingJob(ctx, params.jobId, body),
);
