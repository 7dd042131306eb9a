"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useState } from "react";
import { cn } from "@/components/ui/cn";
import { DOCS_PAGES, type DocsPage } from "./docs-nav";

const SECTIONS: DocsPage["section"][] = ["Start", "Robot API", "Concepts", "Operate"];

export function DocsSidebar() {
  const pathname = usePathname();
  const [open, setOpen] = useState(false);
  const nav = (
    <nav aria-label="Documentation" className="space-y-5 text-sm">
      {SECTIONS.map((section) => {
        const pages = DOCS_PAGES.filter((page) => page.section === section);
        if (!pages.length) return null;
        return (
          <div key={section}>
            <div className="text-xs font-semibold tracking-wide text-slate-400 uppercase">{section}</div>
            <ul className="mt-1 space-y-0.5">
              {pages.map((page) => {
                const href = `/docs/${page.slug}`;
                const active = pathname === href;
                return (
                  <li key={page.slug}>
                    <Link
                      href={href}
                      onClick={() => setOpen(false)}
                      aria-current={active ? "page" : undefined}
                      className={cn(
                        "block rounded px-2 py-1",
                        active ? "bg-brand-50 font-medium text-brand-800" : "text-slate-700 hover:bg-slate-100",
                      )}
                    >
                      {page.title}
                    </Link>
                  </li>
                );
              })}
            </ul>
          </div>
        );
      })}
    </nav>
  );
  return (
    <>
      <div className="lg:hidden">
        <button
          type="button"
          onClick={() => setOpen((value) => !value)}
          aria-expanded={open}
          className="mb-4 rounded-md border border-slate-300 px-3 py-1.5 text-sm"
        >
          {open ? "Hide contents" : "Contents"}
        </button>
        {open && <div className="mb-6 rounded-lg border border-slate-200 p-4">{nav}</div>}
      </div>
      <div className="sticky top-20 hidden lg:block">{nav}</div>
    </>
  );
}
