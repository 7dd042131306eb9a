"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useMemo, useRef } from "react";
import { downsample, LossChart } from "@/components/charts/loss-chart";
import { Card, Stat } from "@/components/ui/card";
import type { TrainingJobView } from "@/lib/training/views";
import { JobStatusBadge, ProgressBar } from "./status-badges";
import { isActive, trainingQueries } from "./training-queries";

const LEVEL_CLASS: Record<string, string> = {
  debug: "text-slate-400",
  info: "text-slate-700",
  warn: "text-amber-700",
  error: "text-red-700",
};

function fmt(value: number | undefined): string {
  if (value === undefined) return "—";
  return Math.abs(value) < 0.001 && value !== 0 ? value.toExponential(3) : String(+value.toPrecision(4));
}

/**
 * The live part of a job page: status, progress, lease, latest metrics, the loss and metric charts
 * and the log, polled every few seconds while the job is queued or running (React Query), then
 * left still. When the status changes the server-rendered parts (model, buttons) are refreshed.
 */
export function JobLive({ jobId, initial }: { jobId: string; initial: TrainingJobView }) {
  const router = useRouter();
  const client = useQueryClient();
  const job = useQuery({ ...trainingQueries.job(jobId), initialData: initial });
  const status = job.data?.status ?? initial.status;
  const live = isActive(status);
  const metrics = useQuery(trainingQueries.metrics(jobId, client, live));
  const logs = useQuery(trainingQueries.logs(jobId, client, live));
  const lastStatus = useRef(status);
  useEffect(() => {
    if (status !== lastStatus.current) {
      lastStatus.current = status;
      // One more pass for the last points and lines, then show the finished page.
      void client.invalidateQueries({ queryKey: ["training", "metrics", jobId] });
      void client.invalidateQueries({ queryKey: ["training", "logs", jobId] });
      router.refresh();
    }
  }, [status, client, jobId, router]);

  const points = useMemo(() => downsample(metrics.data ?? []), [metrics.data]);
  const otherSeries = useMemo(() => {
    const names = new Set<string>();
    for (const point of points)
      for (const key of Object.keys(point)) if (key !== "step" && key !== "loss") names.add(key);
    return [...names].sort();
  }, [points]);
  const data = job.data ?? initial;
  const latest = data.latest_metrics;

  return (
    <div className="space-y-4" data-testid="job-live" data-live={live ? "true" : "false"}>
      <div className="grid grid-cols-2 gap-3 md:grid-cols-4">
        <Stat
          label="Status"
          value={<JobStatusBadge status={data.status} />}
          hint={`attempt ${data.attempts} of ${data.max_attempts}`}
        />
        <Stat
          label="Progress"
          value={<ProgressBar fraction={data.status === "completed" ? 1 : data.progress?.fraction} />}
          hint={
            data.progress
              ? `step ${data.progress.step.toLocaleString()} of ${(data.progress.total_steps ?? data.config.hyperparams.num_steps).toLocaleString()}`
              : `${data.config.hyperparams.num_steps.toLocaleString()} steps planned`
          }
        />
        <Stat
          label="Loss"
          value={<span data-testid="latest-loss">{fmt(latest.loss)}</span>}
          hint={data.latest_metrics_step !== null ? `at step ${data.latest_metrics_step}` : "no points yet"}
        />
        <Stat
          label="Worker"
          value={
            <span className="text-base">{data.lease?.worker ?? (data.status === "queued" ? "waiting" : "—")}</span>
          }
          hint={
            data.lease
              ? `lease until ${new Date(data.lease.expires_at).toLocaleTimeString()}`
              : (data.progress?.message ?? undefined)
          }
        />
      </div>
      <Card
        title="Loss"
        actions={live ? <span className="text-xs text-slate-500">updating every 3 s</span> : undefined}
      >
        {points.some((point) => "loss" in point) ? (
          <LossChart points={points} series={["loss"]} log />
        ) : (
          <p className="py-10 text-center text-sm text-slate-500" data-testid="no-metrics">
            {live
              ? "The curve appears as soon as the notebook reports its first points."
              : "No metric points were reported."}
          </p>
        )}
      </Card>
      {otherSeries.length > 0 && (
        <div className="grid gap-4 md:grid-cols-2" data-testid="metrics-chart">
          {otherSeries.map((name) => (
            <Card key={name} title={name}>
              <LossChart points={points} series={[name]} height={160} testId={`metric-chart-${name}`} />
            </Card>
          ))}
        </div>
      )}
      <Card title="Log">
        {logs.data && logs.data.length > 0 ? (
          <ol className="max-h-72 overflow-y-auto font-mono text-xs leading-5" data-testid="job-log">
            {logs.data.map((line) => (
              <li key={line.key} className={LEVEL_CLASS[line.level] ?? ""}>
                <span className="text-slate-400">{line.at.slice(11, 19)}</span>{" "}
                <span className="text-slate-400">{line.source === "system" ? "[platform]" : "[worker]"}</span>{" "}
                {line.message}
              </li>
            ))}
          </ol>
        ) : (
          <p className="text-sm text-slate-500">{logs.isLoading ? "Loading…" : "Nothing logged yet."}</p>
        )}
      </Card>
    </div>
  );
}
