import type { Metadata } from "next";
import Link from "next/link";
import { EpisodeActions } from "@/components/episodes/episode-actions";
import { EpisodeStatusBadge, QualityBadge, TfrecordBadge } from "@/components/episodes/episode-badges";
import { formatDuration, formatTime } from "@/components/episodes/format";
import { formatBytes } from "@/lib/format-bytes";
import { ValidationReport } from "@/components/episodes/validation-report";
import { buttonClass, ButtonLink } from "@/components/ui/button";
import { Card, Stat } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { Table, Td, Th } from "@/components/ui/table";
import { getEpisode } from "@/lib/episodes/get-episode";
import { requirePageSession } from "@/server/http/page-context";
import { loadOr404 } from "@/server/http/load-or-404";

export const dynamic = "force-dynamic";

type Params = { episodeId: string };

export async function generateMetadata({ params }: { params: Promise<Params> }): Promise<Metadata> {
  return { title: `Episode ${(await params).episodeId}` };
}

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="grid grid-cols-3 gap-2 py-1.5">
      <dt className="text-xs font-medium text-slate-500">{label}</dt>
      <dd className="col-span-2 min-w-0 text-sm break-words text-slate-800">{children}</dd>
    </div>
  );
}

function value(v: unknown): string {
  if (v === null || v === undefined) return "—";
  if (typeof v === "string") return v;
  return JSON.stringify(v);
}

