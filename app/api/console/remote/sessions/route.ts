import { listRemoteSessions } from "@/lib/remote/list-remote-sessions";
import { ZListSessionsInput } from "@/lib/remote/schemas";
import { withUser } from "@/server/auth/with-user";
import { createRoute } from "@/server/http/route";

// GET /api/console/remote/sessions?scope=mine|active — the console's session lists (active: admins), newest first
export const GET = createRoute(withUser("owner"), { query: ZListSessionsInput }, async ({ ctx, query }) =>
  listRemoteSessions(ctx, query),
);
