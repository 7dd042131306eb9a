import type { ReactNode } from "react";
import { DocsSidebar } from "@/components/docs/docs-sidebar";
import { SiteFooter, SiteHeader } from "@/components/marketing/site-header";
import { getPageSession } from "@/server/http/page-context";

export const dynamic = "force-dynamic";

export default async function DocsLayout({ children }: { children: ReactNode }) {
  const session = await getPageSession();
  return (
    <div className="flex min-h-screen flex-col">
      <SiteHeader signedIn={session !== null} />
      <div className="mx-auto flex w-full max-w-6xl flex-1 flex-col gap-8 px-4 py-8 lg:flex-row">
        <aside className="lg:w-56 lg:shrink-0">
          <DocsSidebar />
        </aside>
        <article className="prose-docs min-w-0 flex-1 pb-16">{children}</article>
      </div>
      <SiteFooter />
    </div>
  );
}
