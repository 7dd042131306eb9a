import type { Metadata } from "next";
import Link from "next/link";

export const metadata: Metadata = { title: "Relay protocol" };

const CONNECT = `# a client (browser): the token rides in a subprotocol, next to the protocol's name
new WebSocket("wss://continuon.cloud/api/remote/signal/14d4b680",
              ["continuon.remote.v1", "bearer.<session_token>"])
# a client (app, CLI):   Authorization: Bearer <session_token>
# a robot:               GET /api/remote/signal/14d4b680 signed like every robot request
#                        (Signature-Input sig1=("@method" "@authority" "@path");…;keyid="14d4b680")`;

const EXCHANGE = `relay  → client  {"v":1,"type":"status","session_id":"rs_…","state":"robot_online","expires_at":"…"}
relay  → robot   {"v":1,"type":"status","session_id":"rs_…","state":"peer_joined","user_uid":"usr_…",
                  "expires_at":"…","ice_servers":[…]}
client → relay   {"v":1,"type":"offer","sdp":"v=0\\r\\n…"}
relay  → robot   {"v":1,"type":"offer","sdp":"v=0\\r\\n…","session_id":"rs_…"}
robot  → relay   {"v":1,"type":"answer","session_id":"rs_…","sdp":"v=0\\r\\n…"}
relay  → client  {"v":1,"type":"answer","sdp":"v=0\\r\\n…","session_id":"rs_…"}
client → relay   {"v":1,"type":"ice","candidate":{"candidate":"candidate:1 1 udp 2122260223 10.0.0.7 50312 typ host",
                  "sdpMid":"0","sdpMLineIndex":0,"usernameFragment":"Q2lx"}}
robot  → relay   {"v":1,"type":"data","session_id":"rs_…","payload":{"v":1,"type":"telemetry","seq":41,…}}
client → relay   {"v":1,"type":"path","path":"direct","connection_type":"webrtc"}
client → relay   {"v":1,"type":"bye"}`;

const APP = `{"v":1,"type":"command","id":"cmd-1","command":{"type":"set_mode","payload":{"mode":"autonomous"}}}
{"v":1,"type":"command","id":"cmd-2","command":{"type":"say","payload":{"text":"Hello"}}}
{"v":1,"type":"ack","id":"cmd-1","status":"completed","response":"mode idle → autonomous"}
{"v":1,"type":"ack","id":"cmd-2","status":"failed","error":"emergency stop engaged"}
{"v":1,"type":"teleop","seq":17,"linear":0.4,"angular":0}
{"v":1,"type":"telemetry","seq":41,"t":1780315200123,"mode":"autonomous",
 "battery":{"percent":86.9,"charging":false},"pose":{"x":1.2,"y":0.4,"theta":0.3},
 "velocity":{"linear":0,"angular":0},"metrics":{"cpu_temp_c":47.6},"last_utterance":"Hello"}
{"v":1,"type":"rtt_probe","id":"rtt-9","t":5123.4}   →   {"v":1,"type":"rtt_reply","id":"rtt-9","t":5123.4}`;