export default async function EpisodePage({ params }: { params: Promise<Params> }) {
  const { episodeId } = await params;
  const session = await requirePageSession(`/console/episodes/${episodeId}`);
  const detail = await loadOr404(() => getEpisode(session.ctx, episodeId));
  const { episode } = detail;
  const validated = episode.storage_ref !== null;
  const ingest = detail.ingest;
  const { duration_ms: _d, step_count: _s, capabilities, tags, ...otherMetadata } = episode.metadata;
  return (
    <>
      <PageHeader
        title={<span className="font-mono text-lg break-all">{episodeId}</span>}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <EpisodeStatusBadge status={episode.status} />
            <span>
              from{" "}
              <Link href={`/console/robots/${episode.robot_id}`} className="font-mono text-brand-700 hover:underline">
                {detail.robot?.name ?? episode.robot_id}
              </Link>{" "}
              ({episode.robot_model ?? "unknown model"}) · {episode.format}
              {episode.schema_variant ? ` · ${episode.schema_variant}` : ""}
            </span>
          </span>
        }
        actions={
          <div className="flex flex-wrap gap-2">
            {validated && (
              <Link href={detail.replay_url} className={buttonClass("primary", "sm")} data-testid="open-replay">
                Open replay
              </Link>
            )}
            <ButtonLink href="/console/episodes" variant="secondary" size="sm">
              All episodes
            </ButtonLink>
          </div>
        }
      />
      {detail.can_manage && episode.status === "rejected" && (
        <div className="mb-4 rounded-lg border border-red-200 bg-red-50 p-3">
          <p className="mb-2 text-sm text-red-800">
            In quarantine: {episode.validation.errors.length} error{episode.validation.errors.length === 1 ? "" : "s"}.
            The raw upload is kept.
          </p>
          <EpisodeActions episodeId={episodeId} />
        </div>
      )}
      <section aria-label="Summary" className="mb-6 grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-6">
        <Stat label="Steps" value={episode.stats?.step_count ?? episode.metadata.step_count ?? "—"} />
        <Stat label="Duration" value={formatDuration(episode.stats?.duration_ms ?? episode.metadata.duration_ms)} />
        <Stat
          label="Quality"
          value={<QualityBadge score={episode.quality?.score ?? null} />}
          hint={episode.quality?.flags.join(", ") || undefined}
        />
        <Stat
          label="Training"
          value={episode.training_eligible ? "eligible" : "not eligible"}
          tone={episode.training_eligible ? "good" : "default"}
        />
        <Stat
          label="Size"
          value={formatBytes(episode.size_bytes)}
          hint={episode.blobs ? `${episode.blobs.count} blobs` : undefined}
        />
        <Stat
          label="Uploaded"
          value={<span className="text-sm">{formatTime(episode.uploaded_at ?? episode.created_at)}</span>}
        />
      </section>

      <div className="grid gap-4 lg:grid-cols-2">
        <Card title="Validation report" className="lg:col-span-2">
          <h3 className="mb-2 text-xs font-semibold text-slate-500 uppercase">Errors</h3>
          <ValidationReport
            issues={episode.validation.errors}
            replayUrl={validated ? detail.replay_url : null}
            emptyText={episode.status === "raw" ? "Not validated yet." : "No errors."}
            testId="validation-errors"
          />
          <h3 className="mt-4 mb-2 text-xs font-semibold text-slate-500 uppercase">Warnings</h3>
          <ValidationReport
            issues={episode.validation.warnings}
            replayUrl={validated ? detail.replay_url : null}
            emptyText="No warnings."
            testId="validation-warnings"
          />
          {episode.issues_truncated && (
            <p className="mt-2 text-xs text-slate-500">
              More issues were found than are listed:{" "}
              {Object.entries(episode.issue_counts ?? {})
                .map(([code, count]) => `${code} × ${count}`)
                .join(", ")}
              .
            </p>
          )}
        </Card>

        <Card title="Metadata">
          <dl className="divide-y divide-slate-100">
            <Row label="Tags">{tags.length > 0 ? tags.join(", ") : "—"}</Row>
            <Row label="Capabilities">{capabilities.length > 0 ? capabilities.join(", ") : "—"}</Row>
            {Object.entries(otherMetadata).map(([key, v]) => (
              <Row key={key} label={key}>
                <span className="font-mono text-xs">{value(v)}</span>
              </Row>
            ))}
          </dl>
        </Card>

        <Card title="Stats">
          {episode.stats ? (
            <dl className="divide-y divide-slate-100">
              <Row label="Step count">{episode.stats.step_count}</Row>
              <Row label="Duration">{formatDuration(episode.stats.duration_ms)}</Row>
              <Row label="Action dimension">{episode.stats.action_dim ?? "—"}</Row>
              <Row label="Reward sum">{episode.stats.reward_sum}</Row>
              <Row label="Observation keys">
                <span className="font-mono text-xs">{episode.stats.observation_keys.join(", ") || "—"}</span>
              </Row>
              <Row label="Schema">{episode.schema_version ?? "—"}</Row>
            </dl>
          ) : (
            <p className="text-sm text-slate-500">Stats appear once the upload is ingested.</p>
          )}
        </Card>

        <Card title="Provenance">
          <dl className="divide-y divide-slate-100">
            <Row label="Robot">
              <Link href={`/console/robots/${episode.robot_id}`} className="text-brand-700 hover:underline">
                {detail.robot?.name ?? episode.robot_id}
              </Link>{" "}
              <span className="font-mono text-xs text-slate-500">{episode.robot_id}</span>
            </Row>
            <Row label="Running bundle">
              {detail.provenance.bundle_id ? (
                detail.provenance.bundle_known ? (
                  <Link
                    href={`/console/ota/${encodeURIComponent(detail.provenance.bundle_id)}`}
                    className="text-brand-700 hover:underline"
                  >
                    {detail.provenance.bundle_id}
                  </Link>
                ) : (
                  <span className="font-mono text-xs">{detail.provenance.bundle_id}</span>
                )
              ) : (
                "none reported"
              )}
            </Row>
            <Row label="Training job">
              {detail.provenance.training_job_id ? (
                <Link
                  href={`/console/training/jobs/${detail.provenance.training_job_id}`}
                  className="text-brand-700 hover:underline"
                >
                  {detail.provenance.training_job_id}
                </Link>
              ) : (
                "not used yet"
              )}
            </Row>
            <Row label="Models trained on it">
              {detail.provenance.models.length === 0
                ? "none yet"
                : detail.provenance.models.map((model) => (
                    <Link
                      key={model.id}
                      href={`/console/models/${model.id}`}
                      className="mr-2 text-brand-700 hover:underline"
                    >
                      {model.name} v{model.version}
                    </Link>
                  ))}
            </Row>
            <Row label="Device signature">
              {episode.device_signature_verified_at
                ? `verified ${formatTime(episode.device_signature_verified_at)}`
                : "none"}
            </Row>
            <Row label="Checksum">
              <span className="font-mono text-xs break-all">{episode.checksum ?? "—"}</span>
            </Row>
          </dl>
        </Card>

        <Card title="Ingest">
          <dl className="divide-y divide-slate-100">
            <Row label="State">
              <span data-testid="ingest-state">{ingest.state}</span> (attempt {ingest.attempt})
            </Row>
            <Row label="Verdict at">{formatTime(episode.verdict_at ?? null)}</Row>
            <Row label="Upload">
              {episode.upload ? `${episode.upload.format} via ${episode.upload.via.replace("_", " ")}` : "—"}
              {episode.upload?.puts ? ` · ${episode.upload.puts} PUT${episode.upload.puts === 1 ? "" : "s"}` : ""}
            </Row>
            <Row label="Episode ref">
              <span className="font-mono text-xs break-all">{detail.episode_ref}</span>
            </Row>
            {ingest.last_error && <Row label="Last failure">{ingest.last_error}</Row>}
          </dl>
        </Card>

        <Card title="TFRecord">
          <dl className="divide-y divide-slate-100">
            <Row label="State">
              <TfrecordBadge state={detail.tfrecord.state} />
            </Row>
            <Row label="Records">{detail.tfrecord.records ?? "—"}</Row>
            <Row label="Size">{formatBytes(detail.tfrecord.bytes)}</Row>
            {detail.tfrecord.work && (
              <Row label="Work item">
                {detail.tfrecord.work.status}, attempt {detail.tfrecord.work.attempts} of{" "}
                {detail.tfrecord.work.max_attempts}
                {detail.tfrecord.work.last_error ? ` · ${detail.tfrecord.work.last_error}` : ""}
              </Row>
            )}
            {detail.tfrecord.error && <Row label="Error">{detail.tfrecord.error}</Row>}
          </dl>
          {detail.tfrecord.download_url && (
            <a
              href={detail.tfrecord.download_url}
              className="mt-3 inline-block text-sm font-medium text-brand-700 hover:underline"
            >
              Download {episodeId}.tfrecord
            </a>
          )}
        </Card>

        <Card title="Files" className="lg:col-span-2">
          {detail.files.length === 0 ? (
            <p className="text-sm text-slate-500">
              {validated
                ? "No files listed."
                : "The canonical files appear under episodes/validated/ once the episode is validated."}
            </p>
          ) : (
            <Table>
              <thead>
                <tr>
                  <Th>Path</Th>
                  <Th>Size</Th>
                  <Th>Type</Th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100" data-testid="episode-files">
                {detail.files.map((file) => (
                  <tr key={file.path}>
                    <Td className="font-mono text-xs">
                      {file.download_url ? (
                        <a href={file.download_url} className="text-brand-700 hover:underline">
                          {file.path}
                        </a>
                      ) : (
                        file.path
                      )}
                    </Td>
                    <Td className="text-xs tabular-nums">{formatBytes(file.size_bytes)}</Td>
                    <Td className="text-xs">{file.content_type}</Td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
          <p className="mt-3 text-xs text-slate-500">
            {episode.blobs
              ? `${episode.blobs.count} blobs (${formatBytes(episode.blobs.bytes)}) under blobs/, listed in index/blobs.tsv. `
              : ""}
            {detail.raw ? (
              <>
                Raw upload: <span className="font-mono">{detail.raw.key}</span> ({formatBytes(detail.raw.size_bytes)})
                {detail.raw.download_url && (
                  <>
                    {" "}
                    ·{" "}
                    <a href={detail.raw.download_url} className="text-brand-700 hover:underline">
                      download
                    </a>
                  </>
                )}
              </>
            ) : null}
          </p>
        </Card>
      </div>
    </>
  );
}
