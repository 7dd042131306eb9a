import { z } from "zod";
import { getRobot } from "@/lib/robots/get-robot";
import { updateRobot } from "@/lib/robots/update-robot";
import { withUser } from "@/server/auth/with-user";
import { createRoute } from "@/server/http/route";

const params = z.object({ deviceId: z.string().min(1).max(64) });

// GET /api/robots/{device_id} — a robot's detail and heartbeat history (its owner, operators, admins)
export const GET = createRoute(
  withUser("owner"),
  { params, query: z.object({ history_hours: z.string().optional() }) },
  async ({ ctx, params: path, query }) =>
    getRobot(ctx, { device_id: path.deviceId, history_hours: query.history_hours }),
);

// PATCH /api/robots/{device_id} — its owner or an operator renames a robot, sets its tags or its lookup visibility
export const PATCH = createRoute(
  withUser("owner"),
  { params, body: z.record(z.string(), z.unknown()) },
  async ({ ctx, params: path, body }) => updateRobot(ctx, { ...body, device_id: path.deviceId }),
);
