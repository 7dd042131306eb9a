import { z } from "zod";
import { listUsers } from "@/lib/users/list-users";
import { withUser } from "@/server/auth/with-user";
import { createRoute } from "@/server/http/route";

// GET /api/console/users — admins list accounts, a page at a time
export const GET = createRoute(
  withUser("admin"),
  {
    query: z.object({
      cursor: z.string().max(500).optional(),
      limit: z.coerce.number().int().min(1).max(200).optional(),
    }),
  },
  async ({ ctx, query }) => {
    const page = await listUsers(ctx, { cursor: query.cursor, limit: query.limit });
    return { users: page.docs.map((doc) => ({ uid: doc.id, ...doc.data })), next_cursor: page.nextCursor };
  },
);
