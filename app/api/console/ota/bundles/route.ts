import { z } from "zod";
import { buildBundle } from "@/lib/ota/build-bundle";
import { listBundles } from "@/lib/ota/list-bundles";
import { withUser } from "@/server/auth/with-user";
import { createRoute, json } from "@/server/http/route";

// GET /api/console/ota/bundles?robot_model=&cursor= — operators list bundles, newest first
export const GET = createRoute(
  withUser("operator"),
  {
    query: z.object({
      robot_model: z.string().max(64).optional(),
      cursor: z.string().max(2000).optional(),
      limit: z.coerce.number().int().min(1).max(200).optional(),
    }),
  },
  async ({ ctx, query }) => {
    const page = await listBundles(ctx, query);
    return { bundles: page.docs.map((doc) => ({ bundle_id: doc.id, ...doc.data })), next_cursor: page.nextCursor };
  },
);

// POST /api/console/ota/bundles — an operator builds a bundle from a production model (202: the build runs in the background)
export const POST = createRoute(
  withUser("operator"),
  { body: z.unknown(), maxBodyBytes: 16 * 1024 },
  async ({ ctx, body }) => {
    const bundle = await buildBundle(ctx, body);
    return json({ bundle_id: bundle.id, ...bundle.data }, { status: 202 });
  },
);
