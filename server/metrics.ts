import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/**
 * Prometheus metrics for this process. The registry lives on the runtime (not prom-client's
 * module-level default), because the custom server and Next's route bundles are separate module
 * graphs that must count into one registry.
 */
export interface Metrics {
  registry: Registry;
  httpRequests: Counter<"route" | "method" | "status">;
  httpDuration: Histogram<"route" | "method">;
  /** Register a gauge whose value is read at scrape time (rollout states, relay sessions…). */
  gauge(
    name: string,
    help: string,
    labelNames: string[],
    collect: () =>
      | Promise<Array<{ labels: Record<string, string>; value: number }>>
      | Array<{ labels: Record<string, string>; value: number }>,
  ): void;
  counter<L extends string>(name: string, help: string, labelNames: L[]): Counter<L>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service: "continuon-cloud" });
  collectDefaultMetrics({ register: registry });
  const httpRequests = new Counter({
    name: "http_requests_total",
    help: "API requests by route, method and status.",
    labelNames: ["route", "method", "status"],
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: "http_request_duration_seconds",
    help: "API request latency by route and method.",
    labelNames: ["route", "method"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return {
    registry,
    httpRequests,
    httpDuration,
    gauge(name, help, labelNames, collect) {
      if (registry.getSingleMetric(name)) return;
      new Gauge({
        name,
        help,
        labelNames,
        registers: [registry],
        async collect() {
          this.reset();
          for (const sample of await collect()) this.set(sample.labels, sample.value);
        },
      });
    },
    counter<L extends string>(name: string, help: string, labelNames: L[]) {
      const existing = registry.getSingleMetric(name) as Counter<L> | undefined;
      return existing ?? new Counter({ name, help, labelNames, registers: [registry] });
    },
  };
}

const ID_SEGMENT = /^(?=.*\d)[A-Za-z0-9_.:-]{8,}$/;

/** A route label with ids folded (`/api/ota/14d4b680/registry.json` → `/api/ota/:id/registry.json`), so label sets stay bounded. */
export function routeLabel(pathname: string): string {
  if (pathname.startsWith("/api/blobs/")) return "/api/blobs/:key";
  return pathname
    .split("/")
    .map((segment) => (ID_SEGMENT.test(segment) && !segment.includes(".json") ? ":id" : segment))
    .join("/")
    .slice(0, 120);
}
