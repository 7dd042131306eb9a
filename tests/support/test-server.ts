import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cloudDeploymentFor, isCloudMode } from "../../tools/cloud-emulators/deployment";

export interface TestServer {
  url: string;
  port: number;
  dataDir: string;
  env: Record<string, string>;
  /** Everything the server printed (JSON log lines). */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** SIGKILL: no shutdown code runs (crash tests). */
  kill(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Start the built server (`dist/server/index.js`, after `npm run build`) as a child process on a
 * free port with its own data folder, and wait until /api/ready answers. Tests that restart or
 * kill the server, or need their own settings, use this; everything else shares the server
 * Playwright starts. In cloud mode (the environment of `scripts/test-cloud-mode.mjs`) the server
 * gets the Firestore database and GCS bucket of its data folder (`cloudDeploymentFor`): a new
 * folder is an empty deployment, the same folder after a restart is the same one.
 */
export async function startTestServer(
  options: { env?: Record<string, string>; dataDir?: string; port?: number } = {},
): Promise<TestServer> {
  const port = options.port ?? (await freePort());
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "continuon-e2e-"));
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    NODE_ENV: "production",
    PORT: String(port),
    HOST: "127.0.0.1",
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    CONTINUON_DATA_DIR: dataDir,
    CONTINUON_STRICT_INDEXES: "1",
    NEXT_TELEMETRY_DISABLED: "1",
    METADATA_SERVER_DETECTION: "none",
    LOG_LEVEL: "warn",
    ...(isCloudMode(process.env) ? cloudDeploymentFor(dataDir) : {}),
    ...options.env,
  };
  const child: ChildProcess = spawn(process.execPath, ["dist/server/index.js"], {
    env: env as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`test server exited with ${child.exitCode}:\n${output}`);
    try {
      const response = await fetch(`${url}/api/ready`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`test server did not become ready:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    port,
    dataDir,
    env,
    output: () => output,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
    kill: async () => {
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}
