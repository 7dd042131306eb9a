/**
 * `npm run bench:ota` — signed `GET /api/ota/check` requests per second with 200 concurrent
 * simulated robots against the built server (`npm run build` first), beside a floor measured in
 * the same run: a bare `node:http` server doing only the same Ed25519 request-signature check and
 * answering a fixed offer of the same size (`ota-floor-server.ts`).
 *
 * Setup: a provisioning token and a production model written into a fresh data folder, 200 robots
 * registered through the API, a bundle built, signed and promoted to production through the
 * domain verbs (this process shares the embedded store with the server). Measured: robots that
 * have been offered the bundle and not installed it yet (the path during a rollout: track,
 * bundles and the robot's deployment read, a download link signed); and robots already up to date.
 * Requests are signed before each timed run; each robot sends one after another over a kept-alive
 * connection; rounds alternate floor and server, best round of each reported.
 *
 * Delivery: BENCH_DOWNLOAD_ROBOTS (20) robots of another model download one bundle of over
 * BENCH_DOWNLOAD_MIB (1024) MiB — built from a model file of that many incompressible bytes — all
 * at once through their signed links, each reading the whole file as fast as it can; beside a floor
 * in the same run: a bare `node:http` server piping the same file from disk
 * (`ota-download-floor-server.ts`). Reported: aggregate throughput (target ≥ 0.5 × the floor) and
 * the server's peak resident memory while serving (sampled from /proc every 50 ms; for this line
 * `target` is the ceiling in MB, 300), and the CPU time each spends per GiB sent. Rounds
 * (BENCH_DOWNLOAD_ROUNDS, 2) alternate floor and server; the fastest of each is reported, and the
 * server's peak memory over all of them. BENCH_DOWNLOAD_MIB=0 skips delivery.
 *
 * Env: BENCH_ROBOTS (200), BENCH_REQUESTS (per robot per round, 15), BENCH_ROUNDS (2), BENCH_PORT
 * (3760), BENCH_FLOOR_PORT (the floors' ports: this one and the next; default BENCH_PORT + 1), BENCH_SERVER_NODE_ARGS (e.g. `--cpu-prof` to profile the server). Prints a table, then one JSON line per figure.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, request as httpRequest } from "node:http";
import { join } from "node:path";
import { type Readable } from "node:stream";
import { Models } from "@/lib/models/schemas";
import { approveRollout, BUILD_QUEUE, buildBundle, runBundleBuild, stageRollout } from "@/lib/ota";
import { OtaBundles } from "@/lib/ota/schemas";
import { runNextWork } from "@/lib/work-queue/work-queue";
import { createRuntime } from "@/server/runtime";
import { createRobotIdentity, type RobotIdentity } from "@/tools/robot-client/identity";
import { RobotClient, type SignedRequest } from "@/tools/robot-client/robot-client";
import { createBootstrapToken } from "@/tools/simulator/bootstrap-token";
import { incompressibleBytes } from "@/tools/testing/incompressible-bytes";

const ROBOTS = Number(process.env.BENCH_ROBOTS ?? 200);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 15);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const PORT = Number(process.env.BENCH_PORT ?? 3760);
const FLOOR_PORT = Number(process.env.BENCH_FLOOR_PORT ?? PORT + 1);
const ROBOT_MODEL = "bench-ota-v1";
/** The check reads three documents and signs a link on top of the signature check the floor does. */
const TARGET = 0.3;
const DOWNLOAD_ROBOTS = Number(process.env.BENCH_DOWNLOAD_ROBOTS ?? 20);
const DOWNLOAD_MIB = Number(process.env.BENCH_DOWNLOAD_MIB ?? 1024);
const DOWNLOAD_FLOOR_PORT = FLOOR_PORT + 1;
const DOWNLOAD_ROUNDS = Number(process.env.BENCH_DOWNLOAD_ROUNDS ?? 2);
const LARGE_MODEL = "bench-ota-large-v1";
/** Downloads stream from disk to the socket: half of a bare file server's throughput at least. */
const DOWNLOAD_TARGET = 0.5;
/** The server's resident memory while it serves the downloads, at most (MB). */
const DOWNLOAD_RSS_CEILING_MB = 300;

