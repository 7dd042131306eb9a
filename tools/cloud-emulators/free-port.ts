import { createServer } from "node:net";

function canListen(port: number, host: string): Promise<number | null> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(null));
    probe.listen(port, host, () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === "object" && address ? address.port : null));
    });
  });
}

/** A port nobody listens on right now (the OS picks it; the caller binds it soon after). */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  const port = await canListen(0, host);
  if (port === null) throw new Error("no free port");
  return port;
}

/**
 * Hands out free ports from a range, never the same one twice (a probed port is only reserved
 * once the caller binds it, so the picker remembers what it gave).
 */
export class PortPicker {
  private readonly given = new Set<number>();

  constructor(
    private readonly from: number,
    private readonly to: number,
    private readonly exclude: readonly number[] = [],
  ) {}

  async next(host = "127.0.0.1"): Promise<number> {
    for (let port = this.from; port <= this.to; port++) {
      if (this.given.has(port) || this.exclude.includes(port)) continue;
      if ((await canListen(port, host)) !== null) {
        this.given.add(port);
        return port;
      }
    }
    throw new Error(`no free port in ${this.from}–${this.to}`);
  }
}
