import type { Metadata } from "next";
import Link from "next/link";

export const metadata: Metadata = { title: "Remote: the robot side" };

const PYTHON = `# A sketch for a Python robot runtime (websockets + aiortc); sign_request() is the robot's
# RFC 9421 signer from /docs/signatures. The TypeScript reference is tools/simulator/behaviors/remote-peer.ts.
import asyncio, json, random
import websockets
from aiortc import RTCPeerConnection, RTCSessionDescription, RTCConfiguration, RTCIceServer
from aiortc.sdp import candidate_from_sdp

BASE = "https://continuon.cloud"
PATH = f"/api/remote/signal/{DEVICE_ID}"
sessions = {}   # session_id -> {"pc", "channel", "present", "pending_ice"}

async def relay_forever():
    attempt = 0
    while True:
        headers = sign_request("GET", BASE + PATH)          # fresh created/expires/nonce each time
        try:
            async with websockets.connect(BASE.replace("http", "ws") + PATH, additional_headers=headers) as ws:
                attempt = 0
                async for text in ws:
                    await on_message(ws, json.loads(text))
        except Exception as error:
            print("relay:", error)
        attempt += 1
        await asyncio.sleep(min(30, 0.5 * 2 ** attempt) * random.uniform(0.5, 1))   # backoff + jitter

async def on_message(ws, m):
    sid = m.get("session_id")
    if m["type"] == "status" and m["state"] == "peer_joined":
        sessions[sid] = {"present": True, "ice_servers": m.get("ice_servers", []), "pc": None,
                         "channel": None, "pending_ice": []}
    elif m["type"] == "status" and m["state"] in ("peer_left", "session_ended"):
        s = sessions.pop(sid, None) if m["state"] == "session_ended" else sessions.get(sid)
        if s and s["pc"] and m["state"] == "session_ended": await s["pc"].close()
        if s: s["present"] = False
    elif m["type"] == "offer":
        await answer(ws, sid, m["sdp"])
    elif m["type"] == "ice" and m["candidate"]:
        s = sessions[sid]
        if s["pc"] and s["pc"].remoteDescription: await add_ice(s["pc"], m["candidate"])
        else: s["pending_ice"].append(m["candidate"])          # queue until the offer is applied
    elif m["type"] == "data":
        await on_app(ws, sid, m["payload"], via="relay")

async def answer(ws, sid, sdp):
    s = sessions[sid]
    servers = [RTCIceServer(urls=x["urls"], username=x.get("username"), credential=x.get("credential"))
               for x in s["ice_servers"]]
    pc = s["pc"] = RTCPeerConnection(RTCConfiguration(iceServers=servers))
    @pc.on("datachannel")
    def on_channel(channel):
        if channel.label != "control": return
        s["channel"] = channel
        channel.on("message", lambda text: asyncio.ensure_future(on_app(ws, sid, json.loads(text), "channel")))
    await pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="offer"))
    for c in s.pop("pending_ice"): await add_ice(pc, c)
    s["pending_ice"] = []
    await pc.setLocalDescription(await pc.createAnswer())   # aiortc gathers first: candidates are in the SDP
    await ws.send(json.dumps({"v": 1, "type": "answer", "session_id": sid, "sdp": pc.localDescription.sdp}))

async def add_ice(pc, c):
    candidate = candidate_from_sdp(c["candidate"].removeprefix("candidate:"))
    candidate.sdpMid, candidate.sdpMLineIndex = c.get("sdpMid"), c.get("sdpMLineIndex")
    await pc.addIceCandidate(candidate)

async def send_app(ws, sid, message, via="channel"):
    channel = sessions[sid]["channel"]
    if via == "channel" and channel and channel.readyState == "open":
        channel.send(json.dumps(message))
    else:
        await ws.send(json.dumps({"v": 1, "type": "data", "session_id": sid, "payload": message}))

async def on_app(ws, sid, m, via):
    if not valid_app_message(m): return                     # schema check first, always
    if m["type"] == "command":
        ok, text = execute(m["command"])                    # the same handler as the command queue
        ack = {"v": 1, "type": "ack", "id": m["id"], "status": "completed" if ok else "failed"}
        ack["response" if ok else "error"] = text
        await send_app(ws, sid, ack, via)
    elif m["type"] == "teleop" and mode in ("manual_control", "manual_training"):
        drive(m["linear"], m["angular"])                    # and stop when teleop stops coming (watchdog)
    elif m["type"] == "rtt_probe":
        await send_app(ws, sid, {"v": 1, "type": "rtt_reply", "id": m["id"], "t": m["t"]}, via)

# and a loop sending {"v":1,"type":"telemetry",…} to every present session a few times a second.`;

