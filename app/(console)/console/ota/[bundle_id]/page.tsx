import type { Metadata } from "next";
import type { ReactNode } from "react";
import Link from "next/link";
import { BuildProgress } from "@/components/ota/build-progress";
import { describeBuild } from "@/components/ota/build-state";
import { DeploymentsTable } from "@/components/ota/deployments-table";
import { OtaQueryProvider } from "@/components/ota/query-provider";
import { RolloutControls } from "@/components/ota/rollout-controls";
import { RetryBuildButton } from "@/components/ota/retry-build-button";
import { RolloutLive } from "@/components/ota/rollout-live";
import { BuildStatusBadge, RolloutStatusBadge } from "@/components/ota/status-badges";
import { VerifyButton } from "@/components/ota/verify-button";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { Table, Td, Th } from "@/components/ui/table";
import { getBundle } from "@/lib/ota/get-bundle";
import { formatBytes } from "@/lib/format-bytes";
import { listRolloutAudit } from "@/lib/ota/list-rollout-audit";
import { requirePageSession } from "@/server/http/page-context";
import { loadOr404 } from "@/server/http/load-or-404";

export const metadata: Metadata = { title: "Bundle" };
export const dynamic = "force-dynamic";

const when = (value: string) => value.replace("T", " ").slice(0, 19);

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid grid-cols-1 gap-1 py-1.5 sm:grid-cols-3">
      <dt className="text-xs font-medium tracking-wide text-slate-500 uppercase">{label}</dt>
      <dd className="min-w-0 text-sm break-all text-slate-800 sm:col-span-2">{children}</dd>
    </div>
  );
}

