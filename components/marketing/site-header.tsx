import Link from "next/link";
import { buttonClass } from "@/components/ui/button";
import { Logo } from "@/components/ui/logo";

export function SiteHeader({ signedIn }: { signedIn: boolean }) {
  return (
    <header className="sticky top-0 z-20 border-b border-white/10 bg-ink-950/95 backdrop-blur">
      <div className="mx-auto flex h-14 max-w-6xl items-center justify-between gap-2 px-3 sm:gap-4 sm:px-4">
        <Logo inverted />
        <nav className="flex shrink-0 items-center gap-0.5 text-sm whitespace-nowrap sm:gap-3" aria-label="Site">
          <Link href="/docs" className="rounded px-2 py-1 text-slate-300 hover:text-white">
            Docs
          </Link>
          <Link href="/docs/robot-api" className="hidden rounded px-2 py-1 text-slate-300 hover:text-white sm:inline">
            Robot API
          </Link>
          {signedIn ? (
            <Link href="/console" className={buttonClass("primary", "sm")}>
              Open console
            </Link>
          ) : (
            <>
              <Link href="/signin" className="rounded px-2 py-1 text-slate-300 hover:text-white">
                Sign in
              </Link>
              <Link href="/signup" className={buttonClass("primary", "sm")}>
                <span className="sm:hidden">Sign up</span>
                <span className="hidden sm:inline">Create account</span>
              </Link>
            </>
          )}
        </nav>
      </div>
    </header>
  );
}

export function SiteFooter() {
  return (
    <footer className="border-t border-slate-200 bg-slate-50">
      <div className="mx-auto flex max-w-6xl flex-col gap-4 px-4 py-8 text-sm text-slate-600 sm:flex-row sm:items-center sm:justify-between">
        <p>continuon.cloud — robot registry, episodes, training, OTA and remote access in one place.</p>
        <nav className="flex flex-wrap gap-4">
          <Link href="/docs/getting-started" className="hover:text-slate-900">
            Getting started
          </Link>
          <Link href="/docs/security" className="hover:text-slate-900">
            Security model
          </Link>
          <Link href="/docs/architecture" className="hover:text-slate-900">
            Architecture
          </Link>
          <Link href="/docs/cloud" className="hover:text-slate-900">
            Run in Google Cloud
          </Link>
        </nav>
      </div>
    </footer>
  );
}
