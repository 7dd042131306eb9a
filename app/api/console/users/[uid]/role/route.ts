import { z } from "zod";
import { changeRole } from "@/lib/users/change-role";
import { ZRole } from "@/lib/users/schemas";
import { withUser } from "@/server/auth/with-user";
import { createRoute } from "@/server/http/route";

// PATCH /api/console/users/{uid}/role — an admin changes a user's role (audited)
export const PATCH = createRoute(
  withUser("admin"),
  { params: z.object({ uid: z.string().min(1).max(200) }), body: z.object({ role: ZRole }) },
  async ({ ctx, params, body }) => {
    const user = await changeRole(ctx, { uid: params.uid, role: body.role });
    return { uid: params.uid, role: user.role };
  },
);
