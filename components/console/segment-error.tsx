"use client";

import { ConsoleMessage } from "./console-message";

/**
 * A console segment's error screen (its `error.tsx`), inside the shell: the page failed to load,
 * try again or go back. Server errors reach the browser without their message, only a digest that
 * the server log carries too.
 */
export function SegmentError({
  error,
  reset,
  area,
  backHref,
}: {
  error: Error & { digest?: string };
  reset: () => void;
  area: string;
  backHref: string;
}) {
  return (
    <ConsoleMessage
      title={`${area} could not be shown`}
      backHref={backHref}
      backLabel={backHref === "/console" ? "Back to the overview" : `Back to ${area}`}
      testId="segment-error"
      actions={
        <button
          type="button"
          onClick={reset}
          className="h-10 rounded-md border border-slate-300 bg-white px-4 text-sm text-slate-800 hover:bg-slate-50"
        >
          Try again
        </button>
      }
    >
      Something went wrong while loading this page. Try again; if it keeps failing, the server log has the details
      {error.digest ? (
        <>
          {" "}
          under <code className="font-mono text-xs">{error.digest}</code>
        </>
      ) : null}
      .
    </ConsoleMessage>
  );
}
