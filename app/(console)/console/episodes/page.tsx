import type { Metadata } from "next";
import type { ReactNode } from "react";
import Link from "next/link";
import { EpisodeStatusBadge, QualityBadge, TfrecordBadge } from "@/components/episodes/episode-badges";
import { formatDuration, formatTime } from "@/components/episodes/format";
import { buttonClass, ButtonLink } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { Input, Select } from "@/components/ui/input";
import { PageHeader } from "@/components/ui/page-header";
import { Table, Td, Th } from "@/components/ui/table";
import { isDomainError } from "@/lib/errors";
import { listEpisodes, type EpisodeListPage } from "@/lib/episodes/list-episodes";
import { hasRole } from "@/lib/users/authorize";
import { requirePageSession } from "@/server/http/page-context";

export const metadata: Metadata = { title: "Episodes" };
export const dynamic = "force-dynamic";

const FILTERS = ["robot_id", "robot_model", "status", "tag", "from", "to", "min_quality", "eligible"] as const;
type Search = Partial<Record<(typeof FILTERS)[number] | "cursor", string>>;

const STATUSES = [
  { value: "validated", label: "Validated" },
  { value: "rejected", label: "Quarantined" },
  { value: "raw", label: "Upload pending" },
  { value: "training", label: "In training" },
  { value: "trained", label: "Trained" },
];

/** A filter control with its visible label (the label names the control for screen readers too). */
function FilterField({ label, htmlFor, children }: { label: string; htmlFor: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <label htmlFor={htmlFor} className="mb-1 block text-xs font-medium text-slate-600">
        {label}
      </label>
      {children}
    </div>
  );
}

