"use client";

import { useEffect } from "react";

/** Opens the collapsed operation (or schema) a link points at (`/docs/api#checkForUpdate`). */
export function OpenLinkedOperation() {
  useEffect(() => {
    const open = () => {
      const id = decodeURIComponent(window.location.hash.slice(1));
      const target = id ? document.getElementById(id) : null;
      const details = target?.querySelector(":scope > details");
      if (details instanceof HTMLDetailsElement && !details.open) {
        details.open = true;
        target?.scrollIntoView();
      }
    };
    open();
    window.addEventListener("hashchange", open);
    return () => window.removeEventListener("hashchange", open);
  }, []);
  return null;
}
