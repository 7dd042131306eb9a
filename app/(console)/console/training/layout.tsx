import type { ReactNode } from "react";
import { RoleGate } from "@/components/console/role-gate";

/** Training is for operators and up: below that, the shell says which role it needs. */
export default function TrainingLayout({ children }: { children: ReactNode }) {
  return (
    <RoleGate area="Training" role="operator">
      {children}
    </RoleGate>
  );
}
