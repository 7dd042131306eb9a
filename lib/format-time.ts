/**
 * How the console writes durations and ages. Plain functions of their inputs (no clock of their
 * own), so a server render and the browser's hydration of it produce the same text when given the
 * same reference time.
 */

/** `850 ms`, `4.2 s`, `42 s`, `5 min`, `4 min 59 s`, `2 h 5 min`; `—` when unknown. Rounds once, so never `4 min 60 s`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "—";
  const clamped = Math.max(0, ms);
  if (Math.round(clamped) < 1000) return `${Math.round(clamped)} ms`;
  const tenths = Math.round(clamped / 100);
  if (tenths < 100) return `${(tenths / 10).toFixed(1)} s`;
  const seconds = Math.round(clamped / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return seconds % 60 === 0 ? `${minutes} min` : `${minutes} min ${seconds % 60} s`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
}

/**
 * `12 s ago`, `5 min ago`, `3 h ago`, then the date (`2026-06-01`), from an ISO time and the
 * reference time `now`; `never` without a time. Future times (clock skew) read `0 s ago`.
 */
export function formatAgo(iso: string | null | undefined, now: Date | number, never = "never"): string {
  if (!iso) return never;
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return never;
  const seconds = Math.max(0, Math.floor(((typeof now === "number" ? now : now.getTime()) - at) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return iso.slice(0, 10);
}