export default async function EpisodesPage({ searchParams }: { searchParams: Promise<Search> }) {
  const session = await requirePageSession("/console/episodes");
  const search = await searchParams;
  const filters: Record<string, string> = {};
  for (const key of FILTERS) {
    const value = search[key]?.trim();
    if (value) filters[key] = value;
  }
  const fleet = hasRole(session.user.data.role, "operator");
  let page: EpisodeListPage = { episodes: [], next_cursor: null, partial: false };
  let problem: string | null = null;
  try {
    page = await listEpisodes(session.ctx, {
      ...filters,
      ...(search.cursor ? { cursor: search.cursor } : {}),
      limit: 50,
    });
  } catch (error) {
    if (!isDomainError(error) || error.code !== "invalid") throw error;
    problem = error.message;
  }
  const filtered = Object.keys(filters).length > 0;
  const query = new URLSearchParams(filters);
  const now = session.ctx.now();
  return (
    <>
      <PageHeader
        title="Episodes"
        description={
          fleet
            ? "Every episode robots uploaded, newest first: validated ones are training data, rejected ones wait in quarantine with their reasons."
            : "Episodes your robots uploaded, newest first."
        }
        actions={
          <ButtonLink href="/console/episodes/quarantine" variant="secondary" size="sm">
            Quarantine
          </ButtonLink>
        }
      />
      <form
        method="get"
        className="mb-4 grid grid-cols-2 gap-x-2 gap-y-3 sm:grid-cols-3 lg:grid-cols-4"
        aria-label="Filter episodes"
      >
        <FilterField label="Robot" htmlFor="filter-robot">
          <Input id="filter-robot" name="robot_id" placeholder="Robot id" defaultValue={filters.robot_id} />
        </FilterField>
        <FilterField label="Model" htmlFor="filter-model">
          <Input id="filter-model" name="robot_model" placeholder="Any model" defaultValue={filters.robot_model} />
        </FilterField>
        <FilterField label="Status" htmlFor="filter-status">
          <Select id="filter-status" name="status" defaultValue={filters.status ?? ""}>
            <option value="">Any status</option>
            {STATUSES.map((status) => (
              <option key={status.value} value={status.value}>
                {status.label}
              </option>
            ))}
          </Select>
        </FilterField>
        <FilterField label="Tag" htmlFor="filter-tag">
          <Input id="filter-tag" name="tag" placeholder="Any tag" defaultValue={filters.tag} />
        </FilterField>
        <FilterField label="Uploaded from" htmlFor="filter-uploaded-from">
          <Input id="filter-uploaded-from" name="from" type="date" defaultValue={filters.from} />
        </FilterField>
        <FilterField label="Uploaded until" htmlFor="filter-uploaded-until">
          <Input id="filter-uploaded-until" name="to" type="date" defaultValue={filters.to} />
        </FilterField>
        <FilterField label="Minimum quality" htmlFor="filter-minimum-quality">
          <Select id="filter-minimum-quality" name="min_quality" defaultValue={filters.min_quality ?? ""}>
            <option value="">Any quality</option>
            <option value="0.5">≥ 50 %</option>
            <option value="0.8">≥ 80 %</option>
            <option value="0.95">≥ 95 %</option>
          </Select>
        </FilterField>
        <FilterField label="Training eligibility" htmlFor="filter-training-eligibility">
          <Select id="filter-training-eligibility" name="eligible" defaultValue={filters.eligible ?? ""}>
            <option value="">Eligible or not</option>
            <option value="true">Training eligible</option>
            <option value="false">Not eligible</option>
          </Select>
        </FilterField>
        <div className="col-span-2 flex gap-2 sm:col-span-3 lg:col-span-4">
          <button type="submit" className={buttonClass("primary", "sm")}>
            Apply
          </button>
          {filtered && (
            <Link href="/console/episodes" className={buttonClass("ghost", "sm")}>
              Clear
            </Link>
          )}
        </div>
      </form>
      {problem && (
        <p role="alert" className="mb-4 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-800">
          {problem}
        </p>
      )}
      {page.episodes.length === 0 ? (
        filtered || search.cursor ? (
          <EmptyState title="No episodes match">Change or clear the filters to see more episodes.</EmptyState>
        ) : (
          <EmptyState
            title="No episodes yet"
            action={<ButtonLink href="/docs/ingestion">How robots upload episodes</ButtonLink>}
          >
            Robots upload recorded episodes with <code>POST /api/rlds/signed-url</code> and{" "}
            <code>POST /api/rlds/ingest</code>. Run <code>npm run demo</code> to watch a simulated fleet upload through
            every format.
          </EmptyState>
        )
      ) : (
        <Table>
          <thead>
            <tr>
              <Th>Episode</Th>
              <Th>Status</Th>
              <Th>Robot</Th>
              <Th>Uploaded</Th>
              <Th>Steps</Th>
              <Th>Duration</Th>
              <Th>Quality</Th>
              <Th>Eligible</Th>
              <Th>TFRecord</Th>
              <Th>Tags</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {page.episodes.map((episode) => (
              <tr key={episode.episode_id} data-testid={`episode-row-${episode.episode_id}`}>
                <Td>
                  <Link
                    href={`/console/episodes/${episode.episode_id}`}
                    className="font-mono text-xs font-medium text-slate-900 hover:underline"
                  >
                    {episode.episode_id}
                  </Link>
                  <div className="text-xs text-slate-500">{episode.variant ?? episode.format}</div>
                </Td>
                <Td>
                  <EpisodeStatusBadge status={episode.status} />
                  {episode.first_error && (
                    <div
                      className="mt-1 max-w-56 truncate font-mono text-xs text-red-700"
                      title={episode.first_error.message}
                    >
                      {episode.first_error.code}
                    </div>
                  )}
                </Td>
                <Td className="text-xs">
                  <Link href={`/console/robots/${episode.robot_id}`} className="font-mono hover:underline">
                    {episode.robot_id}
                  </Link>
                  <div className="text-slate-500">{episode.robot_model ?? "—"}</div>
                </Td>
                <Td className="text-xs whitespace-nowrap" title={episode.created_at}>
                  {formatTime(episode.uploaded_at ?? episode.created_at)}
                </Td>
                <Td className="tabular-nums">{episode.step_count ?? "—"}</Td>
                <Td className="tabular-nums whitespace-nowrap">{formatDuration(episode.duration_ms)}</Td>
                <Td>
                  <QualityBadge score={episode.quality} />
                </Td>
                <Td className="text-xs">{episode.status === "raw" ? "—" : episode.training_eligible ? "yes" : "no"}</Td>
                <Td>
                  <TfrecordBadge state={episode.tfrecord_state} />
                </Td>
                <Td className="max-w-48 text-xs">{episode.tags.join(", ") || "—"}</Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      <div className="mt-4 flex flex-wrap items-center gap-4 text-sm">
        {search.cursor && (
          <Link href={`?${query.toString()}`} className="font-medium text-brand-700">
            ← First page
          </Link>
        )}
        {page.next_cursor && (
          <Link
            href={`?${new URLSearchParams({ ...filters, cursor: page.next_cursor }).toString()}`}
            className="font-medium text-brand-700"
            data-testid="next-page"
          >
            {page.partial ? "Keep searching →" : "Next page →"}
          </Link>
        )}
        <span className="text-xs text-slate-500">Times in UTC · {formatTime(now.toISOString())}</span>
      </div>
    </>
  );
}
