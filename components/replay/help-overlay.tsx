"use client";

import { SHORTCUTS } from "./shortcuts";

/** The keyboard shortcuts, listed over the page (Escape or the button closes it). */
export function HelpOverlay({ onClose }: { onClose: () => void }) {
  return (
    <div
      role="dialog"
      aria-modal="true"
      aria-label="Keyboard shortcuts"
      className="fixed inset-0 z-40 flex items-center justify-center bg-slate-900/40 p-4"
      onClick={onClose}
    >
      <div className="w-full max-w-sm rounded-lg bg-white p-5 shadow-lg" onClick={(event) => event.stopPropagation()}>
        <h2 className="text-base font-semibold text-slate-900">Keyboard shortcuts</h2>
        <dl className="mt-3 space-y-1.5 text-sm">
          {SHORTCUTS.map(([keys, action]) => (
            <div key={keys} className="flex justify-between gap-4">
              <dt>
                <kbd className="rounded border border-slate-300 bg-slate-50 px-1.5 py-0.5 font-mono text-xs">
                  {keys}
                </kbd>
              </dt>
              <dd className="text-slate-600">{action}</dd>
            </div>
          ))}
        </dl>
        <button
          type="button"
          onClick={onClose}
          className="mt-4 w-full rounded-md border border-slate-300 py-1.5 text-sm hover:bg-slate-50"
        >
          Close
        </button>
      </div>
    </div>
  );
}
