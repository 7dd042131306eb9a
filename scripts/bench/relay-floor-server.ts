/**
 * The floor for `bench:relay`: a bare `ws` server on FLOOR_PORT doing the least a relay could —
 * it answers each `offer` with the same bytes (an echo) and acknowledges every 16th `data` message,
 * with no authentication, no schema, no limits and no second hop.
 */
import { WebSocketServer } from "ws";

const port = Number(process.env.FLOOR_PORT ?? 3351);
const server = new WebSocketServer({ port, host: "127.0.0.1", perMessageDeflate: false, maxPayload: 1024 * 1024 });
const ACK = JSON.stringify({ v: 1, type: "data", payload: { type: "ack" } });

server.on("connection", (ws) => {
  let received = 0;
  ws.on("message", (data) => {
    const text = data.toString();
    if (text.includes('"type":"offer"')) ws.send(text);
    else if (++received % 16 === 0) ws.send(ACK);
  });
});
server.on("listening", () => console.log(`floor listening on ${port}`));
