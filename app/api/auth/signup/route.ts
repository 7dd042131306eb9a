import { z } from "zod";
import { signUpLocal } from "@/lib/users/sign-up-local";
import { anonymous, createRoute, json } from "@/server/http/route";

// POST /api/auth/signup — create a local account (the first one becomes admin)
export const POST = createRoute(anonymous, { body: z.unknown(), maxBodyBytes: 16 * 1024 }, async ({ ctx, body }) => {
  const { uid, user } = await signUpLocal(ctx, body);
  return json({ uid, email: user.email, role: user.role }, { status: 201 });
});
