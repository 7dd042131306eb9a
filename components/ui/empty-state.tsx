import type { ReactNode } from "react";

/** What a page shows when there is nothing yet: what this is, and the next step. */
export function EmptyState({ title, children, action }: { title: string; children: ReactNode; action?: ReactNode }) {
  return (
    <div
      className="rounded-lg border border-dashed border-slate-300 bg-slate-50/60 px-6 py-10 text-center"
      data-testid="empty-state"
    >
      <h3 className="text-base font-semibold text-slate-900">{title}</h3>
      <div className="mx-auto mt-2 max-w-prose text-sm leading-6 text-slate-600">{children}</div>
      {action && <div className="mt-5 flex justify-center">{action}</div>}
    </div>
  );
}
