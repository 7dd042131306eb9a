import { Badge, type Tone } from "@/components/ui/badge";

const STATUS_TONE: Record<string, Tone> = {
  raw: "neutral",
  validated: "good",
  rejected: "bad",
  training: "info",
  trained: "info",
};

const STATUS_LABEL: Record<string, string> = {
  raw: "upload pending",
  validated: "validated",
  rejected: "quarantined",
  training: "in training",
  trained: "trained",
};

/** An episode's status, as people read it (a rejected episode is in quarantine). */
export function EpisodeStatusBadge({ status }: { status: string }) {
  return (
    <Badge tone={STATUS_TONE[status] ?? "neutral"}>
      <span data-testid="episode-status">{STATUS_LABEL[status] ?? status}</span>
    </Badge>
  );
}

/** Quality score 0–1 as a percentage, coloured by the eligibility threshold. */
export function QualityBadge({ score }: { score: number | null }) {
  if (score === null) return <span className="text-slate-400">—</span>;
  const tone: Tone = score >= 0.8 ? "good" : score >= 0.5 ? "info" : "warn";
  return <Badge tone={tone}>{Math.round(score * 100)}%</Badge>;
}

const TFRECORD_TONE: Record<string, Tone> = { queued: "neutral", converting: "info", done: "good", failed: "bad" };

export function TfrecordBadge({ state }: { state: string | null }) {
  if (state === null) return <span className="text-slate-400">—</span>;
  return <Badge tone={TFRECORD_TONE[state] ?? "neutral"}>{state}</Badge>;
}
