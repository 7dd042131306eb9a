import type { Metadata } from "next";
import Link from "next/link";
import { initialFrameUrl, initialWindowRange, parseDeepLink } from "@/components/replay/initial-view";
import { ReplayPlayer } from "@/components/replay/replay-player";
import { knownFields } from "@/components/replay/field-selection";
import { ButtonLink } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { isDomainError } from "@/lib/errors";
import { getReplaySteps, getReplaySummary, type ReplayStepWindow, type ReplaySummary } from "@/lib/replay";
import { formatClock } from "@/lib/replay/time-map";
import { requirePageSession } from "@/server/http/page-context";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Episode replay" };

const ERROR_TITLES: Record<string, string> = {
  episode_not_found: "Episode not found",
  replay_unavailable: "No replay for this episode",
  replay_index_missing: "This episode has no replay index",
};

export default async function ReplayPage({
  params,
  searchParams,
}: {
  params: Promise<{ episodeId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { episodeId: raw } = await params;
  const episodeId = decodeURIComponent(raw);
  const session = await requirePageSession(`/console/episodes/${encodeURIComponent(episodeId)}/replay`);
  let summary: ReplaySummary;
  let window: ReplayStepWindow | null = null;
  const search = await searchParams;
  try {
    summary = await getReplaySummary(session.ctx, episodeId);
  } catch (error) {
    if (!isDomainError(error) || error.code !== "not_found") throw error;
    return (
      <>
        <PageHeader title="Episode replay" />
        <EmptyState
          title={ERROR_TITLES[error.reason ?? ""] ?? "Replay unavailable"}
          action={
            <ButtonLink href="/console/episodes" variant="secondary">
              All episodes
            </ButtonLink>
          }
        >
          <span data-testid="replay-error" data-reason={error.reason}>
            {error.message}
          </span>
        </EmptyState>
      </>
    );
  }
  const link = parseDeepLink(search, summary.step_count);
  if (summary.step_count > 0) {
    const range = initialWindowRange(link.step, summary.step_count);
    window = await getReplaySteps(session.ctx, episodeId, range);
  }
  const fields = link.fields === null ? null : knownFields(summary, link.fields);
  const seconds = summary.duration_us / 1e6;
  return (
    <>
      <PageHeader
        title={<span className="font-mono text-xl">{episodeId}</span>}
        description={
          <>
            Robot <span className="font-mono">{summary.robot_id}</span>
            {summary.robot_model ? ` (${summary.robot_model})` : ""} · {summary.step_count.toLocaleString()} steps ·{" "}
            {formatClock(summary.duration_us)}
            {seconds > 0 && summary.step_count > 1 ? ` · ${(1e6 / summary.period_us).toFixed(1)} steps/s` : ""}
            {summary.clock_source ? "" : " · no step clock (timed at the declared rate)"}
          </>
        }
        actions={
          <>
            <ButtonLink href={`/console/episodes/${encodeURIComponent(episodeId)}`} variant="secondary" size="sm">
              Episode details
            </ButtonLink>
            <ButtonLink
              href={`/console/episodes/compare?a=${encodeURIComponent(episodeId)}`}
              variant="secondary"
              size="sm"
            >
              Compare…
            </ButtonLink>
          </>
        }
      />
      {summary.step_count === 0 ? (
        <EmptyState title="This episode has no steps">
          There is nothing to replay. <Link href="/console/episodes">Back to the episodes</Link>.
        </EmptyState>
      ) : (
        <ReplayPlayer
          summary={summary}
          initialWindow={window}
          initialStep={link.step}
          initialFields={fields}
          initialFrameUrl={initialFrameUrl(summary, window, link.step)}
          initialSpeed={link.speed}
          initialLoop={link.loop}
        />
      )}
    </>
  );
}