interface Started {
  child: ChildProcess;
  output: () => string;
}

function start(command: string, args: string[], env: Record<string, string>): Started {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
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

async function waitFor(url: string, started: Started): Promise<void> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (started.child.exitCode !== null) throw new Error(`process exited:\n${started.output()}`);
    try {
      if ((await fetch(url)).status < 500) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not come up:\n${started.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function send(agent: Agent, prepared: SignedRequest): Promise<number> {
  return new Promise((resolve, reject) => {
    const url = new URL(prepared.url);
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: prepared.method,
        headers: prepared.headers,
        agent,
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

function cpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

interface RoundResult {
  perSecond: number;
  p50: number;
  p99: number;
  cpuMsPerRequest: number;
  errors: number;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function round(
  baseUrl: string,
  robots: RobotIdentity[],
  pid: number | undefined,
  path: string,
): Promise<RoundResult> {
  const batches = robots.map((identity) => {
    const client = new RobotClient({ identity, baseUrl });
    return Array.from({ length: REQUESTS }, () => client.prepare("GET", path));
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
    perSecond: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    cpuMsPerRequest: cpu / latencies.length,
    errors,
  };
}

/** The check's release, and the large bundle for delivery; returns the large bundle's blob key (null when skipped). */
async function prepareRelease(dataDir: string): Promise<string | null> {
  const runtime = await createRuntime({
    ...(process.env as Record<string, string>),
    STORAGE_DRIVER: "sqlite",
    BLOB_DRIVER: "local",
    CONTINUON_DATA_DIR: dataDir,
    CONTINUON_WORKERS: "0",
    LOG_LEVEL: "silent",
    PUBLIC_URL: `http://127.0.0.1:${PORT}`,
  });
  try {
    const operator = runtime.contextFor({ kind: "user", uid: "bench", role: "admin", email: "bench@example.test" });
    const release = async (robotModel: string, modelId: string, weights: Readable | Buffer) => {
      const prefix = `models/production/${robotModel}/v1.0.0/`;
      await runtime.blobs.put(`${prefix}seed_model.npz`, weights);
      await runtime.blobs.put(`${prefix}config/model_config.json`, Buffer.from('{"obs_dim":128,"action_dim":32}'));
      const at = new Date().toISOString();
      await runtime.db.set(Models, modelId, {
        name: "seed",
        version: "1.0.0",
        robot_model: robotModel,
        stage: "production",
        storage_ref: prefix,
        training_job_id: null,
        dataset: null,
        metrics: {},
        created_at: at,
        created_by: null,
        promoted_at: at,
        promoted_by: null,
        parent_model_id: null,
        origin_stage: null,
        retired_at: null,
        files: [],
      });
      const bundle = await buildBundle(operator, { model_id: modelId, version: "1.0.0" });
      await runNextWork(runtime.contextFor({ kind: "system", name: BUILD_QUEUE }), BUILD_QUEUE, runBundleBuild);
      await stageRollout(operator, { bundle_id: bundle.id, policy: { auto_pause: false } });
      await approveRollout(operator, { bundle_id: bundle.id, to: "production" });
      return (await runtime.db.require(OtaBundles, bundle.id)).data.storage_ref;
    };
    await release(ROBOT_MODEL, "mdl_bench_ota", Buffer.alloc(256 * 1024, 7));
    if (DOWNLOAD_MIB <= 0) return null;
    return await release(LARGE_MODEL, "mdl_bench_ota_large", incompressibleBytes(DOWNLOAD_MIB * 1024 * 1024));
  } finally {
    await runtime.close();
  }
}

/** Resident memory of a process, in bytes (0 once it is gone). */
function rssOf(pid: number | undefined): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

interface DeliveryResult {
  bytesPerSecond: number;
  peakRss: number;
  /** CPU time the serving process spent per GiB sent (steadier than throughput on a shared machine). */
  cpuMsPerGiB: number;
  errors: number;
}

/** Every URL fetched at once, each body read to the end and counted; the server's peak RSS sampled meanwhile. */
async function deliveryRound(urls: string[], expectedSize: number, pid: number | undefined): Promise<DeliveryResult> {
  let peakRss = rssOf(pid);
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, rssOf(pid));
  }, 50);
  let errors = 0;
  let total = 0;
  const cpuBefore = cpuMs(pid);
  const started = performance.now();
  await Promise.all(
    urls.map(
      (url) =>
        new Promise<void>((resolve) => {
          const req = httpRequest(url, { agent: false }, (res) => {
            let bytes = 0;
            res.on("data", (chunk: Buffer) => {
              bytes += chunk.length;
            });
            res.on("end", () => {
              total += bytes;
              if (res.statusCode !== 200 || bytes !== expectedSize) errors++;
              resolve();
            });
            res.on("error", () => {
              errors++;
              resolve();
            });
          });
          req.on("error", () => {
            errors++;
            resolve();
          });
          req.end();
        }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuMs(pid) - cpuBefore;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, rssOf(pid));
  return { bytesPerSecond: total / seconds, peakRss, cpuMsPerGiB: cpu / (total / 2 ** 30), errors };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync("/tmp/ota-bench-");
  const serverUrl = `http://127.0.0.1:${PORT}`;
  const floorUrl = `http://127.0.0.1:${FLOOR_PORT}`;
  const robots = Array.from({ length: ROBOTS }, () => createRobotIdentity({ model: ROBOT_MODEL }));
  const token = await createBootstrapToken({ dataDir, model: ROBOT_MODEL, name: "bench-ota" });
  const largeBundleKey = await prepareRelease(dataDir);
  const downloaders = Array.from({ length: largeBundleKey ? DOWNLOAD_ROBOTS : 0 }, () =>
    createRobotIdentity({ model: LARGE_MODEL }),
  );
  const largeToken = largeBundleKey
    ? await createBootstrapToken({ dataDir, model: LARGE_MODEL, name: "bench-ota-large" })
    : null;
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
  let floor: Started | null = null;
  let downloadFloor: Started | null = null;
  let delivery: { server: DeliveryResult; floor: DeliveryResult; size: number } | null = null;
  try {
    await waitFor(`${serverUrl}/api/ready`, server);
    if (largeBundleKey && largeToken) {
      // Delivery first, on a freshly started server: its peak memory is what serving costs.
      const links: string[] = [];
      let size = 0;
      for (const identity of downloaders) {
        const client = new RobotClient({ identity, baseUrl: serverUrl });
        await client.requestJson("POST", "/api/rcan/register", {
          json: { provisioning_token: largeToken, ruri: identity.ruri, public_key: identity.publicKey },
        });
        const { update } = await client.requestJson<{ update: { download_url: string; size_bytes: number } | null }>(
          "GET",
          "/api/ota/check",
        );
        if (!update) throw new Error("no offer of the large bundle");
        links.push(update.download_url);
        size = update.size_bytes;
      }
      downloadFloor = start(process.execPath, ["--import", "tsx", "scripts/bench/ota-download-floor-server.ts"], {
        FLOOR_PORT: String(DOWNLOAD_FLOOR_PORT),
        FLOOR_FILE: join(dataDir, "blobs", "data", largeBundleKey),
      });
      const downloadFloorUrl = `http://127.0.0.1:${DOWNLOAD_FLOOR_PORT}`;
      await waitFor(`${downloadFloorUrl}/ready`, downloadFloor);
      // Rounds alternate floor and server; the best of each is kept (the machine's load varies).
      const floorRounds: DeliveryResult[] = [];
      const serverRounds: DeliveryResult[] = [];
      for (let index = 0; index < DOWNLOAD_ROUNDS; index++) {
        floorRounds.push(
          await deliveryRound(
            links.map(() => `${downloadFloorUrl}/bundle`),
            size,
            downloadFloor.child.pid,
          ),
        );
        serverRounds.push(await deliveryRound(links, size, server.child.pid));
      }
      await stop(downloadFloor);
      const errors = (rounds: DeliveryResult[]) => rounds.reduce((sum, r) => sum + r.errors, 0);
      if (errors(floorRounds) + errors(serverRounds) > 0) {
        throw new Error(
          `downloads failed: floor ${errors(floorRounds)}, server ${errors(serverRounds)}\n${server.output().slice(-3000)}`,
        );
      }
      const fastest = (rounds: DeliveryResult[]) =>
        rounds.reduce((a, b) => (b.bytesPerSecond > a.bytesPerSecond ? b : a));
      const floorRound = fastest(floorRounds);
      // Throughput from the fastest round; memory is the peak over every round.
      const serverRound = {
        ...fastest(serverRounds),
        peakRss: Math.max(...serverRounds.map((r) => r.peakRss)),
      };
      delivery = { server: serverRound, floor: floorRound, size };
      const mbOf = (bytes: number) => bytes / 1e6;
      // Shown as soon as measured (the check figures follow).
      console.log(
        `GET /api/ota/download, ${DOWNLOAD_ROBOTS} concurrent robots × ${(size / 2 ** 20).toFixed(0)} MiB bundle\n` +
          `${"".padEnd(20)} ${"MB/s".padStart(11)} ${"peak RSS MB".padStart(11)} ${"cpu ms/GiB".padStart(11)} ${"vs floor".padStart(11)}\n` +
          `${"download".padEnd(20)} ${mbOf(serverRound.bytesPerSecond).toFixed(0).padStart(11)} ${mbOf(serverRound.peakRss).toFixed(0).padStart(11)} ${serverRound.cpuMsPerGiB.toFixed(0).padStart(11)} ${(serverRound.bytesPerSecond / floorRound.bytesPerSecond).toFixed(2).padStart(11)}\n` +
          `${"floor".padEnd(20)} ${mbOf(floorRound.bytesPerSecond).toFixed(0).padStart(11)} ${mbOf(floorRound.peakRss).toFixed(0).padStart(11)} ${floorRound.cpuMsPerGiB.toFixed(0).padStart(11)} ${"1.00".padStart(11)}`,
      );
    }
    for (const identity of robots) {
      await new RobotClient({ identity, baseUrl: serverUrl }).requestJson("POST", "/api/rcan/register", {
        json: { provisioning_token: token, ruri: identity.ruri, public_key: identity.publicKey },
      });
    }
    // Every robot gets its offer once (the first offer writes the deployment); the timed checks read.
    const first = await new RobotClient({ identity: robots[0]!, baseUrl: serverUrl }).requestJson<{ update: unknown }>(
      "GET",
      "/api/ota/check",
    );
    if (!first.update) throw new Error(`no offer from the server: ${JSON.stringify(first)}`);
    await Promise.all(
      robots.map((identity) => new RobotClient({ identity, baseUrl: serverUrl }).requestJson("GET", "/api/ota/check")),
    );
    floor = start(process.execPath, ["--import", "tsx", "scripts/bench/ota-floor-server.ts"], {
      FLOOR_PORT: String(FLOOR_PORT),
      FLOOR_KEYS: JSON.stringify(Object.fromEntries(robots.map((robot) => [robot.deviceId, robot.publicKey]))),
      FLOOR_ANSWER: JSON.stringify(first),
    });
    await waitFor(floorUrl, floor);
    const warm = robots.slice(0, 20);
    await round(floorUrl, warm, floor.child.pid, "/api/ota/check");
    await round(serverUrl, warm, server.child.pid, "/api/ota/check");

    const results = { floor: [] as RoundResult[], offer: [] as RoundResult[], upToDate: [] as RoundResult[] };
    for (let index = 0; index < ROUNDS; index++) {
      results.floor.push(await round(floorUrl, robots, floor.child.pid, "/api/ota/check"));
      results.offer.push(await round(serverUrl, robots, server.child.pid, "/api/ota/check"));
      results.upToDate.push(await round(serverUrl, robots, server.child.pid, "/api/ota/check?current_version=1.0.0"));
    }
    const best = (rounds: RoundResult[]) => rounds.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
    const f = best(results.floor);
    const o = best(results.offer);
    const u = best(results.upToDate);
    if (f.errors + o.errors + u.errors > 0) {
      throw new Error(
        `requests failed: floor ${f.errors}, offer ${o.errors}, up to date ${u.errors}\n${server.output().slice(-3000)}`,
      );
    }
    const rows = [
      ["", "req/s", "p50 ms", "p99 ms", "cpu ms/req", "vs floor"],
      [
        "check (offer)",
        o.perSecond.toFixed(0),
        o.p50.toFixed(2),
        o.p99.toFixed(2),
        o.cpuMsPerRequest.toFixed(3),
        (o.perSecond / f.perSecond).toFixed(2),
      ],
      [
        "check (up to date)",
        u.perSecond.toFixed(0),
        u.p50.toFixed(2),
        u.p99.toFixed(2),
        u.cpuMsPerRequest.toFixed(3),
        (u.perSecond / f.perSecond).toFixed(2),
      ],
      ["floor", f.perSecond.toFixed(0), f.p50.toFixed(2), f.p99.toFixed(2), f.cpuMsPerRequest.toFixed(3), "1.00"],
    ];
    console.log(
      `signed GET /api/ota/check, ${ROBOTS} concurrent robots × ${REQUESTS} requests, best of ${ROUNDS} rounds\n` +
        rows.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(20) : cell.padStart(11))).join(" ")).join("\n"),
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
          bench: "ota",
          metric,
          value: Number(value.toFixed(2)),
          unit,
          floor: Number(floorValue.toFixed(2)),
          ratio: Number(ratio.toFixed(3)),
          target,
        }),
      );
    line("ota_check_per_s", o.perSecond, "req/s", f.perSecond, o.perSecond / f.perSecond, TARGET);
    line("ota_check_up_to_date_per_s", u.perSecond, "req/s", f.perSecond, u.perSecond / f.perSecond, TARGET);
    line("ota_check_latency_p50", o.p50, "ms", f.p50, f.p50 / o.p50, null);
    line("ota_check_latency_p99", o.p99, "ms", f.p99, f.p99 / o.p99, null);
    if (o.perSecond / f.perSecond < TARGET) process.exitCode = 1;
    if (delivery) {
      const mb = (bytes: number) => bytes / 1e6;
      const { server: d, floor: df } = delivery;
      const ratio = d.bytesPerSecond / df.bytesPerSecond;
      line("ota_download_throughput", mb(d.bytesPerSecond), "MB/s", mb(df.bytesPerSecond), ratio, DOWNLOAD_TARGET);
      // `target` here is the ceiling for `value`; `ratio` is the floor's peak over the server's.
      line(
        "ota_download_peak_rss",
        mb(d.peakRss),
        "MB",
        mb(df.peakRss),
        df.peakRss / d.peakRss,
        DOWNLOAD_RSS_CEILING_MB,
      );
      line("ota_download_cpu_per_gib", d.cpuMsPerGiB, "ms", df.cpuMsPerGiB, df.cpuMsPerGiB / d.cpuMsPerGiB, null);
      if (ratio < DOWNLOAD_TARGET || mb(d.peakRss) >= DOWNLOAD_RSS_CEILING_MB) process.exitCode = 1;
    }
  } finally {
    await Promise.all([
      stop(server),
      floor ? stop(floor) : Promise.resolve(),
      downloadFloor ? stop(downloadFloor) : Promise.resolve(),
    ]);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
