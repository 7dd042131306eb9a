"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { EmptyState } from "@/components/ui/empty-state";
import { Select } from "@/components/ui/input";
import { Table, Td, Th } from "@/components/ui/table";
import { DEPLOYMENT_STATES } from "@/lib/ota/schemas";
import { otaQueries } from "./ota-queries";
import { DeploymentStateBadge } from "./status-badges";

const when = (value: string | null) => (value ? value.replace("T", " ").slice(0, 19) : "—");

/** The per-robot table of a rollout, filterable by state, refreshed while the page is open. */
export function DeploymentsTable({ bundleId }: { bundleId: string }) {
  const [state, setState] = useState("");
  const query = useQuery(otaQueries.deployments(bundleId, state));
  const rows = query.data?.deployments ?? [];
  return (
    <div className="space-y-3">
      <div className="flex items-center gap-2">
        <Select
          aria-label="Deployment state"
          value={state}
          onChange={(event) => setState(event.target.value)}
          className="h-8 max-w-48"
        >
          <option value="">Every state</option>
          {DEPLOYMENT_STATES.map((value) => (
            <option key={value} value={value}>
              {value.replace("_", " ")}
            </option>
          ))}
        </Select>
        {query.data?.next_cursor && <span className="text-xs text-slate-500">Showing the 200 most recent.</span>}
      </div>
      {rows.length === 0 ? (
        <EmptyState title={query.isLoading ? "Loading…" : "No robots here yet"}>
          Robots appear once they are offered the bundle: when they check in (signed <code>/api/ota/check</code>) or
          poll their <code>registry.json</code> index while inside the rollout&apos;s cohort.
        </EmptyState>
      ) : (
        <Table>
          <thead>
            <tr>
              <Th>Robot</Th>
              <Th>State</Th>
              <Th>Via</Th>
              <Th>Offered</Th>
              <Th>Downloaded</Th>
              <Th>Installed / failed</Th>
              <Th>Error</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {rows.map((row) => (
              <tr key={row.device_id} data-testid={`deployment-${row.device_id}`}>
                <Td className="font-mono text-xs">{row.device_id}</Td>
                <Td>
                  <DeploymentStateBadge state={row.state} />
                  {row.rolled_back_by === "rollout" && <span className="ml-1 text-xs text-slate-500">by rollback</span>}
                </Td>
                <Td className="text-xs">{row.offered_via === "index" ? "registry.json" : "check"}</Td>
                <Td className="font-mono text-xs whitespace-nowrap">{when(row.offered_at)}</Td>
                <Td className="font-mono text-xs whitespace-nowrap">
                  {when(row.downloaded_at)}
                  {row.fetch_count > 0 && <span className="ml-1 text-slate-400">×{row.fetch_count}</span>}
                </Td>
                <Td className="font-mono text-xs whitespace-nowrap">{when(row.installed_at ?? row.failed_at)}</Td>
                <Td className="max-w-xs truncate text-xs text-red-700" title={row.error ?? undefined}>
                  {row.error ?? ""}
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </div>
  );
}
