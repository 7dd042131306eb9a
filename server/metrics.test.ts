import { describe, expect, it } from "vitest";
import { createMetrics, routeLabel } from "./metrics";

describe("metrics", () => {
  it.each([
    ["/api/ota/14d4b680/registry.json", "/api/ota/:id/registry.json"],
    ["/api/rcan/heartbeat", "/api/rcan/heartbeat"],
    ["/api/console/training/jobs/job_01m8je2eersyyecawwvwpvz3yb", "/api/console/training/jobs/:id"],
    ["/api/blobs/episodes/raw/x/y", "/api/blobs/:key"],
  ])("folds ids in %s", (path, label) => {
    expect(routeLabel(path)).toBe(label);
  });

  it("exposes request counters and scrape-time gauges in Prometheus text", async () => {
    const metrics = createMetrics();
    metrics.httpRequests.inc({ route: "/api/health", method: "GET", status: "200" });
    metrics.gauge("continuon_things", "Things by state.", ["state"], () => [{ labels: { state: "ok" }, value: 3 }]);
    const text = await metrics.registry.metrics();
    expect(text).toContain(
      'http_requests_total{route="/api/health",method="GET",status="200",service="continuon-cloud"} 1',
    );
    expect(text).toContain('continuon_things{state="ok",service="continuon-cloud"} 3');
  });
});
