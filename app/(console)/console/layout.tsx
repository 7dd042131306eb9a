import type { ReactNode } from "react";
import { ConsoleNav } from "@/components/console/console-nav";
import { NAV_ITEMS } from "@/components/console/nav-items";
import { UserMenu } from "@/components/console/user-menu";
import { Logo } from "@/components/ui/logo";
import { hasRole } from "@/lib/users/authorize";
import { requirePageSession } from "@/server/http/page-context";

export const dynamic = "force-dynamic";

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const session = await requirePageSession();
  const user = session.user.data;
  const items = NAV_ITEMS.filter((item) => hasRole(user.role, item.role));
  return (
    <div className="min-h-screen bg-slate-50 lg:bg-[linear-gradient(to_right,#fff_14rem,#e2e8f0_14rem,#e2e8f0_calc(14rem+1px),transparent_calc(14rem+1px))]">
      <header className="fixed inset-x-0 top-0 z-20 flex h-14 items-center justify-between gap-3 border-b border-slate-200 bg-white px-4">
        <div className="flex items-center gap-3">
          <ConsoleNav items={items} />
          <Logo href="/console" />
        </div>
        <UserMenu name={user.display_name} email={user.email} role={user.role} />
      </header>
      <main className="px-4 pt-20 pb-12 lg:pl-60">
        <div className="mx-auto max-w-6xl">{children}</div>
      </main>
    </div>
  );
}
