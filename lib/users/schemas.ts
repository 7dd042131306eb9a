import { z } from "zod";
import { defineCollection } from "@/lib/storage/typed";

export const ZRole = z.enum(["owner", "operator", "admin"]);

export const ZUser = z.object({
  email: z.string(),
  display_name: z.string(),
  role: ZRole,
  created_at: z.string(),
  /** Owned device ids, kept in step with `rcan_registry.owner_uid`. */
  robots: z.array(z.string()).default([]),
  auth_provider: z.enum(["local", "firebase"]),
  last_sign_in_at: z.string().nullable().default(null),
  /**
   * Sessions carry the version they were issued at; sign-out, a role change, disabling the
   * account and a password change raise it, and every request refuses an older session.
   * Absent means 0 (accounts from before versions).
   */
  session_version: z.number().int().min(0).optional(),
  /** Set by an admin: the account cannot sign in and its sessions are refused. */
  disabled_at: z.string().nullable().optional(),
});
export type User = z.infer<typeof ZUser>;
export const Users = defineCollection("users", ZUser);

/** Local password credentials live apart from profiles so no listing can leak a hash. */
export const ZLocalCredential = z.object({
  uid: z.string(),
  email: z.string(),
  password_hash: z.string(),
  updated_at: z.string(),
});
export const LocalCredentials = defineCollection("local_credentials", ZLocalCredential);

export const ZEmail = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, "Email is too long.")
  .pipe(z.email({ error: "Enter a valid email address." }));

/** Length only; strength (common and breached passwords, patterns) is `assertStrongPassword`. */
export const ZPassword = z.string().min(10, "Use at least 10 characters.").max(200, "Use at most 200 characters.");

export const ZSignUpInput = z.object({
  email: ZEmail,
  password: ZPassword,
  display_name: z.string().trim().min(1, "Enter a name.").max(80, "Use at most 80 characters."),
});
export type SignUpInput = z.infer<typeof ZSignUpInput>;

export const ZSignInInput = z.object({
  email: ZEmail,
  password: z.string().min(1).max(200),
});
