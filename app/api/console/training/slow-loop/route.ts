import { listSlowLoopPolicies } from "@/lib/training/list-slow-loop-policies";
import { withUser } from "@/server/auth/with-user";
import { createRoute } from "@/server/http/route";

// GET /api/console/training/slow-loop — slow-loop policies and the robot models that have models
export const GET = createRoute(withUser("operator"), {}, async ({ ctx }) => listSlowLoopPolicies(ctx));
