"use client";

import { useSyncExternalStore } from "react";

/** One shared one-second clock for every component that shows "N s ago". */
let current = 0;
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | undefined;

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (timer === undefined) {
    current = Date.now();
    timer = setInterval(() => {
      current = Date.now();
      for (const notify of listeners) notify();
    }, 1000);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

/**
 * The current time in ms, ticking each second — but `renderedAt` (the server's time for this
 * render, passed down from the page) on the server and during hydration, so text computed from
 * it ("12 s ago") is the same on both sides and React does not report a hydration mismatch. The
 * browser's clock takes over right after hydration.
 */
export function useNow(renderedAt: number): number {
  return useSyncExternalStore(
    subscribe,
    () => current || renderedAt,
    () => renderedAt,
  );
}
