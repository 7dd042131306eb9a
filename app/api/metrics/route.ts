import { timingSafeEqual } from "node:crypto";
import { DomainError } from "@/lib/errors";
import { errorResponse } from "@/server/http/errors";
import { getRuntime } from "@/server/runtime";

export const dynamic = "force-dynamic";

function tokenMatches(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

// GET /api/metrics — Prometheus text format; needs `Authorization: Bearer $METRICS_TOKEN` (off when unset)
export async function GET(request: Request): Promise<Response> {
  const runtime = await getRuntime();
  const expected = runtime.config.metricsToken;
  if (!expected) {
    return errorResponse(
      new DomainError("not_found", "Metrics are off: set METRICS_TOKEN to turn them on.", {
        reason: "metrics_disabled",
      }),
    );
  }
  const given = request.headers.get("authorization")?.match(/^Bearer\s+(.+)$/i)?.[1] ?? "";
  if (!tokenMatches(given, expected)) {
    return errorResponse(
      new DomainError("unauthenticated", "Send the metrics token as a bearer token.", {
        reason: "metrics_token_required",
      }),
    );
  }
  return new Response(await runtime.metrics.registry.metrics(), {
    headers: { "content-type": runtime.metrics.registry.contentType, "cache-control": "no-store" },
  });
}
