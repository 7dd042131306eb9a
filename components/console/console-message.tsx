import type { ReactNode } from "react";
import { ButtonLink } from "@/components/ui/button";

/**
 * A full-width message inside the console shell: what is missing (or not allowed), why, and the
 * way back. The not-found, role-required and error screens of every console segment use it.
 */
export function ConsoleMessage({
  title,
  children,
  backHref,
  backLabel,
  actions,
  testId = "console-message",
}: {
  title: string;
  children: ReactNode;
  backHref: string;
  backLabel: string;
  actions?: ReactNode;
  testId?: string;
}) {
  return (
    <section
      className="mx-auto mt-6 max-w-xl rounded-lg border border-slate-200 bg-white px-6 py-8 text-center shadow-sm"
      data-testid={testId}
      aria-labelledby={`${testId}-title`}
    >
      <h1 id={`${testId}-title`} className="text-xl font-semibold tracking-tight text-slate-900">
        {title}
      </h1>
      <div className="mx-auto mt-2 max-w-prose text-sm leading-6 text-slate-600">{children}</div>
      <div className="mt-6 flex flex-wrap justify-center gap-2">
        <ButtonLink href={backHref}>{backLabel}</ButtonLink>
        {backHref !== "/console" && (
          <ButtonLink href="/console" variant="secondary">
            Overview
          </ButtonLink>
        )}
        {actions}
      </div>
    </section>
  );
}

/** A segment's not-found screen: "No <thing> here", with the list to go back to. */
export function MissingThing({ thing, listHref, listLabel }: { thing: string; listHref: string; listLabel: string }) {
  return (
    <ConsoleMessage title={`${thing} not found`} backHref={listHref} backLabel={listLabel} testId="not-found">
      There is no {thing.toLowerCase()} at this address, or it is not one you can see. It may have been removed, or the
      link may be mistyped.
    </ConsoleMessage>
  );
}
