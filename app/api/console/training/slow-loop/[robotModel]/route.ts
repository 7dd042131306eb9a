import { z } from "zod";
import { setSlowLoopPolicy } from "@/lib/training/set-slow-loop-policy";
import { withUser } from "@/server/auth/with-user";
import { createRoute } from "@/server/http/route";

// PUT /api/console/training/slow-loop/{robot_model} — an operator sets the policy {enabled, min_new_episodes, min_interval_s, max_episodes, hyperparams} (audited)
export const PUT = createRoute(
  withUser("operator"),
  { params: z.object({ robotModel: z.string().min(1).max(64) }), body: z.unknown(), maxBodyBytes: 16 * 1024 },
  async ({ ctx, params, body }) => setSlowLoopPolicy(ctx, params.robotModel, body),
);
