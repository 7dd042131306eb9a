import type { Metadata } from "next";
import { Badge } from "@/components/ui/badge";
import { buttonClass } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { Input, Select } from "@/components/ui/input";
import { PageHeader } from "@/components/ui/page-header";
import { Table, Td, Th } from "@/components/ui/table";
import { listAudit } from "@/lib/audit/list-audit";
import { requirePageSession } from "@/server/http/page-context";
import { loadOr404 } from "@/server/http/load-or-404";

export const metadata: Metadata = { title: "Audit log" };
export const dynamic = "force-dynamic";

type Search = { action?: string; actor_id?: string; target_id?: string; outcome?: string; cursor?: string };

const OUTCOME_TONE = { success: "good", failure: "bad", denied: "warn" } as const;

export default async function AuditPage({ searchParams }: { searchParams: Promise<Search> }) {
  const session = await requirePageSession("/console/admin/audit");
  const search = await searchParams;
  const filter = {
    action: search.action || undefined,
    actor_id: search.actor_id || undefined,
    target_id: search.target_id || undefined,
    outcome: (["success", "failure", "denied"].includes(search.outcome ?? "") ? search.outcome : undefined) as
      "success" | "failure" | "denied" | undefined,
  };
  const page = await loadOr404(() => listAudit(session.ctx, { ...filter, cursor: search.cursor ?? null, limit: 100 }));
  const query = new URLSearchParams(
    Object.entries(filter).filter((entry): entry is [string, string] => Boolean(entry[1])),
  );
  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every sign-up, failed sign-in, role change, claim, token, remote session, bundle and rollout action — append-only."
        actions={
          <a href={`/api/console/audit/export?${query.toString()}`} className={buttonClass("secondary", "sm")}>
            Export JSON Lines
          </a>
        }
      />
      <form className="mb-4 grid gap-2 sm:grid-cols-5" method="get">
        <Input name="action" placeholder="Action, e.g. user.sign_in" defaultValue={filter.action} aria-label="Action" />
        <Input name="actor_id" placeholder="Actor id" defaultValue={filter.actor_id} aria-label="Actor id" />
        <Input name="target_id" placeholder="Target id" defaultValue={filter.target_id} aria-label="Target id" />
        <Select name="outcome" defaultValue={filter.outcome ?? ""} aria-label="Outcome">
          <option value="">Any outcome</option>
          <option value="success">success</option>
          <option value="failure">failure</option>
          <option value="denied">denied</option>
        </Select>
        <button type="submit" className={buttonClass("primary", "md")}>
          Filter
        </button>
        <p className="text-xs text-slate-500 sm:col-span-5">
          One filter applies at a time, in this order: action, actor, target, outcome.
        </p>
      </form>
      {page.docs.length === 0 ? (
        <EmptyState title="No matching entries">
          Entries appear as people and robots act. Clear the filter to see everything.
        </EmptyState>
      ) : (
        <Table>
          <thead>
            <tr>
              <Th>When</Th>
              <Th>Action</Th>
              <Th>Outcome</Th>
              <Th>Actor · from</Th>
              <Th>Target</Th>
              <Th>Details</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {page.docs.map((doc) => (
              <tr key={doc.id}>
                <Td className="font-mono text-xs whitespace-nowrap">{doc.data.at.replace("T", " ").slice(0, 19)}</Td>
                <Td className="font-mono text-xs">{doc.data.action}</Td>
                <Td>
                  <Badge tone={OUTCOME_TONE[doc.data.outcome]}>{doc.data.outcome}</Badge>
                </Td>
                <Td className="text-xs">
                  <div className="max-w-48 break-all">{doc.data.actor.email ?? doc.data.actor.id}</div>
                  <div className="text-slate-400">
                    {doc.data.actor.kind}
                    {doc.data.ip ? ` · ${doc.data.ip}` : ""}
                  </div>
                </Td>
                <Td className="text-xs">
                  {doc.data.target ? (
                    <div className="max-w-48 break-all">
                      <span className="text-slate-500">{doc.data.target.type}</span> {doc.data.target.id}
                    </div>
                  ) : (
                    "—"
                  )}
                </Td>
                <Td className="text-xs">
                  {Object.keys(doc.data.details).length ? (
                    <details className="max-w-64" data-testid="audit-details">
                      <summary className="cursor-pointer truncate font-mono text-slate-600">
                        {JSON.stringify(doc.data.details)}
                      </summary>
                      <pre className="mt-1 font-mono text-[11px] break-all whitespace-pre-wrap text-slate-700">
                        {JSON.stringify(doc.data.details, null, 2)}
                      </pre>
                    </details>
                  ) : (
                    "—"
                  )}
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      {page.nextCursor && (
        <a
          href={`?${new URLSearchParams({ ...Object.fromEntries(query), cursor: page.nextCursor }).toString()}`}
          className="mt-4 inline-block text-sm font-medium text-brand-700"
        >
          Older entries →
        </a>
      )}
    </>
  );
}
