import { formatAgo } from "@/lib/format-time";
import { Badge, type Tone } from "@/components/ui/badge";

const TONE: Record<string, Tone> = { online: "good", sleeping: "info", offline: "neutral" };

/** A robot's computed status (online / sleeping / offline). */
export function StatusBadge({ status }: { status: string }) {
  return (
    <Badge tone={TONE[status] ?? "neutral"}>
      <span
        aria-hidden="true"
        className={`h-1.5 w-1.5 rounded-full ${status === "online" ? "bg-brand-500" : status === "sleeping" ? "bg-sky-500" : "bg-slate-400"}`}
      />
      <span data-testid="robot-status">{status}</span>
    </Badge>
  );
}

/** "12 s ago", "5 min ago", "3 h ago", or the date. */
export function ago(iso: string | null, now: Date = new Date()): string {
  return formatAgo(iso, now);
}

export function batteryText(battery: number | null): string {
  return battery === null ? "—" : `${Math.round(battery * 100)} %`;
}
