import { z } from "zod";
import { claimRobot } from "@/lib/robots/claim-robot";
import { withUser } from "@/server/auth/with-user";
import { createRoute } from "@/server/http/route";

// POST /api/robots/claim — the signed-in user becomes a robot's owner with the robot's local claim proof
export const POST = createRoute(
  withUser("owner"),
  { body: z.unknown(), maxBodyBytes: 16 * 1024 },
  async ({ ctx, body }) => claimRobot(ctx, body),
);
