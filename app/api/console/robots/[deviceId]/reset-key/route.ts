import { z } from "zod";
import { resetRobotKey } from "@/lib/robots/reset-robot-key";
import { withUser } from "@/server/auth/with-user";
import { robotKeyCache } from "@/server/http/robot-key-cache";
import { createRoute } from "@/server/http/route";

// POST /api/console/robots/{device_id}/reset-key — an admin clears a robot's key and gets its one-time re-enrolment token (audited)
export const POST = createRoute(
  withUser("admin"),
  {
    params: z.object({ deviceId: z.string().min(1).max(64) }),
    body: z.object({ reason: z.string().optional() }).default({}),
  },
  async ({ ctx, params, body, runtime }) => {
    const result = await resetRobotKey(ctx, { device_id: params.deviceId, reason: body.reason });
    robotKeyCache(runtime).invalidate(params.deviceId);
    return result;
  },
);