export default function RemoteRobotSide() {
  return (
    <>
      <h1>Remote sessions: the robot side</h1>
      <p>
        What a robot implements so its owner can reach it through continuon.cloud. The simulator&apos;s peer (
        <code>tools/simulator/behaviors/remote-peer.ts</code>, TypeScript with werift) is the reference; the tests run
        it against Chromium over a real data channel. The messages are in the{" "}
        <Link href="/docs/remote/protocol">relay protocol</Link>.
      </p>

      <h2 id="checklist">Checklist</h2>
      <ol>
        <li>
          <strong>One outbound WebSocket</strong> to <code>/api/remote/signal/&#123;device_id&#125;</code>, the upgrade
          request signed exactly like every robot request (<Link href="/docs/signatures">signed requests</Link>:{" "}
          <code>@method</code> <code>GET</code>, <code>@authority</code>, <code>@path</code>; a new nonce on every
          connect). Nothing listens on the robot; it works behind any NAT.
        </li>
        <li>
          <strong>Reconnect</strong> with exponential backoff and jitter (0.5 s doubling to 30 s). A close with 4409
          means another connection with your key replaced this one; 1001 means the relay is restarting: reconnect.
        </li>
        <li>
          <strong>Sessions.</strong> <code>status peer_joined</code> starts one (with the user&apos;s uid and ICE
          servers whose TURN credentials are the robot&apos;s own); <code>peer_left</code> pauses it (the client may
          come back); <code>session_ended</code> or <code>bye</code> ends it: close its peer connection. Name the{" "}
          <code>session_id</code> on everything you send.
        </li>
        <li>
          <strong>Answer offers.</strong> Apply the client&apos;s offer, add the ICE candidates that arrived before it
          (queue them until then), answer, and send your own candidates as <code>ice</code> messages. Accept only the
          data channel labelled <code>control</code>.
        </li>
        <li>
          <strong>Send application data on the best path</strong>: the data channel when open, otherwise relay{" "}
          <code>data</code> messages. Reply on the path a request came by. Telemetry a few times a second to present
          sessions.
        </li>
        <li>
          <strong>Execute, never proxy.</strong> Validate each in-session message against the schema, then run it with
          the same code that runs the command queue (<code>set_mode</code>, <code>say</code>) and acknowledge it (
          <code>completed</code>/<code>failed</code> with a <code>response</code> or <code>error</code>). Do not turn
          session messages into requests to the robot&apos;s local HTTP API: that API trusts loopback callers, and a
          session must not inherit that trust. Apply <code>teleop</code> only in a manual mode, clamp it to the
          robot&apos;s limits, and stop when teleop messages stop arriving (a watchdog of about half a second).{" "}
          <code>emergency_stop</code> wins over everything.
        </li>
        <li>
          <strong>Keep within the limits</strong>: frames up to 64 KiB, 1 000 messages/s and 8 MiB/s per robot
          connection; answer the relay&apos;s WebSocket pings (every client library does).
        </li>
      </ol>

      <h2 id="python">A Python sketch</h2>
      <pre>
        <code>{PYTHON}</code>
      </pre>

      <h2 id="trying">Trying it</h2>
      <p>
        <code>npm run sim -- fleet --count 3</code> runs simulated robots with the <code>remote</code> behavior (on by
        default; <code>--remote-webrtc false</code> keeps them relay-only). Claim one with the proof{" "}
        <code>npm run sim -- claim --user &lt;uid&gt;</code> prints, then press Connect on it in the console&apos;s
        Remote sessions page.
      </p>
    </>
  );
}
