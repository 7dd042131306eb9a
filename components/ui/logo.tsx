import Link from "next/link";

export function Logo({ href = "/", inverted = false }: { href?: string; inverted?: boolean }) {
  return (
    <Link
      href={href}
      className="flex items-center gap-2 font-semibold tracking-tight"
      aria-label="continuon.cloud home"
    >
      <svg width="26" height="26" viewBox="0 0 32 32" aria-hidden="true">
        <rect width="32" height="32" rx="8" fill="#059375" />
        <path d="M9 20.5a7.5 7.5 0 1 1 14 0" fill="none" stroke="white" strokeWidth="2.6" strokeLinecap="round" />
        <circle cx="16" cy="20.5" r="2.6" fill="white" />
      </svg>
      <span className={inverted ? "text-white" : "text-slate-900"}>
        continuon<span className="text-brand-500">.cloud</span>
      </span>
    </Link>
  );
}
