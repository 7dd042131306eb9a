import { z } from "zod";
import { signUpLocal } from "@/lib/users/sign-up-local";
import { anonymous, createRoute, json } from "@/server/http/route";

/**
 * POST /api/auth/signup — create a local account (the first one becomes admin). The answer is
 * the same whether the email was free or already had an account (which stays as it was), so it
 * cannot be used to find out who has an account: 202, then sign in with the password.
 */
export const POST = createRoute(anonymous, { body: z.unknown(), maxBodyBytes: 16 * 1024 }, async ({ ctx, body }) => {
  const outcome = await signUpLocal(ctx, body);
  return json(
    {
      status: "accepted",
      email: outcome.email,
      message: "Sign in with this email and password. If the email already had an account, that account is unchanged.",
    },
    { status: 202 },
  );
});
