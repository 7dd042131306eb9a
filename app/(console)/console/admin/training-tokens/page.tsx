import type { Metadata } from "next";
import { CreateTrainingToken, RevokeTrainingTokenButton } from "@/components/training/training-token-manager";
import { age } from "@/components/training/status-badges";
import { Badge } from "@/components/ui/badge";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Table, Td, Th } from "@/components/ui/table";
import { listTrainingTokens } from "@/lib/training/list-training-tokens";
import { requirePageSession } from "@/server/http/page-context";
import { loadOr404 } from "@/server/http/load-or-404";

export const metadata: Metadata = { title: "Training tokens" };
export const dynamic = "force-dynamic";

export default async function TrainingTokensPage() {
  const session = await requirePageSession("/console/admin/training-tokens");
  const page = await loadOr404(() => listTrainingTokens(session.ctx, { limit: 200 }));
  const now = session.ctx.now();
  return (
    <>
      <PageHeader
        title="Training tokens"
        description="Notebooks (Colab or any machine) use a training token to claim jobs, fetch episodes, report metrics and upload checkpoints. Only a hash is stored; the token is shown once."
      />
      <CreateTrainingToken />
      <div className="mt-6">
        {page.tokens.length === 0 ? (
          <EmptyState title="No training tokens yet">
            Create one above, store it as the Colab secret CONTINUON_TRAINING_TOKEN, and open a job&apos;s notebook.
          </EmptyState>
        ) : (
          <Table>
            <thead>
              <tr>
                <Th>Name</Th>
                <Th>Token</Th>
                <Th>Scope</Th>
                <Th>State</Th>
                <Th>Last used</Th>
                <Th>Created</Th>
                <Th />
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {page.tokens.map((token) => (
                <tr key={token.id} data-testid={`token-row-${token.name}`}>
                  <Td className="font-medium text-slate-900">{token.name}</Td>
                  <Td className="font-mono text-xs">{token.token_prefix}</Td>
                  <Td>{token.scopes.join(", ")}</Td>
                  <Td>
                    <Badge tone={token.state === "active" ? "good" : token.state === "revoked" ? "bad" : "warn"}>
                      {token.state}
                    </Badge>
                  </Td>
                  <Td className="whitespace-nowrap" title={token.last_used_at ?? undefined}>
                    {token.last_used_at
                      ? `${age(token.last_used_at, now)}${token.last_used_ip ? ` from ${token.last_used_ip}` : ""}`
                      : "never"}
                  </Td>
                  <Td className="whitespace-nowrap">
                    {token.created_at.slice(0, 10)} by {token.created_by}
                    {token.expires_at && (
                      <div className="text-xs text-slate-500">expires {token.expires_at.slice(0, 10)}</div>
                    )}
                  </Td>
                  <Td>
                    {token.state === "active" && <RevokeTrainingTokenButton tokenId={token.id} name={token.name} />}
                  </Td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </div>
    </>
  );
}
