import { z } from "zod";
import { verifyBundle } from "@/lib/ota/verify-bundle";
import { withUser } from "@/server/auth/with-user";
import { createRoute } from "@/server/http/route";

// POST /api/console/ota/bundles/{bundle_id}/verify — re-read the stored bundle and check size, checksum and signature
export const POST = createRoute(
  withUser("operator"),
  { params: z.object({ bundle_id: z.string().max(200) }), bodyMode: "none" },
  async ({ ctx, params }) => verifyBundle(ctx, params.bundle_id),
);