export default function RelayProtocol() {
  return (
    <>
      <h1>Relay protocol (v1)</h1>
      <p>
        <code>WS /api/remote/signal/&#123;device_id&#125;</code> (the bare <code>/api/remote/signal</code> works too).
        One JSON text frame per message, each with <code>&quot;v&quot;: 1</code> and a <code>type</code>; the relay
        validates every frame against the protocol&apos;s schema (a zod discriminated union in{" "}
        <code>lib/remote/protocol.ts</code>) and refuses anything else. Credentials are checked before the upgrade
        completes; a refusal is a plain HTTP answer with the API&apos;s error body (<code>401</code>, <code>403</code>,{" "}
        <code>429</code>). See <Link href="/docs/remote">Remote sessions</Link> for the flow.
      </p>
      <pre>
        <code>{CONNECT}</code>
      </pre>

      <h2 id="messages">Messages</h2>
      <table>
        <thead>
          <tr>
            <th>type</th>
            <th>fields</th>
            <th>client → relay</th>
            <th>robot → relay</th>
            <th>relay → end</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>
              <code>offer</code>, <code>answer</code>
            </td>
            <td>
              <code>sdp</code> (≤ 48 000 chars)
            </td>
            <td>forwarded to the robot</td>
            <td>forwarded to the session&apos;s client</td>
            <td>
              the forwarded message, <code>session_id</code> stamped
            </td>
          </tr>
          <tr>
            <td>
              <code>ice</code>
            </td>
            <td>
              <code>candidate</code>: <code>&#123;candidate, sdpMid, sdpMLineIndex, usernameFragment&#125;</code> or{" "}
              <code>null</code> (end of candidates)
            </td>
            <td>forwarded</td>
            <td>forwarded</td>
            <td>forwarded</td>
          </tr>
          <tr>
            <td>
              <code>data</code>
            </td>
            <td>
              <code>payload</code>: any JSON (the in-session messages below)
            </td>
            <td>forwarded; counted as relayed bytes</td>
            <td>forwarded; counted</td>
            <td>forwarded</td>
          </tr>
          <tr>
            <td>
              <code>bye</code>
            </td>
            <td>
              <code>reason?</code>
            </td>
            <td>
              forwarded, then the session ends (<code>bye</code>)
            </td>
            <td>
              forwarded, then the session ends (<code>robot_ended</code>)
            </td>
            <td>forwarded</td>
          </tr>
          <tr>
            <td>
              <code>ping</code> / <code>pong</code>
            </td>
            <td>
              <code>ts</code>
            </td>
            <td>
              answered with <code>pong</code>
            </td>
            <td>
              answered with <code>pong</code>
            </td>
            <td>
              <code>pong</code>
            </td>
          </tr>
          <tr>
            <td>
              <code>path</code>
            </td>
            <td>
              <code>path</code> <code>direct|relayed</code>, <code>connection_type</code> <code>webrtc|tunnel</code>
            </td>
            <td>recorded on the session</td>
            <td>refused</td>
            <td>—</td>
          </tr>
          <tr>
            <td>
              <code>status</code>
            </td>
            <td>
              <code>state</code>: <code>waiting_for_robot</code>, <code>robot_online</code>, <code>robot_offline</code>{" "}
              (to clients); <code>peer_joined</code> (with <code>user_uid</code>, <code>ice_servers</code>),{" "}
              <code>peer_left</code> (to robots); <code>session_ended</code> (<code>reason</code>, to both)
            </td>
            <td>refused</td>
            <td>refused</td>
            <td>sent by the relay</td>
          </tr>
          <tr>
            <td>
              <code>error</code>
            </td>
            <td>
              <code>code</code>, <code>reason</code>, <code>message</code>, <code>ref</code> (the refused message&apos;s{" "}
              <code>id</code>)
            </td>
            <td>refused</td>
            <td>refused</td>
            <td>sent by the relay</td>
          </tr>
        </tbody>
      </table>
      <p>
        Every message may carry <code>id</code> (≤ 64 chars), which an <code>error</code> refers to. A client never
        names its session (its connection belongs to one; naming another is refused <code>session_mismatch</code>). A
        robot&apos;s connection carries all its sessions, so every robot message except <code>ping</code> names its{" "}
        <code>session_id</code>.
      </p>
      <pre>
        <code>{EXCHANGE}</code>
      </pre>

      <h2 id="errors">Errors and close codes</h2>
      <table>
        <thead>
          <tr>
            <th>When</th>
            <th>error (code / reason)</th>
            <th>connection</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>Not JSON, not an object, wrong version, not in the schema</td>
            <td>
              <code>invalid</code> / <code>malformed_json</code>, <code>not_an_object</code>,{" "}
              <code>unsupported_version</code>, <code>invalid_message</code>
            </td>
            <td>stays open; closed 4400 after 20</td>
          </tr>
          <tr>
            <td>A type this end may not send; a binary frame</td>
            <td>
              <code>invalid</code> / <code>not_allowed</code>, <code>binary_not_supported</code>
            </td>
            <td>as above</td>
          </tr>
          <tr>
            <td>A frame over 64 KiB</td>
            <td>
              <code>too_large</code> / <code>message_too_large</code>
            </td>
            <td>closed 4413 (1009 over 1 MiB)</td>
          </tr>
          <tr>
            <td>Over the message or byte rate</td>
            <td>
              <code>rate_limited</code> / <code>rate_limited</code> (at most one a second; the message is dropped)
            </td>
            <td>
              closed 4429 (<code>flood</code>) after 200 dropped
            </td>
          </tr>
          <tr>
            <td>The other end is not connected, or not keeping up</td>
            <td>
              <code>unavailable</code> / <code>robot_offline</code>, <code>client_offline</code>,{" "}
              <code>peer_congested</code>
            </td>
            <td>stays open</td>
          </tr>
          <tr>
            <td>A robot writes into a session that is not its own or has ended</td>
            <td>
              <code>not_found</code> / <code>unknown_session</code>
            </td>
            <td>stays open</td>
          </tr>
          <tr>
            <td>The token expired</td>
            <td>
              <code>unauthenticated</code> / <code>token_expired</code>
            </td>
            <td>closed 4401</td>
          </tr>
          <tr>
            <td>The session was revoked; the robot changed hands</td>
            <td>
              <code>forbidden</code> / <code>session_revoked</code>, <code>ownership_changed</code>
            </td>
            <td>closed 4403</td>
          </tr>
          <tr>
            <td>A newer connection for the same session (or robot)</td>
            <td>—</td>
            <td>closed 4409</td>
          </tr>
          <tr>
            <td>The session ended by the other end or after the client left</td>
            <td>
              <code>status</code> <code>session_ended</code>
            </td>
            <td>closed 4410 (1000 after your own bye)</td>
          </tr>
          <tr>
            <td>Relay restarting</td>
            <td>—</td>
            <td>closed 1001: reconnect (a client within 30 seconds keeps its session)</td>
          </tr>
        </tbody>
      </table>
      <p>
        Upgrade refusals (HTTP): <code>401</code> <code>credentials_missing</code>, the robot signature reasons (
        <code>signature_invalid</code>, <code>signature_expired</code>, <code>nonce_replayed</code>, …), the token
        reasons (<code>token_malformed</code>, <code>token_invalid</code>, <code>token_expired</code>,{" "}
        <code>session_unknown</code>); <code>403</code> <code>robot_mismatch</code>, <code>session_robot_mismatch</code>
        , <code>session_revoked</code>, <code>session_ended</code>, <code>ownership_changed</code>,{" "}
        <code>account_missing</code>; <code>400</code> <code>invalid_relay_path</code>; <code>429</code>{" "}
        <code>too_many_sessions</code> (16 live sessions per robot), <code>rate_limited</code>.
      </p>

      <h2 id="in-session">In-session messages</h2>
      <p>
        Inside <code>data</code> payloads, or as text on the WebRTC data channel labelled <code>control</code> — the
        same JSON either way (<code>lib/remote/app-messages.ts</code>). Commands keep the shape of the command queue
        robots in the field already execute (<code>set_mode</code> with <code>manual_control</code>,{" "}
        <code>manual_training</code>, <code>autonomous</code>, <code>sleep_learning</code>, <code>auto_charging</code>,{" "}
        <code>idle</code>, <code>emergency_stop</code>; <code>say</code> with <code>text</code>), answered{" "}
        <code>completed</code> or <code>failed</code>.
      </p>
      <pre>
        <code>{APP}</code>
      </pre>
    </>
  );
}
