import type { Metadata } from "next";
import Link from "next/link";
import { ActionButton } from "@/components/robots/action-button";
import { ProvisioningTokenForm } from "@/components/robots/provisioning-token-form";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Table, Td, Th } from "@/components/ui/table";
import { listProvisioningTokens } from "@/lib/robots/list-provisioning-tokens";
import { requirePageSession } from "@/server/http/page-context";
import { loadOr404 } from "@/server/http/load-or-404";

export const metadata: Metadata = { title: "Provisioning tokens" };
export const dynamic = "force-dynamic";

const STATE_TONE = { active: "good", expired: "warn", revoked: "bad", exhausted: "neutral" } as const;

export default async function ProvisioningPage({ searchParams }: { searchParams: Promise<{ cursor?: string }> }) {
  const session = await requirePageSession("/console/admin/provisioning");
  const { cursor } = await searchParams;
  const page = await loadOr404(() => listProvisioningTokens(session.ctx, { cursor: cursor ?? null, limit: 50 }));
  return (
    <>
      <PageHeader
        title="Provisioning tokens"
        description="Robots register their device key with a token made for their model. Tokens are stored hashed and shown once; revoking one stops new registrations, not robots already registered."
      />
      <Card title="New token" className="mb-6">
        <ProvisioningTokenForm serverUrl={session.runtime.config.publicUrl} />
      </Card>
      {page.tokens.length === 0 ? (
        <EmptyState title="No provisioning tokens yet">
          Create one above for a robot model, then give it to the robots (or the simulator) you provision. See{" "}
          <Link href="/docs/provisioning" className="text-brand-700 underline">
            how to provision a robot
          </Link>
          .
        </EmptyState>
      ) : (
        <Table>
          <thead>
            <tr>
              <Th>Token</Th>
              <Th>Model</Th>
              <Th>State</Th>
              <Th>Uses</Th>
              <Th>Expires</Th>
              <Th>Last used</Th>
              <Th>Created</Th>
              <Th />
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {page.tokens.map((token) => (
              <tr key={token.token_id} data-testid={`token-row-${token.token_id.slice(0, 12)}`}>
                <Td>
                  <div className="font-medium text-slate-900">{token.label}</div>
                  <div className="font-mono text-xs text-slate-500">{token.hint}</div>
                </Td>
                <Td className="font-mono text-xs">
                  {token.manufacturer ? `${token.manufacturer}/` : ""}
                  {token.model}
                </Td>
                <Td>
                  <Badge tone={STATE_TONE[token.state]}>
                    <span data-testid="token-state">{token.state}</span>
                  </Badge>
                </Td>
                <Td className="tabular-nums">
                  {token.use_count}
                  {token.max_uses !== null ? ` / ${token.max_uses}` : ""}
                </Td>
                <Td className="text-xs whitespace-nowrap">
                  {token.expires_at?.slice(0, 16).replace("T", " ") ?? "never"}
                </Td>
                <Td className="text-xs whitespace-nowrap">
                  {token.last_used_at?.slice(0, 16).replace("T", " ") ?? "—"}
                </Td>
                <Td className="text-xs whitespace-nowrap">{token.created_at.slice(0, 10)}</Td>
                <Td>
                  {token.state !== "revoked" && (
                    <ActionButton
                      url={`/api/console/provisioning-tokens/${token.token_id}/revoke`}
                      label="Revoke"
                      confirm={`Revoke "${token.label}"? Robots can no longer register with it.`}
                    />
                  )}
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      {page.nextCursor && (
        <Link
          href={`?cursor=${encodeURIComponent(page.nextCursor)}`}
          className="mt-4 inline-block text-sm font-medium text-brand-700"
        >
          Older tokens →
        </Link>
      )}
      <p className="mt-6 text-sm text-slate-600">
        A robot registered with a key that was lost or compromised: open it under{" "}
        <Link href="/console/robots" className="text-brand-700 underline">
          Robots
        </Link>{" "}
        and use <strong>Reset key</strong> (admins), then let it register again with a token.
      </p>
    </>
  );
}
