import { queryOptions } from "@tanstack/react-query";
import type { RolloutHealth } from "@/lib/ota/evaluate-rollout-health";
import type { RolloutPoint } from "@/lib/ota/get-rollout-series";
import type { OtaBundle, OtaDeployment, OtaTrack } from "@/lib/ota/schemas";

export type BundleDetailJson = OtaBundle & {
  bundle_id: string;
  health: RolloutHealth;
  track: OtaTrack | null;
  rollback_target: { id: string; version: string } | null;
};

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { cache: "no-store" });
  const body = (await response.json().catch(() => null)) as T | { error?: { message?: string } } | null;
  if (!response.ok) {
    throw new Error(
      (body as { error?: { message?: string } } | null)?.error?.message ?? `${url} answered ${response.status}`,
    );
  }
  return body as T;
}

/** One `queryOptions()` factory per read; keys start with the domain. */
export const otaQueries = {
  bundle: (bundleId: string) =>
    queryOptions({
      queryKey: ["ota", "bundle", bundleId],
      queryFn: () => getJson<BundleDetailJson>(`/api/console/ota/bundles/${encodeURIComponent(bundleId)}`),
      refetchInterval: 5000,
    }),
  series: (bundleId: string) =>
    queryOptions({
      queryKey: ["ota", "series", bundleId],
      queryFn: () =>
        getJson<{ points: RolloutPoint[] }>(`/api/console/ota/bundles/${encodeURIComponent(bundleId)}/series`),
      refetchInterval: 5000,
    }),
  deployments: (bundleId: string, state: string) =>
    queryOptions({
      queryKey: ["ota", "deployments", bundleId, state],
      queryFn: () =>
        getJson<{ deployments: OtaDeployment[]; next_cursor: string | null }>(
          `/api/console/ota/bundles/${encodeURIComponent(bundleId)}/deployments?limit=200${state ? `&state=${state}` : ""}`,
        ),
      refetchInterval: 5000,
    }),
};

/** POST JSON to a console route; resolves with the body or throws with the API's message. */
export async function postJson<T = unknown>(url: string, body: unknown): Promise<T> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body ?? {}),
  });
  const parsed = (await response.json().catch(() => null)) as (T & { error?: { message?: string } }) | null;
  if (!response.ok) throw new Error(parsed?.error?.message ?? `The request failed (${response.status}).`);
  return parsed as T;
}
