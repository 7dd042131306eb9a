import type { ReactNode } from "react";
import { RoleGate } from "@/components/console/role-gate";

/** Admin is for admins: below that, the shell says which role it needs. */
export default function AdminLayout({ children }: { children: ReactNode }) {
  return (
    <RoleGate area="Admin" role="admin">
      {children}
    </RoleGate>
  );
}
