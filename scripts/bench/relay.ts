/**
 * `npm run bench:relay` — the signaling relay under load, against the built server (`npm run build`
 * first), beside a floor measured in the same run: a bare `ws` server (`relay-floor-server.ts`)
 * that echoes offers and acknowledges data with no authentication, schema, limits or second hop.
 *
 * - Signaling round trip: BENCH_SESSIONS (500) clients, each in its own session with one of
 *   BENCH_ROBOTS (50) robots, all connected at once; each client sends an `offer` (a 1.5 kB SDP) and
 *   waits for the robot's `answer`, BENCH_ROUND_TRIPS (20) times in a row, all clients concurrently.
 *   Through the relay that is client → relay → robot → relay → client, validated both ways; the
 *   floor is client → echo → client on the same number of connections.
 * - Relayed data throughput: BENCH_DATA_SESSIONS (20) sessions push `data` messages of 16 KiB (192
 *   each: within a session's burst allowance, so the per-session rate limit does not shape the
 *   figure) with 32 in flight; the robot acknowledges every 16th. The floor acknowledges the same way.
 *
 * Sessions are set up through the domain verbs on the server's own data folder (verify is
 * rate-limited per user, so each robot gets its own owner). The server and the floor run as their
 * own processes, and so do the robots (`relay-robots.ts`): this process runs only the clients, the
 * same work for both. Rounds alternate floor and relay; the best round
 * of each is reported. Env: BENCH_PORT (3950; the floor uses the next port), BENCH_ROUNDS (2),
 * BENCH_SERVER_NODE_ARGS (e.g. `--cpu-prof` to profile the server).
 * Prints a table, then one JSON line per figure.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";
import { BEARER_SUBPROTOCOL_PREFIX, SUBPROTOCOL } from "@/lib/remote/protocol";
import { verifyRemoteAccess, type VerifyResult } from "@/lib/remote/verify-remote-access";
import { claimRobot } from "@/lib/robots/claim-robot";
import { signUpLocal } from "@/lib/users/sign-up-local";
import { createRuntime } from "@/server/runtime";
import { createRobotIdentity } from "@/tools/robot-client/identity";
import { RobotClient } from "@/tools/robot-client/robot-client";
import { createBootstrapToken } from "@/tools/simulator/bootstrap-token";

const ROBOTS = Number(process.env.BENCH_ROBOTS ?? 50);
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 500);
const ROUND_TRIPS = Number(process.env.BENCH_ROUND_TRIPS ?? 20);
const DATA_SESSIONS = Math.min(Number(process.env.BENCH_DATA_SESSIONS ?? 20), ROBOTS);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const PORT = Number(process.env.BENCH_PORT ?? 3950);
const FLOOR_PORT = PORT + 1;
const SDP = `v=0\r\n${"a=candidate:1 1 udp 2122260223 10.0.0.1 50000 typ host\r\n".repeat(27)}`.slice(0, 1500);
const DATA_MESSAGES = 192;
const DATA_PAYLOAD = "x".repeat(16 * 1024 - 64);
const WINDOW = 32;

interface Started {
  child: ChildProcess;
  output: () => string;
}

function start(command: string, args: string[], env: Record<string, string>): Started {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return { child, output: () => output };
}

async function stop(started: Started): Promise<void> {
  if (started.child.exitCode !== null) return;
  const exited = new Promise((resolve) => started.child.once("exit", resolve));
  started.child.kill("SIGTERM");
  await exited;
}

async function waitFor(check: () => Promise<boolean>, started: Started, what: string): Promise<void> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (started.child.exitCode !== null)
      throw new Error(`${what} exited with ${started.child.exitCode}:\n${started.output()}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} did not come up:\n${started.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** User + system CPU milliseconds a process has used so far (Linux /proc; 0 elsewhere). */
function cpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** A WebSocket that hands each message to whoever waits next (one request in flight per socket). */
class Link {
  private waiting: ((text: string) => void) | null = null;
  onOther: (text: string) => void = () => undefined;

  constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const text = data.toString();
      const resolve = this.waiting;
      if (resolve && !text.includes('"type":"data"') && !text.includes('"type":"status"')) {
        this.waiting = null;
        resolve(text);
      } else {
        this.onOther(text);
      }
    });
  }

  request(text: string): Promise<string> {
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.ws.send(text);
    });
  }
}

function opened(ws: WebSocket): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
    ws.once("unexpected-response", (_request, response) =>
      reject(new Error(`upgrade refused: ${response.statusCode}`)),
    );
  });
}

