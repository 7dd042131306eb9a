import type { Metadata } from "next";
import Link from "next/link";
import { BuildBundleForm } from "@/components/ota/build-bundle-form";
import { BuildStatusBadge, DeploymentStateBadge, RolloutStatusBadge } from "@/components/ota/status-badges";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Table, Td, Th } from "@/components/ui/table";
import { listBuildableModels } from "@/lib/ota/list-buildable-models";
import { listBundles } from "@/lib/ota/list-bundles";
import { listRobotBundles } from "@/lib/ota/list-robot-bundles";
import { listTracks } from "@/lib/ota/list-tracks";
import { compareVersions } from "@/lib/ota/versions";
import { requirePageSession, sessionHasRole } from "@/server/http/page-context";

export const metadata: Metadata = { title: "OTA updates" };
export const dynamic = "force-dynamic";

async function MyRobots({ ctx }: { ctx: Parameters<typeof listRobotBundles>[0] }) {
  const robots = await listRobotBundles(ctx);
  return (
    <Card title="Your robots' software">
      {robots.length === 0 ? (
        <EmptyState title="No robots yet">
          Claim a robot you own and this table shows which bundle it runs and what it was last offered.
        </EmptyState>
      ) : (
        <Table>
          <thead>
            <tr>
              <Th>Robot</Th>
              <Th>Model</Th>
              <Th>Runs</Th>
              <Th>Latest offer</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {robots.map((robot) => (
              <tr key={robot.device_id} data-testid={`my-robot-${robot.device_id}`}>
                <Td>
                  <div className="font-medium text-slate-900">{robot.name}</div>
                  <div className="font-mono text-xs text-slate-500">{robot.device_id}</div>
                </Td>
                <Td className="text-xs">{robot.robot_model}</Td>
                <Td className="font-mono text-sm">{robot.current_bundle ?? "—"}</Td>
                <Td className="text-xs">
                  {robot.latest ? (
                    <span className="flex flex-wrap items-center gap-1">
                      <span className="font-mono">{robot.latest.version}</span>
                      <DeploymentStateBadge state={robot.latest.state} />
                    </span>
                  ) : (
                    "none"
                  )}
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </Card>
  );
}

function nextVersion(version: string): string {
  const [major, minor, patch] = version.split(".").map(Number) as [number, number, number];
  return `${major}.${minor}.${patch + 1}`;
}

export default async function OtaPage() {
  const session = await requirePageSession("/console/ota");
  const isOperator = sessionHasRole(session, "operator");
  if (!isOperator) {
    return (
      <>
        <PageHeader
          title="Software updates"
          description="Which model bundle your robots run. Operators roll out updates fleet-wide."
        />
        <MyRobots ctx={session.ctx} />
      </>
    );
  }
  const [bundles, tracks, models] = await Promise.all([
    listBundles(session.ctx, { limit: 100 }),
    listTracks(session.ctx),
    listBuildableModels(session.ctx),
  ]);
  const highest: Record<string, string> = {};
  for (const doc of bundles.docs) {
    const current = highest[doc.data.robot_model];
    if (!current || compareVersions(doc.data.version, current) > 0) highest[doc.data.robot_model] = doc.data.version;
  }
  const suggestions = Object.fromEntries(
    Object.entries(highest).map(([model, version]) => [model, nextVersion(version)]),
  );
  const versionOf = new Map(bundles.docs.map((doc) => [doc.id, doc.data.version]));
  return (
    <>
      <PageHeader
        title="OTA updates"
        description="Signed model bundles and their staged rollouts: staged → canary → production, with approvals, an automatic pause on errors and rollback."
        actions={
          <Link href="/docs/ota" className="text-sm font-medium text-brand-700 hover:underline">
            How OTA works →
          </Link>
        }
      />
      <div className="space-y-6">
        {tracks.length > 0 && (
          <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
            {tracks.map((track) => (
              <Card key={track.id} title={track.data.robot_model}>
                <dl className="grid grid-cols-2 gap-1 text-sm">
                  <dt className="text-slate-500">Production</dt>
                  <dd className="font-mono">
                    {track.data.production_bundle_id ? (
                      <Link
                        className="text-brand-700 hover:underline"
                        href={`/console/ota/${encodeURIComponent(track.data.production_bundle_id)}`}
                      >
                        {track.data.production_version}
                      </Link>
                    ) : (
                      "—"
                    )}
                  </dd>
                  <dt className="text-slate-500">In flight</dt>
                  <dd className="font-mono">
                    {track.data.active_bundle_id ? (
                      <Link
                        className="text-brand-700 hover:underline"
                        href={`/console/ota/${encodeURIComponent(track.data.active_bundle_id)}`}
                      >
                        {versionOf.get(track.data.active_bundle_id) ?? track.data.active_bundle_id}
                      </Link>
                    ) : (
                      "—"
                    )}
                  </dd>
                </dl>
              </Card>
            ))}
          </div>
        )}
        <Card title="Build a bundle">
          {models.length === 0 ? (
            <EmptyState title="No production model yet">
              Bundles are built from production models. Train a model and promote it to production on the training
              pages, then come back to build, sign and roll it out.
            </EmptyState>
          ) : (
            <BuildBundleForm
              models={models.map((doc) => ({
                model_id: doc.id,
                name: doc.data.name,
                version: doc.data.version,
                robot_model: doc.data.robot_model,
                created_at: doc.data.created_at,
              }))}
              suggestions={suggestions}
            />
          )}
        </Card>
        <Card title="Bundles">
          {bundles.docs.length === 0 ? (
            <EmptyState title="No bundles yet">
              Build one above. It is streamed into a tar.gz with its manifest, signed with the platform&apos;s Ed25519
              key and stored; then stage it and approve a canary.
            </EmptyState>
          ) : (
            <Table>
              <thead>
                <tr>
                  <Th>Version</Th>
                  <Th>Robot model</Th>
                  <Th>Rollout</Th>
                  <Th>Installed</Th>
                  <Th>Failed</Th>
                  <Th>Build</Th>
                  <Th>Created</Th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {bundles.docs.map((doc) => (
                  <tr key={doc.id} data-testid={`bundle-row-${doc.id}`}>
                    <Td>
                      <Link
                        href={`/console/ota/${encodeURIComponent(doc.id)}`}
                        className="font-mono font-medium text-brand-700 hover:underline"
                      >
                        {doc.data.version}
                      </Link>
                      <div className="text-xs text-slate-500">
                        {doc.data.model_name} {doc.data.model_version}
                      </div>
                    </Td>
                    <Td className="text-xs">{doc.data.robot_model}</Td>
                    <Td>
                      <RolloutStatusBadge
                        status={doc.data.rollout.status}
                        percentage={doc.data.rollout.target_percentage}
                      />
                    </Td>
                    <Td className="tabular-nums">{doc.data.rollout.deployed_count}</Td>
                    <Td className="tabular-nums">{doc.data.rollout.error_count}</Td>
                    <Td>
                      <BuildStatusBadge build={doc.data.build} />
                    </Td>
                    <Td className="font-mono text-xs whitespace-nowrap">
                      {doc.data.created_at.replace("T", " ").slice(0, 16)}
                    </Td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
        </Card>
        <MyRobots ctx={session.ctx} />
      </div>
    </>
  );
}
