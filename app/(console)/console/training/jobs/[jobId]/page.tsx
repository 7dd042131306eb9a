import type { Metadata } from "next";
import Link from "next/link";
import { CancelJobButton } from "@/components/training/cancel-job-button";
import { JobLive } from "@/components/training/job-live";
import { TrainingQueryProvider } from "@/components/training/query-provider";
import { ModelStageBadge } from "@/components/training/status-badges";
import { buttonClass } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { Table, Td, Th } from "@/components/ui/table";
import { getModelLineage } from "@/lib/models/get-model-lineage";
import { getTrainingJob } from "@/lib/training/get-training-job";
import { listJobEpisodes } from "@/lib/training/list-job-episodes";
import { requirePageSession } from "@/server/http/page-context";
import { loadOr404 } from "@/server/http/load-or-404";

export const metadata: Metadata = { title: "Training job" };
export const dynamic = "force-dynamic";

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="grid grid-cols-[9rem_1fr] gap-2 py-1 text-sm">
      <dt className="text-slate-500">{label}</dt>
      <dd className="min-w-0 break-words text-slate-800">{children}</dd>
    </div>
  );
}

export default async function TrainingJobPage({ params }: { params: Promise<{ jobId: string }> }) {
  const { jobId } = await params;
  const session = await requirePageSession(`/console/training/jobs/${jobId}`);
  const job = await loadOr404(() => getTrainingJob(session.ctx, jobId));
  const [episodes, lineage] = await Promise.all([
    listJobEpisodes(session.ctx, jobId, { limit: 20 }),
    job.output?.model_id
      ? getModelLineage(session.ctx, job.output.model_id, { episodes_limit: 1 }).catch(() => null)
      : null,
  ]);
  const active = job.status === "queued" || job.status === "running";
  const filter = job.config.filter;
  return (
    <>
      <PageHeader
        title={<span className="font-mono text-xl">{job.job_id}</span>}
        description={`${job.type} job for ${job.robot_model ?? "any robot model"} · ${job.dataset.episode_count.toLocaleString()} episodes · created by ${job.created_by.email ?? job.created_by.kind}`}
        actions={
          <>
            {job.colab_notebook_url && (
              <a
                href={job.colab_notebook_url}
                target="_blank"
                rel="noreferrer"
                className={buttonClass("secondary", "sm")}
              >
                Open in Colab
              </a>
            )}
            <a href={`/api/console/training/jobs/${job.job_id}/notebook`} className={buttonClass("secondary", "sm")}>
              Download notebook
            </a>
            {active && <CancelJobButton jobId={job.job_id} />}
          </>
        }
      />
      {job.error && (
        <div
          className="mb-4 rounded-lg border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-900"
          role="status"
          data-testid="job-error"
        >
          <strong>
            {job.status === "cancelled" ? "Cancelled. " : job.status === "failed" ? "Failed. " : "Last attempt: "}
          </strong>
          {job.error.message}
        </div>
      )}
      <TrainingQueryProvider>
        <JobLive jobId={job.job_id} initial={job} />
      </TrainingQueryProvider>
      <div className="mt-4 grid gap-4 lg:grid-cols-2">
        <Card title="Resulting model">
          {lineage ? (
            <div data-testid="job-model">
              <Link
                href={`/console/models/${lineage.model.model_id}`}
                className="font-medium text-brand-700 hover:underline"
              >
                {lineage.model.name} v{lineage.model.version}
              </Link>{" "}
              <ModelStageBadge stage={lineage.model.stage} />
              <dl className="mt-2">
                <Row label="Files">{lineage.model.files.map((file) => file.path).join(", ")}</Row>
                <Row label="Stored at">
                  <code className="text-xs">{lineage.model.storage_ref}</code>
                </Row>
                <Row label="Final metrics">
                  {Object.entries(lineage.model.metrics)
                    .map(([name, value]) => `${name} ${+value.toPrecision(4)}`)
                    .join(" · ") || "—"}
                </Row>
              </dl>
            </div>
          ) : (
            <p className="text-sm text-slate-500">
              {active
                ? "When the notebook completes the job, the model it uploaded is registered here with its lineage."
                : "This job produced no model."}
            </p>
          )}
        </Card>
        <Card title="Dataset and settings">
          <dl>
            <Row label="Episodes">{job.dataset.episode_count.toLocaleString()}</Row>
            <Row label="Set hash">
              <code className="text-xs" data-testid="dataset-hash">
                {job.dataset.episode_set_sha256}
              </code>
            </Row>
            {filter && (
              <Row label="Filter">
                {[
                  filter.robot_model && `robot model ${filter.robot_model}`,
                  filter.robot_id && `robot ${filter.robot_id}`,
                  filter.tags.length > 0 && `tags ${filter.tags.join(", ")}`,
                  filter.min_quality !== undefined && `quality ≥ ${filter.min_quality}`,
                  filter.uploaded_from && `from ${filter.uploaded_from.slice(0, 10)}`,
                  filter.uploaded_to && `to ${filter.uploaded_to.slice(0, 10)}`,
                  filter.eligible_only && "eligible only",
                  filter.max_episodes && `newest ${filter.max_episodes}`,
                ]
                  .filter(Boolean)
                  .join(" · ")}
              </Row>
            )}
            <Row label="Base model">
              {job.config.model_base ? (
                <Link href={`/console/models/${job.config.model_base}`} className="text-brand-700 hover:underline">
                  {job.config.model_base}
                </Link>
              ) : (
                "none (from scratch)"
              )}
            </Row>
            <Row label="Hyper-parameters">
              {Object.entries(job.config.hyperparams)
                .map(([name, value]) => `${name} ${value}`)
                .join(" · ")}
            </Row>
            <Row label="Attempts">
              {job.lease_history.length === 0
                ? `${job.attempts} of ${job.max_attempts}`
                : job.lease_history
                    .map((lease) => `${lease.worker ?? "worker"}: ${lease.end_reason} ${lease.ended_at.slice(11, 19)}`)
                    .join(" · ")}
            </Row>
          </dl>
        </Card>
      </div>
      <Card title={`Episodes in this job (${episodes.total.toLocaleString()})`} className="mt-4">
        <Table>
          <thead>
            <tr>
              <Th>Episode</Th>
              <Th>Robot</Th>
              <Th>Status</Th>
              <Th>Steps</Th>
              <Th>Quality</Th>
              <Th>Files</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {episodes.episodes.map((episode) => (
              <tr key={episode.episode_id} data-testid="job-episode">
                <Td className="font-mono text-xs">{episode.episode_id}</Td>
                <Td className="font-mono text-xs">{episode.robot_id}</Td>
                <Td>{episode.status}</Td>
                <Td className="tabular-nums">{episode.step_count ?? "—"}</Td>
                <Td className="tabular-nums">{episode.quality_score?.toFixed(2) ?? "—"}</Td>
                <Td className="whitespace-nowrap text-xs">
                  {episode.tfrecord && (
                    <a href={episode.tfrecord.url} className="text-brand-700 hover:underline">
                      TFRecord
                    </a>
                  )}
                  {episode.tfrecord && episode.canonical?.files.length ? " · " : ""}
                  {episode.canonical?.files.find((file) => file.path === "steps.jsonl") && (
                    <a
                      href={episode.canonical.files.find((file) => file.path === "steps.jsonl")?.url}
                      className="text-brand-700 hover:underline"
                    >
                      steps.jsonl
                    </a>
                  )}
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
        {episodes.total > episodes.episodes.length && (
          <p className="mt-2 text-xs text-slate-500">
            Showing {episodes.episodes.length} of {episodes.total.toLocaleString()}; the model page lists them all.
          </p>
        )}
      </Card>
    </>
  );
}
