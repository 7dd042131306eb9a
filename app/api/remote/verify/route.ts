import { z } from "zod";
import { verifyRemoteAccess } from "@/lib/remote/verify-remote-access";
import { withUser } from "@/server/auth/with-user";
import { createRoute } from "@/server/http/route";

// POST /api/remote/verify — an owner proves ownership with the robot's local claim proof and gets a session token
export const POST = createRoute(
  withUser("owner"),
  // The verb validates the body itself, so that malformed attempts are audited like the others.
  { body: z.unknown(), maxBodyBytes: 16 * 1024 },
  async ({ ctx, body }) => verifyRemoteAccess(ctx, body),
);
