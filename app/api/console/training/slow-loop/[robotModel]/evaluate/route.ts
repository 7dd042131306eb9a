import { z } from "zod";
import { evaluateSlowLoop } from "@/lib/training/evaluate-slow-loop";
import { withUser } from "@/server/auth/with-user";
import { createRoute } from "@/server/http/route";

// POST /api/console/training/slow-loop/{robot_model}/evaluate — evaluate the policy now; queues a job when it is due
export const POST = createRoute(
  withUser("operator"),
  { params: z.object({ robotModel: z.string().min(1).max(64) }), bodyMode: "none" },
  async ({ ctx, params }) => evaluateSlowLoop(ctx, params.robotModel),
);
