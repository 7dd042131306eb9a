import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort } from "./test-server";

export interface AuthEmulator {
  host: string;
  projectId: string;
  /** Create an email/password account in the emulator and return its ID token and uid. */
  signUp(email: string, password: string): Promise<{ idToken: string; uid: string }>;
  stop(): Promise<void>;
}

/**
 * The Firebase Auth emulator from firebase-tools (a devDependency), on free ports, with a
 * `demo-*` project so nothing reaches real Firebase.
 */
export async function startAuthEmulator(projectId = "demo-continuon"): Promise<AuthEmulator> {
  const [port, hubPort, loggingPort] = [await freePort(), await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), "firebase-auth-"));
  writeFileSync(
    join(dir, "firebase.json"),
    JSON.stringify({
      emulators: {
        auth: { host: "127.0.0.1", port },
        hub: { host: "127.0.0.1", port: hubPort },
        logging: { port: loggingPort },
        ui: { enabled: false },
      },
    }),
  );
  const bin = resolve("node_modules/.bin/firebase");
  const child: ChildProcess = spawn(bin, ["emulators:start", "--only", "auth", "--project", projectId], {
    cwd: dir,
    env: { ...process.env, FIREBASE_CLI_EXPERIMENTS: "", CI: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const host = `127.0.0.1:${port}`;
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
    async signUp(email, password) {
      const response = await fetch(`http://${host}/identitytoolkit.googleapis.com/v1/accounts:signUp?key=demo-key`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email, password, returnSecureToken: true }),
      });
      const body = (await response.json()) as { idToken?: string; localId?: string };
      if (!body.idToken || !body.localId) throw new Error(`emulator sign-up failed: ${JSON.stringify(body)}`);
      return { idToken: body.idToken, uid: body.localId };
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((done) => child.once("exit", done));
      child.kill("SIGINT");
      await Promise.race([exited, new Promise((done) => setTimeout(done, 10_000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    },
  };
}
