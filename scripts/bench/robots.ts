/**
 * `npm run bench:robots` — signed robot heartbeats per second and latency at 50 concurrent robots
 * against the built server (`npm run build` first), beside a floor measured in the same run: a bare
 * `node:http` server doing only the same Ed25519 signature verification on the same requests
 * (`robots-floor-server.ts`). Target: the server reaches at least half the floor's throughput.
 *
 * Both servers run as their own processes on this machine; the requests are signed before each
 * timed run (signing is the robots' cost, not the server's), then sent by 50 robots at once, each
 * robot one request after another over a kept-alive connection. Rounds alternate floor and server
 * and the best round of each is reported, to damp noise from other work on the machine.
 *
 * Env: BENCH_ROBOTS (50), BENCH_REQUESTS (per robot per round, 60), BENCH_ROUNDS (4),
 * BENCH_PORT (3340; the floor uses the next port), BENCH_SERVER_NODE_ARGS (e.g. `--cpu-prof` to profile the
 * server). Prints a table, then one JSON line per figure.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRobotIdentity, type RobotIdentity } from "@/tools/robot-client/identity";
import { RobotClient, type SignedRequest } from "@/tools/robot-client/robot-client";
import { createBootstrapToken } from "@/tools/simulator/bootstrap-token";

const ROBOTS = Number(process.env.BENCH_ROBOTS ?? 50);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 60);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const PORT = Number(process.env.BENCH_PORT ?? 3340);
const FLOOR_PORT = PORT + 1;
const TARGET = 0.5;

interface Started {
  child: ChildProcess;
  output: () => string;
}

async function waitFor(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`process exited with ${child.exitCode}:\n${output()}`);
    try {
      const response = await fetch(url);
      if (response.status < 500) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not come up:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function start(command: string, args: string[], env: Record<string, string>): Started {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  });
  return { child, output: () => output };
}

async function stop(started: Started): Promise<void> {
  if (started.child.exitCode !== null) return;
  const exited = new Promise((resolve) => started.child.once("exit", resolve));
  started.child.kill("SIGTERM");
  await exited;
}

/** Send one prepared request over the shared keep-alive agent; resolves with the status. */
function send(agent: Agent, prepared: SignedRequest): Promise<number> {
  return new Promise((resolve, reject) => {
    const url = new URL(prepared.url);
    const headers: Record<string, string | number> = { ...prepared.headers };
    if (prepared.body) headers["Content-Length"] = prepared.body.byteLength;
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: prepared.method,
        headers,
        agent,
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(prepared.body ? Buffer.from(prepared.body) : undefined);
  });
}

interface RoundResult {
  /** CPU time the server process spent per request (user + system), a figure other load barely moves. */
  cpuMsPerRequest: number;
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** User + system CPU milliseconds a process has used so far (Linux /proc; 0 elsewhere). */
function cpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return 0;
  }
}

