import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import { errorResponseParts } from "@/server/http/errors";

/**
 * Refuse a WebSocket upgrade with a plain HTTP answer (the connection never becomes a WebSocket):
 * the same status and `{"error": {code, message, reason}}` body as the HTTP API gives.
 */
export function refuseUpgrade(socket: Duplex, error: unknown): void {
  if (socket.destroyed) return;
  const { status, body, headers } = errorResponseParts(error);
  const text = JSON.stringify(body);
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Error"}`,
    "Content-Type: application/json",
    `Content-Length: ${Buffer.byteLength(text)}`,
    "Connection: close",
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  socket.end(`${lines.join("\r\n")}\r\n\r\n${text}`);
}
