import { z } from "zod";
import { registerRobot } from "@/lib/robots/register-robot";
import { createRoute, json } from "@/server/http/route";
import { withRobot } from "@/server/http/with-robot";

// POST /api/rcan/register — a robot registers its Ed25519 key with a provisioning token (signed by that key)
export const POST = createRoute(
  withRobot({ registration: true }),
  { body: z.unknown(), maxBodyBytes: 16 * 1024 },
  async ({ ctx, body }) => {
    const { robot, created } = await registerRobot(ctx, body);
    return json(robot, { status: created ? 201 : 200 });
  },
);
