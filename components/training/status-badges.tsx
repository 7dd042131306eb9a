import { Badge, type Tone } from "@/components/ui/badge";

const JOB_TONES: Record<string, Tone> = {
  queued: "info",
  running: "warn",
  completed: "good",
  failed: "bad",
  cancelled: "neutral",
};

export function JobStatusBadge({ status }: { status: string }) {
  return (
    <Badge tone={JOB_TONES[status] ?? "neutral"} className="capitalize">
      <span data-testid="job-status">{status}</span>
    </Badge>
  );
}

const STAGE_TONES: Record<string, Tone> = { production: "good", seed: "info", checkpoint: "neutral" };

export function ModelStageBadge({ stage }: { stage: string }) {
  return <Badge tone={STAGE_TONES[stage] ?? "neutral"}>{stage}</Badge>;
}

/** A thin progress bar with the percentage for screen readers. */
export function ProgressBar({ fraction }: { fraction: number | null | undefined }) {
  const pct = Math.round(Math.min(1, Math.max(0, fraction ?? 0)) * 100);
  return (
    <div className="flex items-center gap-2" title={`${pct} %`}>
      <div
        className="h-1.5 w-24 overflow-hidden rounded-full bg-slate-200"
        role="progressbar"
        aria-valuenow={pct}
        aria-valuemin={0}
        aria-valuemax={100}
      >
        <div className="h-full bg-brand-500" style={{ width: `${pct}%` }} />
      </div>
      <span className="text-xs text-slate-500 tabular-nums">{pct} %</span>
    </div>
  );
}

/** "3 min ago" from an ISO time and a reference time (rendered on the server, so no hydration drift). */
export function age(iso: string | null | undefined, now: Date): string {
  if (!iso) return "—";
  const seconds = Math.max(0, Math.round((now.getTime() - new Date(iso).getTime()) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86_400)} d ago`;
}
