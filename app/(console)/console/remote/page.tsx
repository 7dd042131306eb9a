import type { Metadata } from "next";
import Link from "next/link";
import { AutoRefresh } from "@/components/remote/auto-refresh";
import { ConnectButton } from "@/components/remote/connect-button";
import { EndSessionButton } from "@/components/remote/end-session-button";
import { sessionPathLabel, sessionStatusTone } from "@/components/remote/session-views";
import { formatBytes } from "@/lib/format-bytes";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Table, Td, Th } from "@/components/ui/table";
import { listRemoteSessions } from "@/lib/remote/list-remote-sessions";
import type { RemoteSessionView } from "@/lib/remote/views";
import { listRobots } from "@/lib/robots/list-robots";
import { requirePageSession, sessionHasRole } from "@/server/http/page-context";

export const metadata: Metadata = { title: "Remote sessions" };
export const dynamic = "force-dynamic";

function SessionsTable({
  sessions,
  showUser,
  canEnd,
}: {
  sessions: RemoteSessionView[];
  showUser: boolean;
  canEnd: boolean;
}) {
  return (
    <Table>
      <thead>
        <tr>
          <Th>Robot</Th>
          {showUser && <Th>User</Th>}
          <Th>Status</Th>
          <Th>Path</Th>
          <Th>Relayed</Th>
          <Th>Started</Th>
          <Th>Expires / ended</Th>
          <Th />
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {sessions.map((session) => (
          <tr key={session.session_id} data-testid={`session-row-${session.session_id}`}>
            <Td className="font-mono text-xs">{session.robot_id}</Td>
            {showUser && <Td className="font-mono text-xs">{session.user_uid}</Td>}
            <Td>
              <Badge tone={sessionStatusTone(session)}>{session.status}</Badge>
              {session.ended_reason && <span className="ml-1 text-xs text-slate-500">{session.ended_reason}</span>}
              {session.live?.robot_connected === false && session.active && (
                <span className="ml-1 text-xs text-amber-700">robot offline</span>
              )}
            </Td>
            <Td>{sessionPathLabel(session)}</Td>
            <Td className="tabular-nums">{formatBytes(session.bytes_relayed)}</Td>
            <Td className="whitespace-nowrap">{session.created_at.slice(0, 16).replace("T", " ")}</Td>
            <Td className="whitespace-nowrap">
              {(session.disconnected_at ?? session.expires_at).slice(0, 16).replace("T", " ")}
            </Td>
            <Td className="whitespace-nowrap">
              {session.active && !showUser && (
                <Link
                  href={`/console/remote/${session.session_id}`}
                  className="mr-2 text-sm font-medium text-brand-700"
                >
                  Open
                </Link>
              )}
              {session.active && canEnd && <EndSessionButton sessionId={session.session_id} />}
            </Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}

export default async function RemotePage() {
  const session = await requirePageSession("/console/remote");
  const isAdmin = sessionHasRole(session, "admin");
  const [mine, active, robots] = await Promise.all([
    listRemoteSessions(session.ctx, { scope: "mine", limit: 25 }),
    isAdmin ? listRemoteSessions(session.ctx, { scope: "active", limit: 100 }) : Promise.resolve(null),
    listRobots(session.ctx, { owner: "mine", limit: 50 }),
  ]);
  return (
    <>
      <AutoRefresh everyMs={5000} />
      <PageHeader
        title="Remote sessions"
        description="Reach a robot you own: a one-hour session, peer-to-peer when the network allows, through the relay when it does not."
      />
      <div className="space-y-6">
        <Card title="Connect to a robot">
          {robots.robots.length === 0 ? (
            <EmptyState title="You own no robots yet">
              Claim a robot with the proof it shows when you pair with it; then connect to it from here or from its
              page.
            </EmptyState>
          ) : (
            <ul className="divide-y divide-slate-100">
              {robots.robots.map((robot) => (
                <li key={robot.device_id} className="flex flex-wrap items-center gap-3 py-3">
                  <div className="min-w-0 flex-1">
                    <div className="font-medium text-slate-900">{robot.name}</div>
                    <div className="truncate font-mono text-xs text-slate-500">{robot.ruri}</div>
                  </div>
                  <Badge tone={robot.status === "online" ? "good" : "neutral"}>{robot.status}</Badge>
                  <ConnectButton
                    deviceId={robot.device_id}
                    ruri={robot.ruri}
                    userUid={session.user.id}
                    robotName={robot.name}
                    size="sm"
                  />
                </li>
              ))}
            </ul>
          )}
        </Card>

        {active && (
          <section>
            <h2 className="mb-2 text-sm font-semibold text-slate-900">Active sessions (all users)</h2>
            {active.sessions.length === 0 ? (
              <EmptyState title="No active sessions">
                Sessions appear here while someone is connected or about to be.
              </EmptyState>
            ) : (
              <div data-testid="active-sessions">
                <SessionsTable sessions={active.sessions} showUser canEnd />
              </div>
            )}
          </section>
        )}

        <section>
          <h2 className="mb-2 text-sm font-semibold text-slate-900">Your sessions</h2>
          {mine.sessions.length === 0 ? (
            <EmptyState title="No remote sessions yet">
              Press Connect on a robot you own. Each session lasts at most an hour and is recorded here and in the audit
              log.
            </EmptyState>
          ) : (
            <div data-testid="my-sessions">
              <SessionsTable sessions={mine.sessions} showUser={false} canEnd />
            </div>
          )}
        </section>
      </div>
    </>
  );
}
