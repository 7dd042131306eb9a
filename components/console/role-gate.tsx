import type { ReactNode } from "react";
import type { Role } from "@/lib/context";
import { hasRole } from "@/lib/users/authorize";
import { getPageSession } from "@/server/http/page-context";
import { ConsoleMessage } from "./console-message";

const ARTICLE: Record<Role, string> = { owner: "an owner", operator: "an operator", admin: "an admin" };

/**
 * A console area for one role and up (a segment layout wraps its pages in it): a user below the
 * role sees, inside the shell, which role the area needs and what they have, instead of a bare 404.
 * The pages' verbs check the role again; signed-out visitors fall through to the page's sign-in.
 */
export async function RoleGate({ area, role, children }: { area: string; role: Role; children: ReactNode }) {
  const session = await getPageSession();
  if (!session || hasRole(session.user.data.role, role)) return <>{children}</>;
  const current = session.user.data.role;
  const who = role === "admin" ? "admins" : `${role}s and admins`;
  return (
    <ConsoleMessage
      title={`${area} needs the ${role} role`}
      backHref="/console"
      backLabel="Back to the overview"
      testId="role-required"
    >
      {area} is for {who}. You are signed in as {ARTICLE[current]}; an admin can change your role under Admin → Users
      &amp; roles.
    </ConsoleMessage>
  );
}
