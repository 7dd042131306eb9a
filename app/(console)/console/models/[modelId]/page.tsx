import type { Metadata } from "next";
import Link from "next/link";
import { PromoteModelButton } from "@/components/training/promote-model-button";
import { JobStatusBadge, ModelStageBadge } from "@/components/training/status-badges";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { Table, Td, Th } from "@/components/ui/table";
import { getModelLineage } from "@/lib/models/get-model-lineage";
import { listModels } from "@/lib/models/list-models";
import { requirePageSession } from "@/server/http/page-context";
import { loadOr404 } from "@/server/http/load-or-404";

export const metadata: Metadata = { title: "Model" };
export const dynamic = "force-dynamic";

export default async function ModelPage({
  params,
  searchParams,
}: {
  params: Promise<{ modelId: string }>;
  searchParams: Promise<{ episodes?: string }>;
}) {
  const { modelId } = await params;
  const { episodes: episodesCursor } = await searchParams;
  const session = await requirePageSession(`/console/models/${modelId}`);
  const lineage = await loadOr404(() =>
    getModelLineage(session.ctx, modelId, {
      episodes_cursor: episodesCursor ?? null,
      episodes_limit: 50,
    }),
  );
  const { model, job, parent, children } = lineage;
  const production = await listModels(session.ctx, { robot_model: model.robot_model, stage: "production", limit: 1 });
  const current = production.models[0];
  const label = `${model.name} v${model.version}`;
  return (
    <>
      <PageHeader
        title={label}
        description={`${model.robot_model} · ${model.model_id}`}
        actions={
          model.stage !== "production" ? (
            <PromoteModelButton
              modelId={model.model_id}
              label={label}
              current={current ? `${current.name} v${current.version}` : null}
            />
          ) : undefined
        }
      />
      <div className="grid gap-4 lg:grid-cols-2">
        <Card title="Model">
          <dl className="space-y-1 text-sm">
            <div>
              <dt className="inline text-slate-500">Stage </dt>
              <dd className="inline" data-testid="model-stage">
                <ModelStageBadge stage={model.stage} />
              </dd>
              {model.promoted_at && (
                <span className="ml-2 text-xs text-slate-500">
                  promoted {model.promoted_at.slice(0, 16).replace("T", " ")} by {model.promoted_by}
                </span>
              )}
              {model.retired_at && (
                <span className="ml-2 text-xs text-slate-500">
                  replaced in production {model.retired_at.slice(0, 16).replace("T", " ")}
                </span>
              )}
            </div>
            <div>
              <dt className="inline text-slate-500">Stored at </dt>
              <dd className="inline">
                <code className="text-xs">{model.storage_ref}</code>
              </dd>
            </div>
            <div>
              <dt className="inline text-slate-500">Files </dt>
              <dd className="inline">
                {model.files.map((file) => `${file.path} (${file.size_bytes.toLocaleString()} B)`).join(", ") || "—"}
              </dd>
            </div>
            <div>
              <dt className="inline text-slate-500">Metrics </dt>
              <dd className="inline tabular-nums">
                {Object.entries(model.metrics)
                  .map(([name, value]) => `${name} ${+value.toPrecision(4)}`)
                  .join(" · ") || "—"}
              </dd>
            </div>
          </dl>
        </Card>
        <Card title="Lineage">
          <ol className="space-y-2 text-sm" data-testid="lineage">
            <li>
              <span className="text-slate-500">Trained from </span>
              {parent ? (
                <Link
                  href={`/console/models/${parent.model_id}`}
                  className="text-brand-700 hover:underline"
                  data-testid="lineage-parent"
                >
                  {parent.name} v{parent.version}
                </Link>
              ) : (
                "scratch (no base model)"
              )}
            </li>
            <li>
              <span className="text-slate-500">By job </span>
              {job ? (
                <>
                  <Link
                    href={`/console/training/jobs/${job.job_id}`}
                    className="font-mono text-xs text-brand-700 hover:underline"
                    data-testid="lineage-job"
                  >
                    {job.job_id}
                  </Link>{" "}
                  <JobStatusBadge status={job.status} /> <span className="text-slate-500">({job.type})</span>
                </>
              ) : (
                "registered by hand"
              )}
            </li>
            <li>
              <span className="text-slate-500">On </span>
              {lineage.dataset ? (
                <>
                  <span data-testid="lineage-episode-count">{lineage.dataset.episode_count.toLocaleString()}</span>{" "}
                  episodes, set <code className="text-xs">{lineage.dataset.episode_set_sha256.slice(0, 16)}…</code>
                </>
              ) : (
                "an unrecorded dataset"
              )}
            </li>
            <li>
              <span className="text-slate-500">Models trained from it </span>
              {children.length === 0
                ? "none yet"
                : children.map((child, index) => (
                    <span key={child.model_id}>
                      {index > 0 && ", "}
                      <Link
                        href={`/console/models/${child.model_id}`}
                        className="text-brand-700 hover:underline"
                        data-testid="lineage-child"
                      >
                        {child.name} v{child.version}
                      </Link>
                    </span>
                  ))}
            </li>
          </ol>
        </Card>
      </div>
      <Card title={`Episodes it was trained on (${lineage.episodes_total.toLocaleString()})`} className="mt-4">
        {lineage.episodes.length === 0 ? (
          <p className="text-sm text-slate-500">No training job recorded which episodes this model saw.</p>
        ) : (
          <Table>
            <thead>
              <tr>
                <Th>Episode</Th>
                <Th>Robot</Th>
                <Th>Status</Th>
                <Th>Quality</Th>
                <Th>Uploaded</Th>
                <Th>Tags</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {lineage.episodes.map((episode) => (
                <tr key={episode.episode_id} data-testid="lineage-episode">
                  <Td className="font-mono text-xs">{episode.episode_id}</Td>
                  <Td className="font-mono text-xs">{episode.robot_id}</Td>
                  <Td>{episode.status}</Td>
                  <Td className="tabular-nums">{episode.quality_score?.toFixed(2) ?? "—"}</Td>
                  <Td className="whitespace-nowrap">{episode.uploaded_at?.slice(0, 16).replace("T", " ") ?? "—"}</Td>
                  <Td>{episode.tags.join(", ")}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
        {lineage.episodes_next_cursor && (
          <Link
            href={`?episodes=${lineage.episodes_next_cursor}`}
            className="mt-3 inline-block text-sm font-medium text-brand-700"
          >
            More episodes →
          </Link>
        )}
      </Card>
    </>
  );
}
