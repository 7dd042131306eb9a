import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export interface FirebaseAuthEmulator {
  /** `host:port`, for FIREBASE_AUTH_EMULATOR_HOST. */
  host: string;
  projectId: string;
  /** Everything the emulator printed. */
  output(): string;
  stop(): Promise<void>;
}

const FIREBASE_BIN = fileURLToPath(new URL("../../node_modules/.bin/firebase", import.meta.url));

/**
 * The Firebase Auth emulator from firebase-tools (a devDependency) with a `demo-*` project, so
 * nothing reaches real Firebase. It needs three ports: its own, the emulator hub's and the
 * logging one; it runs in a folder of its own holding the firebase.json that names them.
 */
export async function startFirebaseAuthEmulator(options: {
  projectId: string;
  ports: { auth: number; hub: number; logging: number };
  dir?: string;
}): Promise<FirebaseAuthEmulator> {
  const { projectId, ports } = options;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "firebase-auth-"));
  writeFileSync(
    join(dir, "firebase.json"),
    JSON.stringify({
      emulators: {
        auth: { host: "127.0.0.1", port: ports.auth },
        hub: { host: "127.0.0.1", port: ports.hub },
        logging: { port: ports.logging },
        ui: { enabled: false },
      },
    }),
  );
  const child: ChildProcess = spawn(FIREBASE_BIN, ["emulators:start", "--only", "auth", "--project", projectId], {
    cwd: dir,
    env: { ...process.env, FIREBASE_CLI_EXPERIMENTS: "", CI: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const host = `127.0.0.1:${ports.auth}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`auth emulator exited:\n${output}`);
    try {
      const response = await fetch(`http://${host}/`);
      if (response.ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`auth emulator did not start:\n${output}`);
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  return {
    host,
    projectId,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((done) => child.once("exit", done));
      child.kill("SIGINT");
      await Promise.race([exited, new Promise((done) => setTimeout(done, 10_000))]);
      if (child.exitCode === null) {
        child.kill("SIGKILL");
        await exited;
      }
    },
  };
}
