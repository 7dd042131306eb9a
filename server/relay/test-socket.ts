import type WebSocket from "ws";
import type { RelayMessage } from "@/lib/remote/protocol";

/** A WebSocket whose messages a test awaits by predicate (event-driven: no sleeps). */
export class TestSocket {
  readonly received: RelayMessage[] = [];
  private waiters: Array<{ match: (m: RelayMessage) => boolean; resolve: (m: RelayMessage) => void }> = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly opened: Promise<void>;

  constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) =>
      ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    this.opened = new Promise((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
      ws.once("unexpected-response", (_request, response) => {
        let body = "";
        response.on("data", (chunk: Buffer) => (body += chunk.toString()));
        response.on("end", () =>
          reject(
            Object.assign(new Error(`HTTP ${response.statusCode}`), {
              status: response.statusCode,
              body: JSON.parse(body || "{}"),
            }),
          ),
        );
      });
    });
    ws.on("message", (data) => {
      const message = JSON.parse(data.toString()) as RelayMessage;
      this.received.push(message);
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.match(message)) return true;
        waiter.resolve(message);
        return false;
      });
    });
  }

  /** The first message (already received or coming) matching. */
  next<T extends RelayMessage["type"]>(
    type: T,
    match: (m: Extract<RelayMessage, { type: T }>) => boolean = () => true,
  ): Promise<Extract<RelayMessage, { type: T }>> {
    const test = (m: RelayMessage) => m.type === type && match(m as Extract<RelayMessage, { type: T }>);
    const seen = this.received.find(test);
    if (seen) return Promise.resolve(seen as Extract<RelayMessage, { type: T }>);
    return new Promise((resolve) => this.waiters.push({ match: test, resolve: resolve as (m: RelayMessage) => void }));
  }

  send(message: Record<string, unknown>): void {
    this.ws.send(JSON.stringify({ v: 1, ...message }));
  }

  sendText(text: string | Buffer): void {
    this.ws.send(text);
  }
}
