import type { Metadata } from "next";
import Link from "next/link";
import { EpisodeActions } from "@/components/episodes/episode-actions";
import { formatTime } from "@/components/episodes/format";
import { ButtonLink } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Table, Td, Th } from "@/components/ui/table";
import { listEpisodes } from "@/lib/episodes/list-episodes";
import { hasRole } from "@/lib/users/authorize";
import { requirePageSession } from "@/server/http/page-context";

export const metadata: Metadata = { title: "Quarantine" };
export const dynamic = "force-dynamic";

export default async function QuarantinePage({
  searchParams,
}: {
  searchParams: Promise<{ robot_id?: string; cursor?: string }>;
}) {
  const session = await requirePageSession("/console/episodes/quarantine");
  const search = await searchParams;
  const operator = hasRole(session.user.data.role, "operator");
  const robotId = search.robot_id?.trim() || undefined;
  const page = await listEpisodes(session.ctx, {
    status: "rejected",
    ...(robotId ? { robot_id: robotId } : {}),
    ...(search.cursor ? { cursor: search.cursor } : {}),
    limit: 50,
  });
  return (
    <>
      <PageHeader
        title="Quarantine"
        description="Uploads that failed validation stay here with their reasons; their raw upload is kept. Operators re-validate them (after a validator change) or delete them; both are audited."
        actions={
          <ButtonLink href="/console/episodes" variant="secondary" size="sm">
            All episodes
          </ButtonLink>
        }
      />
      {page.episodes.length === 0 ? (
        <EmptyState title="Nothing in quarantine">
          Every upload passed validation. A rejected upload would appear here with the step and field of each error;{" "}
          <Link href="/docs/formats" className="text-brand-700 hover:underline">
            the rules
          </Link>{" "}
          say what is refused.
        </EmptyState>
      ) : (
        <Table>
          <thead>
            <tr>
              <Th>Episode</Th>
              <Th>Rejected</Th>
              <Th>Reasons</Th>
              {operator && <Th>Actions</Th>}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {page.episodes.map((episode) => (
              <tr key={episode.episode_id} data-testid={`quarantine-row-${episode.episode_id}`}>
                <Td>
                  <Link
                    href={`/console/episodes/${episode.episode_id}`}
                    className="font-mono text-xs font-medium text-slate-900 hover:underline"
                  >
                    {episode.episode_id}
                  </Link>
                  <div className="font-mono text-xs text-slate-500">{episode.robot_id}</div>
                </Td>
                <Td className="text-xs whitespace-nowrap">{formatTime(episode.created_at)}</Td>
                <Td className="text-xs">
                  {episode.first_error ? (
                    <>
                      <span className="font-mono text-red-700">{episode.first_error.code}</span>
                      {episode.first_error.step !== null && (
                        <span className="text-slate-500"> · step {episode.first_error.step}</span>
                      )}
                      {episode.first_error.field && (
                        <span className="font-mono text-slate-500"> · {episode.first_error.field}</span>
                      )}
                      <div className="mt-1 max-w-xl break-words text-slate-600">{episode.first_error.message}</div>
                      {episode.error_count > 1 && (
                        <div className="mt-1 text-slate-500">and {episode.error_count - 1} more</div>
                      )}
                    </>
                  ) : (
                    "—"
                  )}
                </Td>
                {operator && (
                  <Td>
                    <EpisodeActions episodeId={episode.episode_id} compact />
                  </Td>
                )}
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      {page.next_cursor && (
        <div className="mt-4 text-sm">
          <Link
            href={`?${new URLSearchParams({ ...(robotId ? { robot_id: robotId } : {}), cursor: page.next_cursor }).toString()}`}
            className="font-medium text-brand-700"
          >
            Next page →
          </Link>
        </div>
      )}
    </>
  );
}
