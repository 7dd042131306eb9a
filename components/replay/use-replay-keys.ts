"use client";

import { useEffect, useRef } from "react";

export interface ReplayKeyActions {
  toggle(): void;
  stepBy(delta: number): void;
  seconds(delta: number): void;
  home(): void;
  end(): void;
  speed(up: boolean): void;
  loop(): void;
  markIn(): void;
  markOut(): void;
  help(): void;
  escape(): void;
}

/** The replay's keyboard shortcuts (see `SHORTCUTS`), ignored while typing in a form field. */
export function useReplayKeys(actions: ReplayKeyActions): void {
  const ref = useRef(actions);
  useEffect(() => {
    ref.current = actions;
  });
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (target && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName))) return;
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      const a = ref.current;
      let handled = true;
      switch (event.key) {
        case " ":
          a.toggle();
          break;
        case "ArrowLeft":
          if (event.shiftKey) a.seconds(-1);
          else a.stepBy(-1);
          break;
        case "ArrowRight":
          if (event.shiftKey) a.seconds(1);
          else a.stepBy(1);
          break;
        case "Home":
          a.home();
          break;
        case "End":
          a.end();
          break;
        case "[":
          a.speed(false);
          break;
        case "]":
          a.speed(true);
          break;
        case "l":
        case "L":
          a.loop();
          break;
        case "i":
        case "I":
          a.markIn();
          break;
        case "o":
        case "O":
          a.markOut();
          break;
        case "?":
          a.help();
          break;
        case "Escape":
          a.escape();
          break;
        default:
          handled = false;
      }
      if (handled) event.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
}
