/** Small display helpers for episodes (plain functions: usable from server and client components). */

export { formatDuration } from "@/lib/format-time";

/** `2026-06-01 12:00` in UTC (stable between server and client). */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}