export default async function BundlePage({ params }: { params: Promise<{ bundle_id: string }> }) {
  const { bundle_id: raw } = await params;
  const bundleId = decodeURIComponent(raw);
  const session = await requirePageSession(`/console/ota/${raw}`);
  const detail = await loadOr404(() => getBundle(session.ctx, bundleId));
  const { bundle, track } = detail;
  const data = bundle.data;
  const audit = await listRolloutAudit(session.ctx, bundle.id);
  const ready = data.build.status === "ready";
  const activeElsewhere =
    track?.active_bundle_id && track.active_bundle_id !== bundle.id ? track.active_bundle_id : null;
  return (
    <OtaQueryProvider>
      <PageHeader
        title={
          <span className="flex flex-wrap items-center gap-2">
            <span>
              {data.robot_model} <span className="font-mono">{data.version}</span>
            </span>
            <RolloutStatusBadge status={data.rollout.status} percentage={data.rollout.target_percentage} />
            <BuildStatusBadge build={data.build} />
          </span>
        }
        description={`${data.model_name} ${data.model_version} · bundle ${bundle.id}`}
        actions={
          <Link href="/console/ota" className="text-sm font-medium text-brand-700 hover:underline">
            ← All bundles
          </Link>
        }
      />
      <div className="space-y-6">
        {!ready && (
          <Card title="Build">
            {data.build.status === "failed" ? (
              <div className="space-y-3">
                <p className="text-sm text-red-800" role="alert" data-testid="build-failed">
                  {describeBuild(data.build).detail} Retry it once the cause is fixed (a changed or missing model file
                  needs the model fixed first); the retry is audited.
                </p>
                <RetryBuildButton bundleId={bundle.id} version={data.version} />
              </div>
            ) : (
              <BuildProgress bundleId={bundle.id} />
            )}
          </Card>
        )}
        <Card
          title="Rollout"
          actions={<span className="text-xs text-slate-500">Every action asks for confirmation and is audited.</span>}
        >
          <div className="space-y-4">
            <RolloutControls
              bundleId={bundle.id}
              version={data.version}
              robotModel={data.robot_model}
              status={data.rollout.status}
              targetPercentage={data.rollout.target_percentage}
              policy={data.rollout.policy}
              buildReady={ready}
              rollbackTarget={detail.rollback_target?.version ?? null}
              activeElsewhere={activeElsewhere}
            />
            <p className="text-xs text-slate-500">
              Policy: pause {data.rollout.policy.auto_pause ? "automatically" : "only by hand"} when more than{" "}
              {data.rollout.policy.error_threshold_pct} % of outcomes are failures, once{" "}
              {data.rollout.policy.min_sample} robots have reported.{" "}
              {detail.rollback_target
                ? `A rollback returns robots to ${detail.rollback_target.version}.`
                : "There is no previous bundle to roll back to."}
            </p>
          </div>
        </Card>
        {data.rollout.status !== "built" && <RolloutLive bundleId={bundle.id} />}
        <div className="grid gap-6 lg:grid-cols-2">
          <Card title="Manifest and signature" actions={ready ? <VerifyButton bundleId={bundle.id} /> : null}>
            <dl className="divide-y divide-slate-100">
              <Row label="Version">{data.version}</Row>
              <Row label="Checksum">
                <code className="text-xs">{data.manifest.checksum || "—"}</code>
              </Row>
              <Row label="Size">{ready ? formatBytes(data.manifest.size_bytes) : "—"}</Row>
              <Row label="Requires version">{data.manifest.requires_version ?? "any"}</Row>
              <Row label="Min brain version">{data.manifest.min_brain_version}</Row>
              <Row label="Signature (Ed25519)">
                <code className="text-xs" data-testid="bundle-signature">
                  {data.signature || "—"}
                </code>
              </Row>
              <Row label="Key id">
                <code className="text-xs">{data.key_id}</code>{" "}
                <Link href="/api/ota/public-key" className="text-xs text-brand-700 hover:underline">
                  public key
                </Link>
              </Row>
              <Row label="Stored at">
                <code className="text-xs">{data.storage_ref}</code>
              </Row>
              <Row label="Release notes">{data.manifest.release_notes || "—"}</Row>
            </dl>
          </Card>
          <Card title="Provenance">
            <dl className="divide-y divide-slate-100">
              <Row label="Model">
                <Link
                  href={`/console/models/${encodeURIComponent(data.model_id)}`}
                  className="text-brand-700 hover:underline"
                >
                  {data.model_name} {data.model_version}
                </Link>{" "}
                <code className="text-xs text-slate-500">{data.model_id}</code>
              </Row>
              <Row label="Training job">
                {data.training_job_id ? (
                  <Link
                    href={`/console/training/jobs/${encodeURIComponent(data.training_job_id)}`}
                    className="text-brand-700 hover:underline"
                  >
                    {data.training_job_id}
                  </Link>
                ) : (
                  "—"
                )}
              </Row>
              <Row label="Dataset hash">
                {data.dataset_hash ? (
                  <Link
                    href={`/console/models/${encodeURIComponent(data.model_id)}`}
                    className="text-brand-700 hover:underline"
                  >
                    <code className="text-xs">{data.dataset_hash.slice(0, 16)}…</code> — the episodes it was trained on
                  </Link>
                ) : (
                  "—"
                )}
              </Row>
              <Row label="Built">{when(data.created_at)}</Row>
            </dl>
          </Card>
        </div>
        {ready && (
          <Card title={`Files (${data.manifest.files.length})`}>
            <Table>
              <thead>
                <tr>
                  <Th>Path</Th>
                  <Th>Size</Th>
                  <Th>SHA-256</Th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                <tr>
                  <Td className="font-mono text-xs">manifest.json</Td>
                  <Td className="text-xs">—</Td>
                  <Td className="text-xs text-slate-500">describes the others</Td>
                </tr>
                {data.manifest.files.map((file) => (
                  <tr key={file.path}>
                    <Td className="font-mono text-xs">
                      {file.path}{" "}
                      {data.manifest.required_files.includes(file.path) && <Badge tone="info">required</Badge>}
                    </Td>
                    <Td className="text-xs whitespace-nowrap">{formatBytes(file.size_bytes)}</Td>
                    <Td className="font-mono text-xs">{file.sha256}</Td>
                  </tr>
                ))}
              </tbody>
            </Table>
          </Card>
        )}
        {data.rollout.status !== "built" && (
          <Card title="Robots">
            <DeploymentsTable bundleId={bundle.id} />
          </Card>
        )}
        <Card title="Approvals">
          {data.approvals.length === 0 ? (
            <p className="text-sm text-slate-500">
              No approvals yet: staging, each canary step, production and resumes are recorded here with who and when.
            </p>
          ) : (
            <Table>
              <thead>
                <tr>
                  <Th>When</Th>
                  <Th>Step</Th>
                  <Th>To</Th>
                  <Th>By</Th>
                  <Th>Note</Th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {data.approvals.map((approval) => (
                  <tr key={`${approval.at}-${approval.step}`}>
                    <Td className="font-mono text-xs whitespace-nowrap">{when(approval.at)}</Td>
                    <Td className="text-xs">{approval.step}</Td>
                    <Td>
                      <RolloutStatusBadge status={approval.to_status} percentage={approval.target_percentage} />
                    </Td>
                    <Td className="text-xs">{approval.by.email}</Td>
                    <Td className="text-xs">{approval.note ?? ""}</Td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
        </Card>
        <Card title="Audit trail">
          {audit.docs.length === 0 ? (
            <p className="text-sm text-slate-500">Nothing recorded yet.</p>
          ) : (
            <Table>
              <thead>
                <tr>
                  <Th>When</Th>
                  <Th>Action</Th>
                  <Th>Who</Th>
                  <Th>Details</Th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100" data-testid="audit-trail">
                {audit.docs.map((doc) => (
                  <tr key={doc.id}>
                    <Td className="font-mono text-xs whitespace-nowrap">{when(doc.data.at)}</Td>
                    <Td className="font-mono text-xs">{doc.data.action}</Td>
                    <Td className="text-xs">{doc.data.actor.email ?? `${doc.data.actor.kind}:${doc.data.actor.id}`}</Td>
                    <Td className="max-w-md truncate font-mono text-xs" title={JSON.stringify(doc.data.details)}>
                      {(doc.data.details.reason as string | undefined) ?? JSON.stringify(doc.data.details)}
                    </Td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
        </Card>
      </div>
    </OtaQueryProvider>
  );
}
