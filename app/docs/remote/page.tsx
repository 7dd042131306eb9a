import type { Metadata } from "next";
import Link from "next/link";

export const metadata: Metadata = { title: "Remote sessions" };

const VERIFY = `POST /api/remote/verify                     (signed-in user; Firebase ID token bearer in the cloud)
{"robot_ruri": "rcan://continuon.cloud/continuon/companion-v1/14d4b680",
 "user_uid": "usr_01j…",                    # must be the caller
 "local_claim_proof": "eyJhbGciOiJFZERTQSIsInR5cCI6InJjYW4tY2xhaW0rand0Ii…"}

200 {"verified": true,
     "session_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6InJlbW90ZS1zZXNzaW9uK2p3dCJ9…",
     "robot_endpoint": "wss://continuon.cloud/api/remote/signal/14d4b680",
     "session_id": "rs_01j…",
     "expires_at": "2026-06-01T13:00:00.000Z",
     "ice_servers": [{"urls": ["stun:turn.continuon.cloud:3478"]},
                     {"urls": ["turn:turn.continuon.cloud:3478?transport=udp"],
                      "username": "1780318800:user_usr_01j…", "credential": "<base64 HMAC-SHA1>"}]}

403 {"error": {"code": "forbidden", "reason": "not_robot_owner", "message": "You do not own robot 14d4b680."}}`;

const SESSION = `GET /api/remote/session?session_id=rs_01j…   (the session's user, or an admin)

200 {"session_id": "rs_01j…", "robot_ruri": "rcan://…/14d4b680", "robot_id": "14d4b680", "user_uid": "usr_01j…",
     "created_at": "…", "expires_at": "…", "status": "connected", "relay_endpoint": "wss://…/14d4b680",
     "local_claim_verified": true, "connection_type": "webrtc", "path": "direct",
     "bytes_relayed": 18422, "messages_relayed": 61, "ended_reason": null,
     "live": {"client_connected": true, "robot_connected": true, "instance": "relay-7f…", …}}

POST /api/remote/revoke {"session_id": "rs_01j…"}   (its user, or an admin) → the session, ended_reason "revoked"`;

