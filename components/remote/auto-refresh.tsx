"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";

/** Re-render the server component page every few seconds (live lists without a client cache). */
export function AutoRefresh({ everyMs = 5000 }: { everyMs?: number }) {
  const router = useRouter();
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") router.refresh();
    }, everyMs);
    return () => clearInterval(timer);
  }, [router, everyMs]);
  return null;
}
