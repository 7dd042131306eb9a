import type { Metadata } from "next";
import { RemoteSessionPanel } from "@/components/remote/remote-session-panel";
import { PageHeader } from "@/components/ui/page-header";
import { getRemoteSession } from "@/lib/remote/get-remote-session";
import { Robots } from "@/lib/robots/schemas";
import { requirePageSession } from "@/server/http/page-context";
import { loadOr404 } from "@/server/http/load-or-404";

export const metadata: Metadata = { title: "Remote session" };
export const dynamic = "force-dynamic";

export default async function RemoteSessionPage({ params }: { params: Promise<{ sessionId: string }> }) {
  const { sessionId } = await params;
  const session = await requirePageSession(`/console/remote/${sessionId}`);
  const remote = await loadOr404(() => getRemoteSession(session.ctx, { session_id: sessionId }));
  // The session's user reads the robot's name; the session check above already proved access.
  const robot = await session.ctx.db.get(Robots, remote.robot_id);
  const name = robot?.data.name ?? remote.robot_id;
  return (
    <>
      <PageHeader title={`Remote: ${name}`} description={remote.robot_ruri} />
      {remote.user_uid !== session.user.id ? (
        <p className="text-sm text-slate-700">
          This session belongs to another user; an admin can end it from the remote sessions page.
        </p>
      ) : !remote.active ? (
        <p className="text-sm text-slate-700" data-testid="remote-ended" data-reason={remote.ended_reason ?? ""}>
          This session has ended ({remote.ended_reason ?? "ended"}). Connect again from the robot to start a new one.
        </p>
      ) : (
        <RemoteSessionPanel sessionId={sessionId} robotName={name} robotId={remote.robot_id} />
      )}
    </>
  );
}
