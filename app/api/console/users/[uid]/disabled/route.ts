import { z } from "zod";
import { setUserDisabled } from "@/lib/users/set-user-disabled";
import { withUser } from "@/server/auth/with-user";
import { createRoute } from "@/server/http/route";

// PATCH /api/console/users/{uid}/disabled — an admin disables an account (its sessions end) or enables it again
export const PATCH = createRoute(
  withUser("admin"),
  { params: z.object({ uid: z.string().min(1).max(200) }), body: z.object({ disabled: z.boolean() }) },
  async ({ ctx, params, body }) => {
    const user = await setUserDisabled(ctx, { uid: params.uid, disabled: body.disabled });
    return { uid: params.uid, disabled: user.disabled_at !== null, disabled_at: user.disabled_at };
  },
);
