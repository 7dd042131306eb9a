/**
 * `npm run demo`: the product on the embedded default plus a small simulated fleet against it, so a
 * newcomer sees a live console at once. Builds first when there is no build or the sources are newer
 * than it. Ctrl-C stops the fleet, then the server.
 *
 * Provisioning: the fleet needs a provisioning token, and nobody is signed in yet. The demo opens
 * the server's embedded store (same data folder) and creates a token through the domain verb as the
 * system (`createBootstrapToken`; the audit log names `system:demo`), limited to the fleet's size
 * and one day. Robots keep their identity folders between runs and re-register idempotently.
 *
 * Env: PORT (3000), PUBLIC_URL (http://localhost:$PORT), CONTINUON_DATA_DIR (.data), DEMO_ROBOTS (4),
 * HEARTBEAT_INTERVAL_S (server default 60; the demo uses 15 so the console moves), DEMO_OTA_FAIL_RATE
 * (share of robots whose OTA installs fail, 0–1; default 0), DEMO_OTA_EVERY (seconds between update checks, 20).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { resolveBehaviors } from "./behaviors";
import { createBootstrapToken } from "./bootstrap-token";
import { startFleet } from "./fleet";

const PORT = Number(process.env.PORT ?? 3000);
const PUBLIC_URL = (process.env.PUBLIC_URL ?? `http://localhost:${PORT}`).replace(/\/$/, "");
const DATA_DIR = process.env.CONTINUON_DATA_DIR ?? ".data";
const ROBOTS = Number(process.env.DEMO_ROBOTS ?? 4);
const HEARTBEAT_INTERVAL_S = process.env.HEARTBEAT_INTERVAL_S ?? "15";
const SOURCES = [
  "app",
  "components",
  "lib",
  "server",
  "public",
  "next.config.js",
  "package-lock.json",
  "tsconfig.json",
];

/** Newest modification time under `path` (skipping tests and data), in ms. */
function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let latest = stats.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === "node_modules" || entry.startsWith(".") || entry.endsWith(".test.ts")) continue;
    latest = Math.max(latest, newest(join(path, entry)));
  }
  return latest;
}

function buildIfNeeded(): void {
  const built = Math.min(newest(".next/BUILD_ID"), newest("dist/server/index.js"));
  const sources = Math.max(...SOURCES.map(newest));
  if (built > 0 && built >= sources) return;
  console.log(
    built === 0 ? "No build yet: building (about a minute)…" : "Sources changed since the last build: rebuilding…",
  );
  const result = spawnSync("npm", ["run", "build"], {
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (result.status !== 0) throw new Error("the build failed; see above");
}

async function waitReady(child: ChildProcess, url: string): Promise<void> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`the server exited (${child.exitCode}); see ${DATA_DIR}/demo-server.log`);
    try {
      if ((await fetch(`${url}/api/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the server did not become ready; see ${DATA_DIR}/demo-server.log`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function main(): Promise<void> {
  buildIfNeeded();
  mkdirSync(DATA_DIR, { recursive: true });
  const token = await createBootstrapToken({
    dataDir: DATA_DIR,
    name: "demo",
    label: "Demo fleet",
    maxUses: ROBOTS,
  });

  const log = createWriteStream(join(DATA_DIR, "demo-server.log"), { flags: "a" });
  const server = spawn(process.execPath, ["dist/server/index.js"], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(PORT),
      PUBLIC_URL,
      CONTINUON_DATA_DIR: DATA_DIR,
      HEARTBEAT_INTERVAL_S,
      NEXT_TELEMETRY_DISABLED: "1",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  server.stdout?.pipe(log);
  server.stderr?.pipe(log);
  const stopServer = () =>
    new Promise<void>((resolve) => {
      if (server.exitCode !== null) return resolve();
      server.once("exit", () => resolve());
      server.kill("SIGTERM");
    });

  let fleet: Awaited<ReturnType<typeof startFleet>> | null = null;
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log("\nStopping the fleet and the server…");
    await fleet?.stop();
    await stopServer();
    log.end();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());

  try {
    await waitReady(server, `http://127.0.0.1:${PORT}`);
    const fleetDir = join(DATA_DIR, "simulator", "demo-fleet");
    fleet = await startFleet({
      baseUrl: PUBLIC_URL,
      dir: fleetDir,
      count: ROBOTS,
      provisioningToken: token,
      behaviors: resolveBehaviors(undefined),
      behaviorOptions: { otaFailRate: process.env.DEMO_OTA_FAIL_RATE, otaEvery: process.env.DEMO_OTA_EVERY ?? "20" },
    });
    console.log(`
continuon.cloud is running at ${PUBLIC_URL}
  with ${fleet.robots.length} simulated robots heartbeating every ${HEARTBEAT_INTERVAL_S} s (logs: ${DATA_DIR}/demo-server.log).

  1. Open ${PUBLIC_URL}/signup and create the first account: it becomes the admin.
  2. The overview and Robots pages show the fleet live; Admin → Provisioning tokens shows the demo's token.
  3. Claim a robot: open ${PUBLIC_URL}/console/claim, copy your user id, then run
       npm run sim -- claim --dir ${join(fleetDir, "robot-1")} --user <your user id>
     and paste the proof it prints.

Ctrl-C stops the fleet and the server.`);
  } catch (error) {
    await fleet?.stop();
    await stopServer();
    throw error;
  }
}

main().catch((error: unknown) => {
  console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
