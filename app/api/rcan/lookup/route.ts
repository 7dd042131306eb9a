import { z } from "zod";
import { lookupRobot } from "@/lib/robots/lookup-robot";
import { createRoute } from "@/server/http/route";
import { withRobotOrUser } from "@/server/http/with-robot";

// GET /api/rcan/lookup?ruri=… — a robot or a signed-in user finds a robot by RURI, device id or legacy alias
export const GET = createRoute(
  withRobotOrUser(),
  { query: z.object({ ruri: z.string().optional() }) },
  async ({ ctx, query }) => lookupRobot(ctx, { ruri: query.ruri ?? "" }),
);
