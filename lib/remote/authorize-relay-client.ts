import type { Actor, Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { Robots } from "@/lib/robots/schemas";
import { Users } from "@/lib/users/schemas";
import { endRemoteSession } from "./end-remote-session";
import { RemoteSessions } from "./schemas";
import { verifySessionToken } from "./session-token";

export interface AuthorizedClient {
  sessionId: string;
  deviceId: string;
  userUid: string;
  expiresAt: Date;
  /** The user, as the actor of what this connection does (audit). */
  actor: Extract<Actor, { kind: "user" }>;
}

/**
 * May this token open a client connection on the relay (for the robot named in the URL, when it
 * names one)? Checked when the WebSocket upgrades, before anything is forwarded:
 * the token verifies and has not expired; its session exists, is still live and belongs to the
 * token's user and robot; the URL's robot is the token's; the user still exists and still owns the
 * robot (a robot that changed hands ends its old owner's sessions).
 *
 * @throws `unauthenticated` (token reasons, `session_unknown`), `forbidden` (`session_robot_mismatch`,
 * `session_revoked`, `session_ended`, `account_missing`, `ownership_changed`).
 */
export async function authorizeRelayClient(
  ctx: Ctx,
  input: {
    token: string;
    pathDeviceId: string | null;
    /** Called once the token names a real user, so a refusal after that can be audited as theirs. */
    onIdentified?: (actor: AuthorizedClient["actor"], sessionId: string) => void;
  },
): Promise<AuthorizedClient> {
  const now = ctx.now();
  const claims = await verifySessionToken(ctx.secrets.tokenSecret, input.token, now);
  const user = await ctx.db.get(Users, claims.sub);
  if (!user)
    throw new DomainError("forbidden", "The session's account no longer exists.", { reason: "account_missing" });
  const actor: AuthorizedClient["actor"] = {
    kind: "user",
    uid: claims.sub,
    role: user.data.role,
    email: user.data.email,
  };
  input.onIdentified?.(actor, claims.sid);
  if (input.pathDeviceId !== null && input.pathDeviceId !== claims.rid) {
    throw new DomainError(
      "forbidden",
      `This session token is for robot ${claims.rid}, not ${input.pathDeviceId.slice(0, 64)}.`,
      { reason: "session_robot_mismatch" },
    );
  }
  const session = await ctx.db.get(RemoteSessions, claims.sid);
  if (!session || session.data.user_uid !== claims.sub || session.data.robot_id !== claims.rid) {
    throw new DomainError("unauthenticated", "The session token names no session.", { reason: "session_unknown" });
  }
  if (!session.data.active) {
    const revoked = session.data.ended_reason === "revoked";
    throw new DomainError(
      "forbidden",
      revoked ? "This session was revoked." : `This session has ended (${session.data.ended_reason ?? "ended"}).`,
      { reason: revoked ? "session_revoked" : "session_ended" },
    );
  }
  const robot = await ctx.db.get(Robots, claims.rid);
  if (!robot || robot.data.owner_uid !== claims.sub) {
    await endRemoteSession(ctx, { sessionId: session.id, reason: "ownership_changed" });
    throw new DomainError("forbidden", `You no longer own robot ${claims.rid}.`, { reason: "ownership_changed" });
  }
  return {
    sessionId: session.id,
    deviceId: claims.rid,
    userUid: claims.sub,
    expiresAt: new Date(Math.min(claims.exp * 1000, Date.parse(session.data.expires_at))),
    actor,
  };
}