async function round(baseUrl: string, robots: RobotIdentity[], pid: number | undefined): Promise<RoundResult> {
  const batches = robots.map((identity, index) => {
    const client = new RobotClient({ identity, baseUrl });
    return Array.from({ length: REQUESTS }, (_, n) =>
      client.prepare("POST", "/api/rcan/heartbeat", {
        json: { status: "online", firmware_version: "1.0.0", battery: ((index + n) % 100) / 100, metrics: { cpu: n } },
      }),
    );
  });
  const agent = new Agent({ keepAlive: true, maxSockets: robots.length });
  const latencies: number[] = [];
  let errors = 0;
  const cpuBefore = cpuMs(pid);
  const started = performance.now();
  await Promise.all(
    batches.map(async (batch) => {
      for (const prepared of batch) {
        const t0 = performance.now();
        const status = await send(agent, prepared);
        latencies.push(performance.now() - t0);
        if (status !== 200) errors++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuMs(pid) - cpuBefore;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    cpuMsPerRequest: cpu / latencies.length,
    perSecond: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors,
  };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "robots-bench-"));
  const serverUrl = `http://127.0.0.1:${PORT}`;
  const floorUrl = `http://127.0.0.1:${FLOOR_PORT}`;
  const robots = Array.from({ length: ROBOTS }, () => createRobotIdentity());
  const token = await createBootstrapToken({ dataDir, name: "bench-robots" });

  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const server = start(process.execPath, [...nodeArgs, "dist/server/index.js"], {
    NODE_ENV: "production",
    PORT: String(PORT),
    HOST: "127.0.0.1",
    PUBLIC_URL: serverUrl,
    CONTINUON_DATA_DIR: dataDir,
    NEXT_TELEMETRY_DISABLED: "1",
    METADATA_SERVER_DETECTION: "none",
  });
  const floor = start(process.execPath, ["--import", "tsx", "scripts/bench/robots-floor-server.ts"], {
    FLOOR_PORT: String(FLOOR_PORT),
    FLOOR_KEYS: JSON.stringify(Object.fromEntries(robots.map((robot) => [robot.deviceId, robot.publicKey]))),
  });
  try {
    await waitFor(`${serverUrl}/api/ready`, server.child, server.output);
    await waitFor(floorUrl, floor.child, floor.output);
    for (const identity of robots) {
      await new RobotClient({ identity, baseUrl: serverUrl }).requestJson("POST", "/api/rcan/register", {
        json: {
          provisioning_token: token,
          ruri: identity.ruri,
          public_key: identity.publicKey,
          firmware_version: "1.0.0",
        },
      });
    }
    // Warm both up with a full round each (JIT, route compilation, connections); it is not counted.
    await round(floorUrl, robots, floor.child.pid);
    await round(serverUrl, robots, server.child.pid);

    const floorRounds: RoundResult[] = [];
    const serverRounds: RoundResult[] = [];
    for (let index = 0; index < ROUNDS; index++) {
      floorRounds.push(await round(floorUrl, robots, floor.child.pid));
      serverRounds.push(await round(serverUrl, robots, server.child.pid));
    }
    const best = (rounds: RoundResult[]) => rounds.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
    const f = best(floorRounds);
    const s = best(serverRounds);
    if (s.errors > 0 || f.errors > 0) {
      throw new Error(`requests failed: server ${s.errors}, floor ${f.errors}\n${server.output().slice(-3000)}`);
    }
    const rows = [
      ["", "server", "floor", "ratio"],
      ["heartbeats/s", s.perSecond.toFixed(0), f.perSecond.toFixed(0), (s.perSecond / f.perSecond).toFixed(2)],
      ["p50 ms", s.p50.toFixed(2), f.p50.toFixed(2), (f.p50 / s.p50).toFixed(2)],
      ["p99 ms", s.p99.toFixed(2), f.p99.toFixed(2), (f.p99 / s.p99).toFixed(2)],
      [
        "cpu ms/req",
        s.cpuMsPerRequest.toFixed(3),
        f.cpuMsPerRequest.toFixed(3),
        (f.cpuMsPerRequest / s.cpuMsPerRequest).toFixed(2),
      ],
    ];
    console.log(
      `signed heartbeats, ${ROBOTS} concurrent robots × ${REQUESTS} requests, best of ${ROUNDS} rounds\n` +
        rows.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(14) : cell.padStart(9))).join(" ")).join("\n"),
    );
    const line = (
      metric: string,
      value: number,
      unit: string,
      floorValue: number,
      ratio: number,
      target: number | null,
    ) =>
      console.log(
        JSON.stringify({
          bench: "robots",
          metric,
          value: Number(value.toFixed(2)),
          unit,
          floor: Number(floorValue.toFixed(2)),
          ratio: Number(ratio.toFixed(3)),
          target,
        }),
      );
    line("signed_heartbeats_per_s", s.perSecond, "req/s", f.perSecond, s.perSecond / f.perSecond, TARGET);
    line("heartbeat_latency_p50", s.p50, "ms", f.p50, f.p50 / s.p50, null);
    line("heartbeat_latency_p99", s.p99, "ms", f.p99, f.p99 / s.p99, null);
    if (s.perSecond / f.perSecond < TARGET) process.exitCode = 1;
  } finally {
    await Promise.all([stop(server), stop(floor)]);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
