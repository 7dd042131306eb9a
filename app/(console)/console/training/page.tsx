import type { Metadata } from "next";
import Link from "next/link";
import { age, JobStatusBadge, ProgressBar } from "@/components/training/status-badges";
import { ButtonLink } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Table, Td, Th } from "@/components/ui/table";
import { cn } from "@/components/ui/cn";
import { listTrainingJobs } from "@/lib/training/list-training-jobs";
import { requirePageSession } from "@/server/http/page-context";
import { loadOr404 } from "@/server/http/load-or-404";

export const metadata: Metadata = { title: "Training" };
export const dynamic = "force-dynamic";

const FILTERS = ["all", "queued", "running", "completed", "failed", "cancelled"] as const;

export default async function TrainingJobsPage({
  searchParams,
}: {
  searchParams: Promise<{ status?: string; cursor?: string }>;
}) {
  const session = await requirePageSession("/console/training");
  const { status, cursor } = await searchParams;
  const chosen = FILTERS.includes(status as (typeof FILTERS)[number]) ? status : "all";
  const page = await loadOr404(() =>
    listTrainingJobs(session.ctx, {
      status: chosen === "all" ? undefined : chosen,
      cursor: cursor ?? null,
      limit: 50,
    }),
  );
  const now = session.ctx.now();
  return (
    <>
      <PageHeader
        title="Training"
        description="Jobs train models on episode sets in Colab or any notebook with a training token; progress and loss curves arrive live."
        actions={
          <>
            <ButtonLink href="/console/training/slow-loop" variant="secondary">
              Slow loop
            </ButtonLink>
            <ButtonLink href="/console/training/new">New job</ButtonLink>
          </>
        }
      />
      <nav className="mb-4 flex flex-wrap gap-1 text-sm" aria-label="Filter by status">
        {FILTERS.map((filter) => (
          <Link
            key={filter}
            href={filter === "all" ? "/console/training" : `/console/training?status=${filter}`}
            aria-current={chosen === filter ? "page" : undefined}
            className={cn(
              "rounded-full px-3 py-1 capitalize",
              chosen === filter
                ? "bg-brand-50 font-medium text-brand-800 ring-1 ring-brand-200"
                : "text-slate-600 hover:bg-slate-100",
            )}
          >
            {filter}
          </Link>
        ))}
      </nav>
      {page.jobs.length === 0 ? (
        <EmptyState
          title={chosen === "all" ? "No training jobs yet" : `No ${chosen} jobs`}
          action={<ButtonLink href="/console/training/new">Create a job</ButtonLink>}
        >
          A job takes a set of validated episodes (chosen with a filter), and a notebook with a training token claims
          it, trains, reports metrics and registers the model. Start with a seed job; the slow loop adds jobs as new
          episodes arrive.
        </EmptyState>
      ) : (
        <Table>
          <thead>
            <tr>
              <Th>Job</Th>
              <Th>Type</Th>
              <Th>Status</Th>
              <Th>Progress</Th>
              <Th>Robot model</Th>
              <Th>Episodes</Th>
              <Th>Loss</Th>
              <Th>Created</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {page.jobs.map((job) => (
              <tr key={job.job_id} data-testid={`job-row-${job.job_id}`}>
                <Td>
                  <Link
                    href={`/console/training/jobs/${job.job_id}`}
                    className="font-mono text-xs font-medium text-brand-700 hover:underline"
                  >
                    {job.job_id}
                  </Link>
                </Td>
                <Td>{job.type}</Td>
                <Td>
                  <JobStatusBadge status={job.status} />
                </Td>
                <Td>
                  <ProgressBar fraction={job.status === "completed" ? 1 : job.progress?.fraction} />
                </Td>
                <Td>{job.robot_model ?? "—"}</Td>
                <Td className="tabular-nums">{job.dataset.episode_count.toLocaleString()}</Td>
                <Td className="tabular-nums">
                  {job.latest_metrics.loss !== undefined ? job.latest_metrics.loss.toPrecision(3) : "—"}
                </Td>
                <Td className="whitespace-nowrap" title={job.created_at}>
                  {age(job.created_at, now)}
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      {page.nextCursor && (
        <Link
          href={`?${new URLSearchParams({ ...(chosen !== "all" ? { status: chosen ?? "" } : {}), cursor: page.nextCursor }).toString()}`}
          className="mt-4 inline-block text-sm font-medium text-brand-700"
        >
          Older jobs →
        </Link>
      )}
    </>
  );
}
