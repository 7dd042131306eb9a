"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useState } from "react";
import { cn } from "@/components/ui/cn";
import type { NavItem } from "./nav-items";

const SECTIONS: NavItem["section"][] = ["Fleet", "Data", "Delivery", "Admin"];

function isActive(pathname: string, href: string): boolean {
  return href === "/console" ? pathname === href : pathname === href || pathname.startsWith(`${href}/`);
}

/** Sidebar on wide screens, a toggled menu on phones. */
export function ConsoleNav({ items }: { items: NavItem[] }) {
  const pathname = usePathname();
  const [open, setOpen] = useState(false);
  const links = (
    <nav aria-label="Console" className="space-y-5 text-sm">
      {SECTIONS.map((section) => {
        const inSection = items.filter((item) => item.section === section);
        if (inSection.length === 0) return null;
        return (
          <div key={section}>
            <div className="px-2 text-xs font-semibold tracking-wide text-slate-400 uppercase">{section}</div>
            <ul className="mt-1 space-y-0.5">
              {inSection.map((item) => (
                <li key={item.href}>
                  <Link
                    href={item.href}
                    onClick={() => setOpen(false)}
                    aria-current={isActive(pathname, item.href) ? "page" : undefined}
                    className={cn(
                      "block rounded-md px-2 py-1.5",
                      isActive(pathname, item.href)
                        ? "bg-brand-50 font-medium text-brand-800"
                        : "text-slate-700 hover:bg-slate-100",
                    )}
                  >
                    {item.label}
                  </Link>
                </li>
              ))}
            </ul>
          </div>
        );
      })}
    </nav>
  );
  return (
    <>
      <button
        type="button"
        className="rounded-md border border-slate-300 px-3 py-1.5 text-sm text-slate-700 lg:hidden"
        aria-expanded={open}
        aria-controls="console-mobile-nav"
        onClick={() => setOpen((value) => !value)}
      >
        Menu
      </button>
      {open && (
        <div
          id="console-mobile-nav"
          className="absolute inset-x-0 top-14 z-30 border-b border-slate-200 bg-white p-4 shadow-lg lg:hidden"
        >
          {links}
        </div>
      )}
      <aside className="fixed top-14 bottom-0 left-0 hidden w-56 overflow-y-auto border-r border-slate-200 bg-white p-4 lg:block">
        {links}
      </aside>
    </>
  );
}
