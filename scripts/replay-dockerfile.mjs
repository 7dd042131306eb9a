// Replays the Dockerfile's build steps without Docker (no engine runs where the tests run): each
// stage gets a clean temp folder standing in for its filesystem, COPY copies from the build
// context (the repository's files minus .dockerignore) or from an earlier stage, RUN runs in the
// stage's WORKDIR with its ENV, and the final stage's CMD is started and must answer /api/ready.
// System-package steps (apt-get) are not replayed: the host provides python3, make and g++.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const repo = process.cwd();
const keep = process.argv.includes("--keep");
const root = mkdtempSync(join(tmpdir(), "dockerfile-replay-"));
chmodSync(root, 0o755);

function instructions(text) {
  const joined = text.replace(/\\\r?\n/g, " ");
  return joined
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => {
      const [word, ...rest] = line.split(/\s+/);
      return { op: word.toUpperCase(), args: rest.join(" ") };
    });
}

function globToRegExp(pattern) {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*\*\/?/g, "\u0000")
    .replace(/\*/g, "[^/]*")
    .replace(/\u0000/g, ".*");
  return new RegExp(`^${escaped}(/.*)?$`);
}

function contextFiles() {
  const ignore = existsSync(".dockerignore")
    ? readFileSync(".dockerignore", "utf8")
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line && !line.startsWith("#"))
        .map(globToRegExp)
    : [];
  const listed = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], {
    encoding: "utf8",
  })
    .split("\0")
    .filter(Boolean);
  return listed.filter((file) => existsSync(file) && !ignore.some((pattern) => pattern.test(file)));
}

const stages = new Map();
let stage;
const files = contextFiles();
console.log(`build context: ${files.length} files; replaying in ${root}`);

for (const { op, args } of instructions(readFileSync("Dockerfile", "utf8"))) {
  switch (op) {
    case "FROM": {
      const name = args.split(/\s+AS\s+/i)[1] ?? `stage${stages.size}`;
      stage = {
        name,
        dir: join(root, name),
        workdir: "/",
        // HOME and PATH come from the host: its npm settings (cache, headers for native builds) apply.
        env: { PATH: process.env.PATH, HOME: process.env.HOME },
        user: null,
        cmd: null,
      };
      stages.set(name, stage);
      console.log(`\n── stage ${name} (${args.split(/\s+/)[0]})`);
      break;
    }
    case "WORKDIR":
      stage.workdir = args;
      mkdirSync(join(stage.dir, args), { recursive: true });
      break;
    case "ENV":
      for (const pair of args.match(/\S+=("[^"]*"|\S+)/g) ?? []) {
        const [key, ...value] = pair.split("=");
        stage.env[key] = value.join("=").replace(/^"|"$/g, "");
      }
      break;
    case "COPY": {
      const parts = args.split(/\s+/);
      const from = parts[0].startsWith("--from=") ? parts.shift().slice("--from=".length) : null;
      const dest = parts.pop();
      const target = dest.startsWith("/") ? join(stage.dir, dest) : join(stage.dir, stage.workdir, dest);
      for (const source of parts) {
        if (from) {
          const origin = join(stages.get(from).dir, source);
          const into = dest.endsWith("/") || parts.length > 1 ? join(target, source.split("/").pop()) : target;
          mkdirSync(dirname(into), { recursive: true });
          cpSync(origin, into, { recursive: true });
        } else if (source === ".") {
          for (const file of files) {
            mkdirSync(dirname(join(target, file)), { recursive: true });
            cpSync(file, join(target, file));
          }
        } else {
          mkdirSync(target, { recursive: true });
          cpSync(source, join(target, source.split("/").pop()), { recursive: true });
        }
      }
      console.log(`COPY ${from ? `--from=${from} ` : ""}${parts.join(" ")} → ${dest}`);
      break;
    }
    case "RUN": {
      if (/^apt-get\b/.test(args)) {
        console.log(`RUN ${args.slice(0, 60)}… (not replayed: system packages come from the host)`);
        break;
      }
      console.log(`RUN ${args}`);
      const started = Date.now();
      const result = spawnSync("bash", ["-c", args], {
        cwd: join(stage.dir, stage.workdir),
        env: stage.env,
        stdio: "inherit",
      });
      if (result.status !== 0) throw new Error(`RUN failed in stage ${stage.name}: ${args}`);
      console.log(`   done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      break;
    }
    case "USER":
      stage.user = args;
      break;
    case "CMD":
      stage.cmd = JSON.parse(args);
      break;
    case "EXPOSE":
      break;
    default:
      throw new Error(`Dockerfile instruction ${op} is not replayed; teach scripts/replay-dockerfile.mjs`);
  }
}

const port = await new Promise((done) => {
  const server = createServer().listen(0, "127.0.0.1", () => {
    const { port } = server.address();
    server.close(() => done(port));
  });
});
const cwd = join(stage.dir, stage.workdir);
const env = {
  ...stage.env,
  PORT: String(port),
  HOST: "127.0.0.1",
  CONTINUON_DATA_DIR: join(root, "data"),
  LOG_LEVEL: "warn",
};
mkdirSync(env.CONTINUON_DATA_DIR, { recursive: true });
// USER: run as an unprivileged user when this replay runs as root (as the image does).
let command = stage.cmd;
if (stage.user && process.getuid?.() === 0 && existsSync("/usr/bin/setpriv")) {
  chmodSync(env.CONTINUON_DATA_DIR, 0o777);
  spawnSync("chmod", ["-R", "a+rX", stage.dir]);
  command = ["/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", ...stage.cmd];
  console.log(`\nUSER ${stage.user}: starting as nobody`);
}
console.log(`\nCMD ${stage.cmd.join(" ")} (port ${port})`);
const child = spawn(command[0], command.slice(1), { cwd, env, stdio: ["ignore", "inherit", "inherit"] });
let ready = false;
const deadline = Date.now() + 60_000;
while (!ready && Date.now() < deadline && child.exitCode === null) {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/api/ready`);
    ready = response.status === 200;
    if (ready) console.log(`/api/ready → ${response.status} ${await response.text()}`);
  } catch {
    await new Promise((done) => setTimeout(done, 250));
  }
}
child.kill("SIGTERM");
await new Promise((done) => child.once("exit", done));
const size = spawnSync("du", ["-sh", join(stages.get("run")?.dir ?? stage.dir)], { encoding: "utf8" }).stdout.split(
  "\t",
)[0];
if (!keep) rmSync(root, { recursive: true, force: true });
if (!ready) {
  console.error("The replayed image did not answer /api/ready.");
  process.exit(1);
}
console.log(
  `\nThe replayed image answers /api/ready (final stage ${size}, ${statSync(repo).isDirectory() ? "from a clean folder" : ""}).`,
);
