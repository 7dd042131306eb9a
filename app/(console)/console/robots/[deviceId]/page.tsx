import type { Metadata } from "next";
import { ConnectButton } from "@/components/remote/connect-button";
import { LiveRobotPanel } from "@/components/robots/live-robot-panel";
import { RobotsQueryProvider } from "@/components/robots/query-provider";
import { ResetKeyButton } from "@/components/robots/reset-key-button";
import { RobotEditForm } from "@/components/robots/robot-edit-form";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { getRobotStorage } from "@/lib/episodes/robot-storage";
import { formatBytes } from "@/lib/format-bytes";
import { getRobot } from "@/lib/robots/get-robot";
import { hasRole } from "@/lib/users/authorize";
import { requirePageSession } from "@/server/http/page-context";
import { loadOr404 } from "@/server/http/load-or-404";

export const metadata: Metadata = { title: "Robot" };

const KEY_EVENT_LABELS = { registered: "Registered", reset: "Reset", reenrolled: "Re-enrolled" } as const;
export const dynamic = "force-dynamic";

function Row({ label, children, testId }: { label: string; children: React.ReactNode; testId?: string }) {
  return (
    <div className="grid grid-cols-3 gap-2 py-2 text-sm">
      <dt className="text-slate-500">{label}</dt>
      <dd className="col-span-2 min-w-0 break-words text-slate-900" data-testid={testId}>
        {children}
      </dd>
    </div>
  );
}

export default async function RobotPage({
  params,
  searchParams,
}: {
  params: Promise<{ deviceId: string }>;
  searchParams: Promise<{ claimed?: string }>;
}) {
  const { deviceId } = await params;
  const { claimed } = await searchParams;
  const session = await requirePageSession(`/console/robots/${deviceId}`);
  const detail = await loadOr404(() => getRobot(session.ctx, { device_id: deviceId }));
  const robot = detail.robot;
  const storage = await getRobotStorage(session.ctx, deviceId);
  const role = session.user.data.role;
  const isAdmin = hasRole(role, "admin");
  const owner =
    robot.owner_uid === null ? "Nobody (unclaimed)" : robot.owner_uid === session.user.id ? "You" : robot.owner_uid;
  return (
    <>
      <PageHeader
        title={<span data-testid="robot-name">{robot.name}</span>}
        description={<span className="font-mono text-xs">{robot.ruri}</span>}
        actions={
          robot.owner_uid === session.user.id ? (
            <ConnectButton
              deviceId={robot.device_id}
              ruri={robot.ruri}
              userUid={session.user.id}
              robotName={robot.name}
            />
          ) : undefined
        }
      />
      {claimed && (
        <p
          className="mb-4 rounded-md border border-brand-200 bg-brand-50 px-3 py-2 text-sm text-brand-800"
          role="status"
        >
          This robot is now yours.
        </p>
      )}
      <RobotsQueryProvider>
        <LiveRobotPanel initial={detail} renderedAt={session.ctx.now().getTime()} />
      </RobotsQueryProvider>
      <div className="mt-4 grid gap-4 lg:grid-cols-2">
        <Card title="Identity">
          <dl className="divide-y divide-slate-100">
            <Row label="Device id" testId="robot-device-id">
              <span className="font-mono">{robot.device_id}</span>
            </Row>
            <Row label="Manufacturer / model">
              {robot.manufacturer} / {robot.model}
            </Row>
            <Row label="Owner" testId="robot-owner">
              {owner}
              {robot.claimed_at && <span className="text-slate-500"> since {robot.claimed_at.slice(0, 10)}</span>}
            </Row>
            <Row label="Key fingerprint" testId="robot-key-fingerprint">
              <span className="font-mono text-xs">
                {robot.key_fingerprint ?? "— (reset: waiting for the robot to register a new key)"}
              </span>
            </Row>
            <Row label="Registered">{robot.registered_at.replace("T", " ").slice(0, 16)}</Row>
            <Row label="Legacy ids">{robot.legacy_ids.join(", ") || "—"}</Row>
          </dl>
        </Card>
        <Card title="Software and network">
          <dl className="divide-y divide-slate-100">
            <Row label="Firmware">{robot.firmware_version ?? "—"}</Row>
            <Row label="Brain">{robot.brain_version ?? "—"}</Row>
            <Row label="OTA bundle">{robot.current_bundle ?? "—"}</Row>
            <Row label="Capabilities">{robot.capabilities.join(", ") || "—"}</Row>
            <Row label="LAN endpoint">
              {robot.endpoint?.lan_ip ? `${robot.endpoint.lan_ip}:${robot.endpoint.lan_port ?? 8080}` : "—"}
            </Row>
            <Row label="Tunnel">{robot.endpoint?.tunnel_url ?? "—"}</Row>
          </dl>
        </Card>
        <Card title="Episode storage">
          <dl className="divide-y divide-slate-100">
            <Row label="Stored" testId="robot-storage-stored">
              {formatBytes(storage.stored_bytes)} in {storage.episodes} episodes
            </Row>
            <Row label="Open upload URLs" testId="robot-storage-reserved">
              {formatBytes(storage.reserved_bytes)} (counted at their maximum)
            </Row>
            <Row label="Quota" testId="robot-storage-quota">
              {formatBytes(storage.stored_bytes + storage.reserved_bytes)} of {formatBytes(storage.quota_bytes)} used;
              one episode up to {formatBytes(storage.episode_max_bytes)}
            </Row>
          </dl>
        </Card>
        <Card title="Name, tags and lookup">
          <RobotEditForm
            deviceId={robot.device_id}
            name={robot.name}
            tags={robot.tags}
            lookupVisibility={robot.lookup_visibility}
          />
        </Card>
        <Card title="Key history">
          {robot.key_history.length === 0 ? (
            <p className="text-sm text-slate-500">No key events.</p>
          ) : (
            <ul className="space-y-1 text-sm" data-testid="key-history">
              {[...robot.key_history].reverse().map((event) => (
                <li key={`${event.kind}-${event.at}`}>
                  <span className="font-medium">{KEY_EVENT_LABELS[event.kind]}</span>{" "}
                  <span className="text-slate-500">{event.at.replace("T", " ").slice(0, 16)}</span>{" "}
                  <span className="font-mono text-xs">{event.fingerprint ?? ""}</span>
                  {event.reason && <span className="text-slate-500"> — {event.reason}</span>}
                </li>
              ))}
            </ul>
          )}
          {isAdmin && (
            <div className="mt-4 border-t border-slate-100 pt-3">
              <p className="mb-2 text-xs text-slate-600">
                {robot.public_key !== null
                  ? "Resetting the key refuses every request signed with the current key and gives you a one-time re-enrolment token for the real robot; a provisioning token no longer registers this device id. When the robot re-enrols it leaves its owner, who claims it again. Audited."
                  : robot.reenrolment_expires_at !== null && robot.reenrolment_expires_at > new Date().toISOString()
                    ? `The key was reset; the robot can re-enrol with the token issued then until ${robot.reenrolment_expires_at.replace("T", " ").slice(0, 16)} UTC. Lost it? Issue a new one.`
                    : "The key was reset and no re-enrolment token is valid: issue one to let the robot re-enrol."}
              </p>
              <ResetKeyButton
                deviceId={robot.device_id}
                robotName={robot.name}
                serverUrl={session.runtime.config.publicUrl}
                reissue={robot.public_key === null}
              />
            </div>
          )}
        </Card>
      </div>
    </>
  );
}
