import type { Metadata } from "next";
import Link from "next/link";
import { age, ModelStageBadge } from "@/components/training/status-badges";
import { EmptyState } from "@/components/ui/empty-state";
import { ButtonLink } from "@/components/ui/button";
import { PageHeader } from "@/components/ui/page-header";
import { Table, Td, Th } from "@/components/ui/table";
import { cn } from "@/components/ui/cn";
import { listModels } from "@/lib/models/list-models";
import { requirePageSession } from "@/server/http/page-context";
import { loadOr404 } from "@/server/http/load-or-404";

export const metadata: Metadata = { title: "Models" };
export const dynamic = "force-dynamic";

const STAGES = ["all", "production", "seed", "checkpoint"] as const;

export default async function ModelsPage({
  searchParams,
}: {
  searchParams: Promise<{ stage?: string; cursor?: string }>;
}) {
  const session = await requirePageSession("/console/models");
  const { stage, cursor } = await searchParams;
  const chosen = STAGES.includes(stage as (typeof STAGES)[number]) ? stage : "all";
  const page = await loadOr404(() =>
    listModels(session.ctx, {
      stage: chosen === "all" ? undefined : chosen,
      cursor: cursor ?? null,
      limit: 50,
    }),
  );
  const now = session.ctx.now();
  return (
    <>
      <PageHeader
        title="Models"
        description="Every model training produced, with the job and episodes it came from. One model per robot model is in production; OTA bundles are built from it."
      />
      <nav className="mb-4 flex flex-wrap gap-1 text-sm" aria-label="Filter by stage">
        {STAGES.map((value) => (
          <Link
            key={value}
            href={value === "all" ? "/console/models" : `/console/models?stage=${value}`}
            aria-current={chosen === value ? "page" : undefined}
            className={cn(
              "rounded-full px-3 py-1 capitalize",
              chosen === value
                ? "bg-brand-50 font-medium text-brand-800 ring-1 ring-brand-200"
                : "text-slate-600 hover:bg-slate-100",
            )}
          >
            {value}
          </Link>
        ))}
      </nav>
      {page.models.length === 0 ? (
        <EmptyState
          title={chosen === "all" ? "No models yet" : `No ${chosen} models`}
          action={<ButtonLink href="/console/training/new">Start a training job</ButtonLink>}
        >
          Models appear here when a notebook completes a training job (or registers a checkpoint). Promote one to
          production to build OTA bundles from it and to start the slow loop.
        </EmptyState>
      ) : (
        <Table>
          <thead>
            <tr>
              <Th>Model</Th>
              <Th>Version</Th>
              <Th>Robot model</Th>
              <Th>Stage</Th>
              <Th>Loss</Th>
              <Th>Episodes</Th>
              <Th>Job</Th>
              <Th>Created</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {page.models.map((model) => (
              <tr key={model.model_id} data-testid={`model-row-${model.model_id}`}>
                <Td>
                  <Link
                    href={`/console/models/${model.model_id}`}
                    className="font-medium text-brand-700 hover:underline"
                  >
                    {model.name}
                  </Link>
                </Td>
                <Td className="tabular-nums">{model.version}</Td>
                <Td>{model.robot_model}</Td>
                <Td>
                  <ModelStageBadge stage={model.stage} />
                </Td>
                <Td className="tabular-nums">
                  {model.metrics.loss !== undefined ? model.metrics.loss.toPrecision(3) : "—"}
                </Td>
                <Td className="tabular-nums">{model.dataset?.episode_count.toLocaleString() ?? "—"}</Td>
                <Td>
                  {model.training_job_id ? (
                    <Link
                      href={`/console/training/jobs/${model.training_job_id}`}
                      className="font-mono text-xs text-brand-700 hover:underline"
                    >
                      {model.training_job_id}
                    </Link>
                  ) : (
                    "—"
                  )}
                </Td>
                <Td className="whitespace-nowrap" title={model.created_at}>
                  {age(model.created_at, now)}
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      {page.nextCursor && (
        <Link
          href={`?${new URLSearchParams({ ...(chosen !== "all" ? { stage: chosen ?? "" } : {}), cursor: page.nextCursor }).toString()}`}
          className="mt-4 inline-block text-sm font-medium text-brand-700"
        >
          Older models →
        </Link>
      )}
    </>
  );
}
