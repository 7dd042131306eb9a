import type { ReactNode } from "react";
import { RoleGate } from "@/components/console/role-gate";

/** Models is for operators and up: below that, the shell says which role it needs. */
export default function ModelsLayout({ children }: { children: ReactNode }) {
  return (
    <RoleGate area="Models" role="operator">
      {children}
    </RoleGate>
  );
}
