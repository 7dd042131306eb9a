/**
 * The robot side of `bench:relay`, in its own process (so the clients' process does the same work
 * for the relay as for the floor): connects BENCH_ROBOT_KEYS' robots to the relay with signed
 * upgrades, answers every offer at once and acknowledges every 16th data message of each session.
 * Prints "robots ready" when all are connected.
 */
import { createPrivateKey } from "node:crypto";
import WebSocket from "ws";
import { identityFromKey } from "@/tools/robot-client/identity";
import { RobotClient } from "@/tools/robot-client/robot-client";

const baseUrl = process.env.BENCH_SERVER_URL as string;
const robots = JSON.parse(process.env.BENCH_ROBOT_KEYS as string) as Array<{ ruri: string; pem: string }>;

function serve(ws: WebSocket): void {
  const counts = new Map<string, number>();
  ws.on("message", (data) => {
    const message = JSON.parse(data.toString()) as { type: string; session_id?: string; sdp?: string };
    if (message.type === "offer") {
      ws.send(JSON.stringify({ v: 1, type: "answer", session_id: message.session_id, sdp: message.sdp }));
    } else if (message.type === "data" && message.session_id) {
      const count = (counts.get(message.session_id) ?? 0) + 1;
      counts.set(message.session_id, count);
      if (count % 16 === 0) {
        ws.send(JSON.stringify({ v: 1, type: "data", session_id: message.session_id, payload: { type: "ack" } }));
      }
    }
  });
}

await Promise.all(
  robots.map(async ({ ruri, pem }) => {
    const client = new RobotClient({ identity: identityFromKey(ruri, createPrivateKey(pem)), baseUrl });
    const signed = client.prepare("GET", `/api/remote/signal/${client.deviceId}`);
    const ws = new WebSocket(signed.url.replace(/^http/, "ws"), { headers: signed.headers, perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("unexpected-response", (_request, response) =>
        reject(new Error(`robot upgrade refused: ${response.statusCode}`)),
      );
      ws.once("error", reject);
    });
    serve(ws);
  }),
);
console.log("robots ready");
