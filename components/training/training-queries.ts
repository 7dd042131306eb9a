import { queryOptions, type QueryClient } from "@tanstack/react-query";
import type { LogLine } from "@/lib/training/schemas";
import type { TrainingJobView } from "@/lib/training/views";
import type { MetricPoint } from "@/components/charts/loss-chart";

export const LIVE_INTERVAL_MS = 3000;
const ACTIVE = new Set(["queued", "running"]);

export function isActive(status: string | undefined): boolean {
  return status !== undefined && ACTIVE.has(status);
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { cache: "no-store" });
  const body = (await response.json().catch(() => null)) as (T & { error?: { message?: string } }) | null;
  if (!response.ok) throw new Error(body?.error?.message ?? `${url} answered ${response.status}`);
  return body as T;
}

/** POST (or PUT) JSON to a console route; resolves with the body or throws with the API's message. */
export async function sendJson<T = unknown>(url: string, body: unknown, method = "POST"): Promise<T> {
  const response = await fetch(url, {
    method,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body ?? {}),
  });
  const parsed = (await response.json().catch(() => null)) as
    (T & { error?: { message?: string; reason?: string } }) | null;
  if (!response.ok) {
    const error = new Error(parsed?.error?.message ?? `The request failed (${response.status}).`) as Error & {
      reason?: string;
    };
    error.reason = parsed?.error?.reason;
    throw error;
  }
  return parsed as T;
}

const jobUrl = (jobId: string) => `/api/console/training/jobs/${encodeURIComponent(jobId)}`;

/**
 * One `queryOptions()` factory per read; keys start with the domain. Metrics and logs are fetched
 * incrementally: each poll asks only for what came after the last point or line already held.
 */
export const trainingQueries = {
  job: (jobId: string) =>
    queryOptions({
      queryKey: ["training", "job", jobId],
      queryFn: () => getJson<TrainingJobView>(jobUrl(jobId)),
      refetchInterval: (query) => (isActive(query.state.data?.status) ? LIVE_INTERVAL_MS : false),
    }),
  metrics: (jobId: string, client: QueryClient, live: boolean) =>
    queryOptions({
      queryKey: ["training", "metrics", jobId],
      queryFn: async () => {
        const held = client.getQueryData<MetricPoint[]>(["training", "metrics", jobId]) ?? [];
        let points = held;
        let after = held.at(-1)?.step;
        for (let page = 0; page < 20; page++) {
          const answer = await getJson<{ points: MetricPoint[]; next_after_step: number | null }>(
            `${jobUrl(jobId)}/metrics${after === undefined ? "" : `?after_step=${after}`}`,
          );
          points = points.concat(answer.points);
          if (answer.next_after_step === null) break;
          after = answer.next_after_step;
        }
        return points;
      },
      refetchInterval: live ? LIVE_INTERVAL_MS : false,
    }),
  logs: (jobId: string, client: QueryClient, live: boolean) =>
    queryOptions({
      queryKey: ["training", "logs", jobId],
      queryFn: async () => {
        const held = client.getQueryData<LogLine[]>(["training", "logs", jobId]) ?? [];
        const after = held.at(-1)?.key;
        const answer = await getJson<{ lines: LogLine[] }>(
          `${jobUrl(jobId)}/logs?limit=500${after ? `&after=${encodeURIComponent(after)}` : ""}`,
        );
        return held.concat(answer.lines).slice(-1000);
      },
      refetchInterval: live ? LIVE_INTERVAL_MS : false,
    }),
};
