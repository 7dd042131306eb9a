import { listRobotBundles } from "@/lib/ota/list-robot-bundles";
import { withUser } from "@/server/auth/with-user";
import { createRoute } from "@/server/http/route";

// GET /api/console/ota/robots — which bundle each of the caller's robots runs, and its latest offer
export const GET = createRoute(withUser("owner"), {}, async ({ ctx }) => ({ robots: await listRobotBundles(ctx) }));
