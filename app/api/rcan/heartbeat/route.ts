import { z } from "zod";
import { recordHeartbeat } from "@/lib/robots/record-heartbeat";
import { createRoute } from "@/server/http/route";
import { withRobot } from "@/server/http/with-robot";

// POST /api/rcan/heartbeat — a signed robot reports it is alive; answers when to come back and what is pending
export const POST = createRoute(withRobot(), { body: z.unknown(), maxBodyBytes: 16 * 1024 }, async ({ ctx, body }) =>
  recordHeartbeat(ctx, body),
);