export default function RemoteSessions() {
  return (
    <>
      <h1>Remote sessions</h1>
      <p>
        An owner reaches a robot they own from anywhere: the console (or an app) and the robot meet on the relay,
        negotiate a WebRTC data channel through it, and talk peer-to-peer when the network allows. When it does not, the
        same messages travel through the relay, and the console says so. Every session lasts at most an hour, belongs to
        one user and one robot, can be revoked at once, and is in the audit log from verify to its end.
      </p>

      <h2 id="flow">The flow</h2>
      <ol>
        <li>
          <strong>Pairing, once, in person.</strong> The robot shows a pairing code on its LAN and, when its owner
          pairs, hands them a <em>local claim proof</em>: a JWS signed with the robot&apos;s device key naming the user
          (see <Link href="/docs/security">Security model</Link>). The owner claims the robot with it.
        </li>
        <li>
          <strong>Verify.</strong> <code>POST /api/remote/verify</code> with the robot&apos;s RURI, the caller&apos;s
          uid and the claim proof. The server checks that the caller is <code>user_uid</code>, that the registry says
          they own the robot, and that the proof verifies with the robot&apos;s registered key, names this robot and
          this user. It creates a <code>remote_sessions</code> document (<code>pending</code>) and answers with a
          session token valid one hour, the relay URL and ICE servers.
        </li>
        <li>
          <strong>Meet on the relay.</strong> The robot keeps one outbound WebSocket to{" "}
          <code>/api/remote/signal/&#123;device_id&#125;</code>, signed like every robot request. The client connects to
          the same URL with its token. The relay tells the robot a client joined (<code>peer_joined</code>, with TURN
          credentials for the robot) and the client that the robot is online; the session becomes <code>connected</code>
          .
        </li>
        <li>
          <strong>Relay first, then peer-to-peer.</strong> Application data (telemetry, commands, acknowledgements)
          starts at once as relay <code>data</code> messages. Meanwhile the client sends a WebRTC offer; the robot
          answers; ICE candidates trickle both ways through the relay. When the <code>control</code> data channel opens,
          both ends move the data onto it: <strong>Direct</strong>, or <strong>Relayed (TURN)</strong> when ICE could
          only use a TURN server. When ICE fails or does not finish within ten seconds, data stays on the relay:{" "}
          <strong>Relayed</strong>. The client reports each change; the session records <code>path</code> and{" "}
          <code>connection_type</code>, and the relay counts the bytes it carried.
        </li>
        <li>
          <strong>End.</strong> Disconnect (<code>bye</code>), the robot ending it, the hour running out, a revocation,
          the robot changing hands, or the client staying away longer than 30 seconds ends the session:{" "}
          <code>disconnected</code> with its <code>ended_reason</code>, in the store and the audit log.
        </li>
      </ol>

      <h2 id="api">The HTTP API</h2>
      <pre>
        <code>{VERIFY}</code>
      </pre>
      <pre>
        <code>{SESSION}</code>
      </pre>
      <p>
        Verify is limited to 20 attempts a minute per user. Refusals: <code>forbidden</code> with{" "}
        <code>user_uid_mismatch</code>, <code>not_robot_owner</code> (also for a robot that does not exist: nobody
        learns which robots exist), <code>robot_key_missing</code>, <code>claim_proof_bad_signature</code>,{" "}
        <code>claim_proof_wrong_user</code>, <code>claim_proof_wrong_device</code>; <code>invalid</code> for a malformed
        body, RURI or proof. Each refusal is audited as <code>remote.verify</code> with outcome <code>denied</code>.
      </p>

      <h2 id="console">In the console</h2>
      <p>
        <strong>Remote sessions</strong> lists the robots you own with a Connect button (paste the robot&apos;s claim
        proof once; the browser can remember it), your sessions, and — for admins — every active session with an End
        button. The session page shows the connection, the path badge (Direct / Relayed (TURN) / Relayed), the
        round-trip time measured over the path in use, the time left on the token, live telemetry, commands (
        <code>set_mode</code> with the robot&apos;s modes, <code>say</code>, emergency stop) with the robot&apos;s
        acknowledgements, and a drive pad (hold a button or an arrow key; teleop works in a manual mode). The command
        log lists each drive motion and the stop after it as <em>sent</em> (robots do not acknowledge teleop messages;
        they stop by themselves when they stop coming). Once the session ends, the token reads &ldquo;no longer
        valid&rdquo; instead of counting down. The token lives only in the tab that ran verify.
      </p>

      <h2 id="security">Security properties</h2>
      <p>What each credential can do, and what someone who steals it can and cannot do:</p>
      <table>
        <thead>
          <tr>
            <th>Credential</th>
            <th>A thief can</th>
            <th>A thief cannot</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>Session token (bearer, one hour)</td>
            <td>
              Join that one session on that one robot until the token expires or the owner revokes it (a second
              connection with the same token replaces the first, which the owner sees as a disconnect).
            </td>
            <td>
              Open another session, reach another robot (the token names its robot; a token for robot A on robot
              B&apos;s URL is refused), outlive the hour, survive revocation (a live connection is closed at once on
              this instance, within seconds on others), or keep access after the robot changes hands (checked at every
              connect). Nothing on the robot but the messages its remote peer chooses to execute.
            </td>
          </tr>
          <tr>
            <td>Local claim proof</td>
            <td>Nothing alone: it names its user and verify requires that user to be signed in.</td>
            <td>
              Verify as anyone else (sub must be the caller), or for another robot (kid, iss and RURI must agree).
            </td>
          </tr>
          <tr>
            <td>TURN credentials</td>
            <td>Relay packets through the TURN server until the session&apos;s hour ends.</td>
            <td>Reach the relay, a session or a robot: TURN only moves packets between addresses.</td>
          </tr>
          <tr>
            <td>A robot&apos;s device key</td>
            <td>Connect to the relay as that robot (and answer its sessions) — as with every robot request.</td>
            <td>
              Connect as another robot (the URL&apos;s device id must be the signer), write into another robot&apos;s
              sessions (refused <code>unknown_session</code>), or replay an upgrade (nonces are spent in the store).
            </td>
          </tr>
        </tbody>
      </table>
      <ul>
        <li>
          The relay forwards only between the two ends of a session, re-encoded from the validated message (unknown
          fields never travel). It never opens connections to robots or anything else: a robot&apos;s local HTTP API is
          not reachable through a session unless the robot itself chooses to proxy, which it must not do (robots in the
          field trust loopback callers).
        </li>
        <li>
          Every frame is size-checked (64 KiB; frames over 1 MiB are cut off by the WebSocket layer), rate-limited per
          connection (clients 100 messages/s with bursts of 200 and 1 MiB/s; robots ten times that), and parsed with the
          protocol&apos;s schema. Malformed messages are answered with an <code>error</code>; oversize and floods close
          the connection. Addresses with many failed upgrades are refused for a while before any credential check.
        </li>
        <li>Dead peers are found by WebSocket pings every 15 seconds; a peer that misses one is dropped.</li>
        <li>
          Audit: <code>remote.verify</code>, <code>remote.connect</code>, <code>remote.disconnect</code>,{" "}
          <code>remote.expire</code>, <code>remote.revoke</code>, <code>remote.robot_connect</code>,{" "}
          <code>remote.robot_disconnect</code>, and <code>remote.refuse</code> for every refused upgrade and the first
          refused message of each kind per connection (capped per address, so the log cannot be flooded through the
          relay).
        </li>
      </ul>

      <h2 id="turn">TURN</h2>
      <p>
        Set <code>TURN_URLS</code> (comma-separated <code>stun:</code>, <code>turn:</code>, <code>turns:</code> URLs)
        and <code>TURN_SECRET</code>, and run coturn with <code>use-auth-secret</code> and the same{" "}
        <code>static-auth-secret</code>. Credentials follow the TURN REST API convention: username{" "}
        <code>&lt;expiry unix seconds&gt;:&lt;subject&gt;</code>, credential{" "}
        <code>base64(HMAC-SHA1(TURN_SECRET, username))</code>, expiring with the session. Without TURN, ICE uses host
        and server-reflexive candidates only, and everything else goes through the relay.
      </p>

      <h2 id="more">More</h2>
      <ul>
        <li>
          <Link href="/docs/remote/protocol">Relay protocol</Link>: every message, who may send it, errors and close
          codes.
        </li>
        <li>
          <Link href="/docs/remote/robot-side">The robot side</Link>: what a robot maker implements.
        </li>
        <li>
          <Link href="/docs/remote/scale-out">Relay scale-out</Link>: several relay instances, routing by robot, and
          what happens when one dies.
        </li>
      </ul>
    </>
  );
}
