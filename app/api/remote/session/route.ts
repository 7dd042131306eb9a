import { z } from "zod";
import { getRemoteSession } from "@/lib/remote/get-remote-session";
import { withUser } from "@/server/auth/with-user";
import { createRoute } from "@/server/http/route";

// GET /api/remote/session?session_id=… — a session's status, with the relay's live view when this instance holds it
export const GET = createRoute(
  withUser("owner"),
  { query: z.object({ session_id: z.string().max(100) }) },
  async ({ ctx, query }) => getRemoteSession(ctx, query),
);
