"use client";

import { useState } from "react";
import { buttonClass } from "./button";

/** Copies `text` to the clipboard and says so ("Copied") until clicked again. */
export function CopyButton({ text, label = "Copy", testId }: { text: string; label?: string; testId?: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  return (
    <button
      type="button"
      className={buttonClass("secondary", "sm", "h-7 px-2 text-xs")}
      data-testid={testId}
      aria-live="polite"
      onClick={() => {
        void (navigator.clipboard?.writeText(text) ?? Promise.reject(new Error("no clipboard"))).then(
          () => setState("copied"),
          () => setState("failed"),
        );
      }}
    >
      {state === "copied" ? "Copied" : state === "failed" ? "Select and copy" : label}
    </button>
  );
}
