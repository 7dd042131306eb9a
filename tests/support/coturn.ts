/**
 * A real TURN server (coturn, Debian's `turnserver`) for a test run, configured the way a
 * deployment would be for continuon.cloud: `use-auth-secret` with the same secret as `TURN_SECRET`,
 * so it accepts exactly the short-lived TURN REST API credentials the server hands out.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Coturn {
  ip: string;
  port: number;
  secret: string;
  /** For TURN_URLS: `stun:` and `turn:` (UDP) on this server. */
  urls: string[];
  /** Everything coturn logged (it names every refused credential). */
  log(): string;
  stop(): Promise<void>;
}

/** One STUN Binding request (RFC 5389 header only); resolves when any STUN answer comes back. */
function stunPing(ip: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket(ip.includes(":") ? "udp6" : "udp4");
    const request = Buffer.concat([Buffer.from([0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42]), randomBytes(12)]);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.close();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on("message", (message) => done(message.readUInt16BE(0) === 0x0101));
    socket.on("error", () => done(false));
    socket.send(request, port, ip);
  });
}

export async function startCoturn(
  options: { ip?: string; port?: number; secret?: string; realm?: string } = {},
): Promise<Coturn> {
  const ip = options.ip ?? "127.0.0.1";
  const port = options.port ?? 3478 + Math.floor(Math.random() * 1000);
  const secret = options.secret ?? randomBytes(24).toString("base64url");
  const dir = mkdtempSync(join(tmpdir(), "remote-coturn-"));
  const args = [
    "-n",
    `--listening-ip=${ip}`,
    `--listening-port=${port}`,
    `--relay-ip=${ip}`,
    "--min-port=49160",
    "--max-port=49400",
    "--use-auth-secret",
    `--static-auth-secret=${secret}`,
    `--realm=${options.realm ?? "continuon.test"}`,
    "--no-tls",
    "--no-dtls",
    "--no-cli",
    "--no-tcp-relay",
    // Tests relay between peers on this machine's own addresses.
    "--allow-loopback-peers",
    "--log-file=stdout",
    "--simple-log",
    `--pidfile=${join(dir, "turnserver.pid")}`,
    `--db=${join(dir, "turndb")}`,
  ];
  const child: ChildProcess = spawn("turnserver", args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`turnserver exited with ${child.exitCode}:\n${output}`);
    if (await stunPing(ip, port, 300)) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`turnserver did not answer STUN on ${ip}:${port}:\n${output}`);
    }
  }
  return {
    ip,
    port,
    secret,
    urls: [`stun:${ip}:${port}`, `turn:${ip}:${port}?transport=udp`],
    log: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
