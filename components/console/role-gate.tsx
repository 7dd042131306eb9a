import type { Role } from "@/lib/context";
import { hasRole } from "@/lib/users/authorize";
import { getPageSession } from "@/server/http/page-context";
import { ConsoleMessage, MissingThing } from "./console-message";

const ARTICLE: Record<Role, string> = { owner: "an owner", operator: "an operator", admin: "an admin" };

/**
 * The not-found screen of a console area for one role and up (Training, Models, Admin). Its pages
 * answer 404 when the user's role is too low (the verbs refuse; `loadOr404`), so this screen says
 * which role the area needs to a user below it, and what is missing to everyone else.
 */
export async function AreaNotFound({
  area,
  role,
  thing,
  listHref,
  listLabel,
}: {
  area: string;
  role: Role;
  thing: string;
  listHref: string;
  listLabel: string;
}) {
  const session = await getPageSession();
  const current = session?.user.data.role;
  if (!current || hasRole(current, role))
    return <MissingThing thing={thing} listHref={listHref} listLabel={listLabel} />;
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