/** Every link does `count` offer → answer round trips in a row; all links at once. Latencies in ms. */
async function signalingRound(
  links: Link[],
  count: number,
  pid?: number,
): Promise<{ latencies: number[]; seconds: number; errors: number; cpuMsPerRoundTrip: number }> {
  const cpuBefore = cpuMs(pid);
  const offer = JSON.stringify({ v: 1, type: "offer", sdp: SDP });
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    links.map(async (link) => {
      for (let i = 0; i < count; i++) {
        const t0 = performance.now();
        const reply = await link.request(offer);
        latencies.push(performance.now() - t0);
        if (reply.includes('"type":"error"')) errors++;
      }
    }),
  );
  return {
    latencies: latencies.sort((a, b) => a - b),
    seconds: (performance.now() - started) / 1000,
    errors,
    cpuMsPerRoundTrip: (cpuMs(pid) - cpuBefore) / latencies.length,
  };
}

/** Each link pushes DATA_MESSAGES of 16 KiB with WINDOW in flight (acks every 16th). MiB/s delivered. */
async function dataRound(links: Link[]): Promise<number> {
  const message = JSON.stringify({ v: 1, type: "data", payload: DATA_PAYLOAD });
  const started = performance.now();
  await Promise.all(
    links.map(
      (link) =>
        new Promise<void>((resolve) => {
          let sent = 0;
          let acked = 0;
          const pump = () => {
            while (sent < DATA_MESSAGES && sent - acked * 16 < WINDOW) {
              link.ws.send(message);
              sent++;
            }
            if (acked * 16 >= DATA_MESSAGES) resolve();
          };
          link.onOther = (text) => {
            if (text.includes('"ack"')) {
              acked++;
              pump();
            }
          };
          pump();
        }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  return (links.length * DATA_MESSAGES * Buffer.byteLength(message)) / 1024 / 1024 / seconds;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "remote-bench-"));
  const serverUrl = `http://127.0.0.1:${PORT}`;
  const token = await createBootstrapToken({ dataDir, name: "bench-relay" });
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const server = start(process.execPath, [...nodeArgs, "dist/server/index.js"], {
    NODE_ENV: "production",
    PORT: String(PORT),
    HOST: "127.0.0.1",
    PUBLIC_URL: serverUrl,
    CONTINUON_DATA_DIR: dataDir,
    NEXT_TELEMETRY_DISABLED: "1",
    METADATA_SERVER_DETECTION: "none",
    LOG_LEVEL: "warn",
  });
  const floor = start(process.execPath, ["--import", "tsx", "scripts/bench/relay-floor-server.ts"], {
    FLOOR_PORT: String(FLOOR_PORT),
  });
  const sockets: WebSocket[] = [];
  let robotsProcess: Started | null = null;
  const runtime = await createRuntime({
    ...process.env,
    STORAGE_DRIVER: "sqlite",
    BLOB_DRIVER: "local",
    CONTINUON_DATA_DIR: dataDir,
    PUBLIC_URL: serverUrl,
    CONTINUON_WORKERS: "0",
    LOG_LEVEL: "silent",
  });
  try {
    await waitFor(async () => (await fetch(`${serverUrl}/api/ready`)).ok, server, "server");
    await waitFor(async () => floor.output().includes("floor listening"), floor, "floor");

    // Robots register over the API; each gets an owner who claims it and opens its sessions.
    const robots = Array.from(
      { length: ROBOTS },
      () => new RobotClient({ identity: createRobotIdentity(), baseUrl: serverUrl }),
    );
    const sessions: Array<{ robot: number; session: VerifyResult }> = [];
    for (const [index, robot] of robots.entries()) {
      await robot.requestJson("POST", "/api/rcan/register", {
        json: { provisioning_token: token, ruri: robot.ruri, public_key: robot.identity.publicKey },
      });
      const anonymous = runtime.contextFor({ kind: "anonymous" });
      const signedUp = await signUpLocal(anonymous, {
        email: `bench-${index}-${robot.deviceId}@example.test`,
        password: "bench password 123",
        display_name: `Bench ${index}`,
      });
      if (!signedUp.created) throw new Error(`bench account ${signedUp.email} already existed`);
      const { uid, user } = signedUp;
      const ctx = runtime.contextFor({ kind: "user", uid, role: user.role, email: user.email });
      await claimRobot(ctx, { local_claim_proof: robot.issueClaimProof(uid) });
      const perRobot = Math.ceil(SESSIONS / ROBOTS);
      for (let i = 0; i < perRobot && sessions.length < SESSIONS; i++) {
        const session = await verifyRemoteAccess(ctx, {
          robot_ruri: robot.ruri,
          user_uid: uid,
          local_claim_proof: robot.issueClaimProof(uid),
        });
        sessions.push({ robot: index, session });
      }
    }

    robotsProcess = start(process.execPath, ["--import", "tsx", "scripts/bench/relay-robots.ts"], {
      BENCH_SERVER_URL: serverUrl,
      BENCH_ROBOT_KEYS: JSON.stringify(
        robots.map((robot) => ({
          ruri: robot.ruri,
          pem: robot.identity.privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
        })),
      ),
    });
    const robotSide = robotsProcess;
    await waitFor(async () => robotSide.output().includes("robots ready"), robotSide, "robot process");
    const relayLinks: Link[] = [];
    const dataLinks: Link[] = [];
    const seenRobots = new Set<number>();
    for (const { robot, session } of sessions) {
      const ws = new WebSocket(
        session.robot_endpoint,
        [SUBPROTOCOL, `${BEARER_SUBPROTOCOL_PREFIX}${session.session_token}`],
        {
          perMessageDeflate: false,
        },
      );
      const online = new Promise<void>((resolve) =>
        ws.on("message", (data) => data.toString().includes('"robot_online"') && resolve()),
      );
      await opened(ws);
      await online;
      sockets.push(ws);
      const link = new Link(ws);
      relayLinks.push(link);
      if (!seenRobots.has(robot) && dataLinks.length < DATA_SESSIONS) {
        seenRobots.add(robot);
        dataLinks.push(link);
      }
    }
    const floorLinks: Link[] = [];
    for (let i = 0; i < relayLinks.length; i++) {
      const ws = await opened(new WebSocket(`ws://127.0.0.1:${FLOOR_PORT}`, { perMessageDeflate: false }));
      sockets.push(ws);
      floorLinks.push(new Link(ws));
    }
    const floorDataLinks = floorLinks.slice(0, dataLinks.length);

    // Warm up (JIT, buffers) both sides.
    await signalingRound(floorLinks, 3);
    await signalingRound(relayLinks, 3);

    const relayRounds: Array<Awaited<ReturnType<typeof signalingRound>>> = [];
    const floorRounds: Array<Awaited<ReturnType<typeof signalingRound>>> = [];
    const relayData: number[] = [];
    const floorData: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      floorRounds.push(await signalingRound(floorLinks, ROUND_TRIPS, floor.child.pid));
      relayRounds.push(await signalingRound(relayLinks, ROUND_TRIPS, server.child.pid));
      floorData.push(await dataRound(floorDataLinks));
      relayData.push(await dataRound(dataLinks));
    }
    const best = (rounds: typeof relayRounds) =>
      rounds.reduce((a, b) => (percentile(b.latencies, 50) < percentile(a.latencies, 50) ? b : a));
    const r = best(relayRounds);
    const f = best(floorRounds);
    const errors = [...relayRounds, ...floorRounds].reduce((sum, round) => sum + round.errors, 0);
    if (errors > 0) throw new Error(`${errors} round trips came back as errors:\n${server.output().slice(-3000)}`);
    const rP50 = percentile(r.latencies, 50);
    const rP99 = percentile(r.latencies, 99);
    const fP50 = percentile(f.latencies, 50);
    const fP99 = percentile(f.latencies, 99);
    const rRate = r.latencies.length / r.seconds;
    const fRate = f.latencies.length / f.seconds;
    const rData = Math.max(...relayData);
    const fData = Math.max(...floorData);

    const rows = [
      ["", "relay", "ws echo", "ratio"],
      ["rtt p50 ms", rP50.toFixed(2), fP50.toFixed(2), (fP50 / rP50).toFixed(2)],
      ["rtt p99 ms", rP99.toFixed(2), fP99.toFixed(2), (fP99 / rP99).toFixed(2)],
      ["round trips/s", rRate.toFixed(0), fRate.toFixed(0), (rRate / fRate).toFixed(2)],
      [
        "cpu ms/rtrip",
        r.cpuMsPerRoundTrip.toFixed(3),
        f.cpuMsPerRoundTrip.toFixed(3),
        (f.cpuMsPerRoundTrip / r.cpuMsPerRoundTrip).toFixed(2),
      ],
      ["data MiB/s", rData.toFixed(1), fData.toFixed(1), (rData / fData).toFixed(2)],
    ];
    console.log(
      `signaling: ${relayLinks.length} concurrent sessions on ${ROBOTS} robots × ${ROUND_TRIPS} offer→answer round trips; ` +
        `data: ${dataLinks.length} sessions × ${DATA_MESSAGES} × 16 KiB; best of ${ROUNDS} rounds\n` +
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
          bench: "relay",
          metric,
          value: Number(value.toFixed(2)),
          unit,
          floor: Number(floorValue.toFixed(2)),
          ratio: Number(ratio.toFixed(3)),
          target,
        }),
      );
    line("signaling_rtt_p50", rP50, "ms", fP50, fP50 / rP50, null);
    line("signaling_rtt_p99", rP99, "ms", fP99, fP99 / rP99, null);
    line("signaling_round_trips_per_s", rRate, "1/s", fRate, rRate / fRate, null);
    line(
      "signaling_cpu_per_round_trip",
      r.cpuMsPerRoundTrip * 1000,
      "us",
      f.cpuMsPerRoundTrip * 1000,
      f.cpuMsPerRoundTrip / r.cpuMsPerRoundTrip,
      null,
    );
    line("relayed_data_throughput", rData, "MiB/s", fData, rData / fData, null);
  } finally {
    for (const ws of sockets) ws.terminate();
    await runtime.close();
    await Promise.all([stop(server), stop(floor), ...(robotsProcess ? [stop(robotsProcess)] : [])]);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
