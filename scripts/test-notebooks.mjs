// The notebooks' tests, run by `npm test` (scripts/test-all.mjs):
//   node scripts/test-notebooks.mjs --python     Python unit tests of notebooks/ (Debian's pytest)
//   node scripts/test-notebooks.mjs              end to end against the built server (after `npm run build`):
//     episodes → an operator creates a seed job → downloads its notebook from the console (job id
//     and API URL filled in) → that file, executed headless with
//     `jupyter nbconvert --to notebook --execute` (token passed by env, nothing else), claims it, trains, reports
//     metrics, uploads a checkpoint and completes → checks the job, metrics, model and lineage →
//     promote + slow-loop policy → the downloaded notebook 02 trains from the production model → notebook 04
//     exports a bundle → notebook 03 analyses the episodes with a read-only token → the console
//     shows the loss curve and the lineage (a Playwright spec).
// Port: E2E_PORT (default 3571); data under /tmp/training-notebooks-<port>.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const PYTHON = process.env.PYTHON ?? "/usr/bin/python3";
const JUPYTER = process.env.JUPYTER ?? "/usr/bin/jupyter";

if (process.argv.includes("--python")) {
  const result = spawnSync(PYTHON, ["-m", "pytest", "notebooks/tests", "-q", "-p", "no:cacheprovider"], {
    stdio: "inherit",
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" },
  });
  process.exit(result.status ?? 1);
}

const ADMIN = { email: "admin@example.test", password: "admin password 123", display_name: "Admin" };
const port = Number(process.env.E2E_PORT ?? 3571);
const base = `http://127.0.0.1:${port}`;
const root = `/tmp/training-notebooks-${port}`;
const dataDir = join(root, "data");
const outDir = join(root, "out");

function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
  console.log(`  ✓ ${message}`);
}

/** A cookie jar good enough for next-auth's credentials flow. */
const cookies = new Map();
function remember(response) {
  for (const header of response.headers.getSetCookie?.() ?? []) {
    const [pair] = header.split(";");
    const index = pair.indexOf("=");
    cookies.set(pair.slice(0, index), pair.slice(index + 1));
  }
}
const cookieHeader = () => [...cookies].map(([k, v]) => `${k}=${v}`).join("; ");

async function api(method, path, { body, token, form } = {}) {
  // A session cookie's writes carry our Origin, as the console's own pages do (/docs/security).
  const headers = token ? { authorization: `Bearer ${token}` } : { cookie: cookieHeader(), origin: base };
  let payload;
  if (form) {
    headers["content-type"] = "application/x-www-form-urlencoded";
    payload = new URLSearchParams(form).toString();
  } else if (body !== undefined) {
    headers["content-type"] = "application/json";
    payload = JSON.stringify(body);
  }
  const response = await fetch(base + path, { method, headers, body: payload, redirect: "manual" });
  remember(response);
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  return { status: response.status, data };
}

async function ok(method, path, options) {
  const answer = await api(method, path, options);
  if (answer.status >= 300) throw new Error(`${method} ${path} → ${answer.status} ${JSON.stringify(answer.data)}`);
  return answer.data;
}

// Children run asynchronously: a blocked event loop would leave fetch's pooled keep-alive sockets
// to go stale while the server closes them.
function run(command, args, env = {}) {
  console.log(`\n$ ${command} ${args.join(" ")}`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: "inherit", env: { ...process.env, ...env } });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}`))));
  });
}

/**
 * Episodes for the run: `count` more training-eligible companion-v1 episodes, recorded by simulated
 * robots that register with a provisioning token and upload through the robot API (the product
 * path); this waits until ingest made them eligible.
 */
async function eligibleCount() {
  return (
    await ok("POST", "/api/console/training/preview", { body: { robot_model: "companion-v1", eligible_only: true } })
  ).selected;
}

async function seedEpisodes(count) {
  const before = await eligibleCount();
  const { token: provisioning } = await ok("POST", "/api/console/provisioning-tokens", {
    body: { model: "companion-v1", label: "notebooks e2e" },
  });
  const fleet = spawn(
    "npx",
    [
      "tsx",
      "tools/simulator/cli.ts",
      "fleet",
      "--count",
      "3",
      "--token",
      provisioning,
      "--url",
      base,
      "--model",
      "companion-v1",
      "--behaviors",
      "heartbeat,episodes",
      "--dir",
      join(root, `fleet-${Date.now()}`),
    ],
    // An episode every 5 s per robot instead of the demo's 90 s.
    // Its own process group, so stopping it stops tsx's child too (npx does not pass signals on).
    {
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, CONTINUON_SIM_EPISODES_EVERY: "5" },
      detached: true,
    },
  );
  try {
    for (let waited = 0; (await eligibleCount()) < before + count; waited += 1) {
      if (fleet.exitCode !== null) throw new Error(`the simulator fleet exited with ${fleet.exitCode}`);
      if (waited > 240) throw new Error(`the simulator did not upload ${count} eligible episodes within 4 minutes`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  } finally {
    const exited = new Promise((resolve) => fleet.once("exit", resolve));
    if (fleet.exitCode === null) process.kill(-fleet.pid, "SIGTERM");
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    if (fleet.exitCode === null) process.kill(-fleet.pid, "SIGKILL");
  }
  return { source: "simulator", count };
}

async function main() {
  if (!existsSync("dist/server/index.js"))
    throw new Error("dist/server/index.js is missing: run `npm run build` first");
  rmSync(root, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const server = spawn(process.execPath, ["dist/server/index.js"], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      PUBLIC_URL: base,
      CONTINUON_DATA_DIR: dataDir,
      CONTINUON_STRICT_INDEXES: "1",
      NEXT_TELEMETRY_DISABLED: "1",
      METADATA_SERVER_DETECTION: "none",
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const stop = () => server.exitCode === null && server.kill("SIGTERM");
  process.on("exit", stop);
  try {
    for (let i = 0; ; i++) {
      if (server.exitCode !== null) throw new Error(`server exited with ${server.exitCode}`);
      try {
        if ((await fetch(`${base}/api/ready`)).ok) break;
      } catch {
        // not listening yet
      }
      if (i > 600) throw new Error("server did not become ready");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    console.log(`server ready at ${base}`);

    // An admin (the first account; also an operator) signs in; creates a training token.
    const signup = await api("POST", "/api/auth/signup", { body: ADMIN });
    // Sign-up answers 202 whether or not the email had an account; the sign-in below tells.
    if (signup.status !== 202) throw new Error(`sign-up failed: ${signup.status}`);
    const { csrfToken } = await ok("GET", "/api/auth/csrf");
    await api("POST", "/api/auth/callback/credentials", {
      form: { csrfToken, email: ADMIN.email, password: ADMIN.password, json: "true", callbackUrl: "/console" },
    });
    check((await ok("GET", "/api/auth/session")).uid, "the admin is signed in");
    const created = await ok("POST", "/api/console/training-tokens", { body: { name: "ci notebooks" } });
    const token = created.token;
    check(token.startsWith("ctt_"), "a training token was created (shown once)");

    const episodes = await seedEpisodes(6);
    console.log(`  episodes from ${episodes.source}: ${episodes.count}`);

    // The operator previews the filter, then creates the seed job with exactly that set.
    const filter = { robot_model: "companion-v1", eligible_only: true };
    const preview = await ok("POST", "/api/console/training/preview", { body: filter });
    check(preview.selected >= episodes.count, `the preview counts ${preview.selected} episodes`);
    const job = await ok("POST", "/api/console/training/jobs", {
      body: {
        type: "seed",
        preview_id: preview.preview_id,
        expected_sha256: preview.episode_set_sha256,
        hyperparams: { num_steps: 400, batch_size: 64, learning_rate: 0.01, hidden: 32 },
      },
    });
    check(
      job.status === "queued" && job.colab_notebook_url.endsWith(`01_seed_model_training.ipynb#job_id=${job.job_id}`),
      "the seed job is queued with its notebook link",
    );

    const notebookEnv = (extra) => ({
      CONTINUON_API_URL: base,
      CONTINUON_TRAINING_TOKEN: token,
      CONTINUON_CACHE_DIR: join(root, "cache"),
      PYDEVD_DISABLE_FILE_VALIDATION: "1",
      ...extra,
    });
    const nbconvert = (path, env) =>
      run(
        JUPYTER,
        [
          "nbconvert",
          "--to",
          "notebook",
          "--execute",
          "--ExecutePreprocessor.timeout=600",
          "--output-dir",
          outDir,
          path,
        ],
        env,
      );
    const execute = async (notebook, extra) => nbconvert(`notebooks/${notebook}`, notebookEnv(extra));

    /**
     * "Download notebook" on the job page, as a user does: the file the console hands out, saved
     * under the name it gives, run with only the token and the worker's name in the environment —
     * the job id and API URL must come from the file's parameters cell. The client is found on
     * PYTHONPATH, as for someone running a downloaded notebook next to a checkout.
     */
    const runDownloaded = async (jobId, expectedFile, workerName) => {
      const response = await fetch(`${base}/api/console/training/jobs/${encodeURIComponent(jobId)}/notebook`, {
        headers: { cookie: cookieHeader() },
      });
      const text = await response.text();
      if (response.status !== 200) throw new Error(`notebook download → ${response.status} ${text}`);
      const disposition = response.headers.get("content-disposition") ?? "";
      const name = /filename="([^"]+)"/.exec(disposition)?.[1];
      check(
        response.headers.get("content-type") === "application/x-ipynb+json" &&
          name === `${expectedFile.replace(/\.ipynb$/, "")}-${jobId}.ipynb`,
        `the console offers ${name} for download`,
      );
      const parameters = JSON.parse(text)
        .cells.find((cell) => cell.metadata?.tags?.includes("parameters"))
        .source.join("");
      check(
        parameters.includes(`JOB_ID = ${JSON.stringify(jobId)}  # @param {type:"string"}\n`) &&
          parameters.includes(`CONTINUON_API_URL = ${JSON.stringify(base)}  # @param {type:"string"}\n`),
        "the downloaded parameters cell holds the job id and API URL, form annotations kept",
      );
      const downloads = join(root, "downloads");
      mkdirSync(downloads, { recursive: true });
      const path = join(downloads, name);
      writeFileSync(path, text);
      await nbconvert(path, {
        CONTINUON_TRAINING_TOKEN: token,
        CONTINUON_WORKER_NAME: workerName,
        CONTINUON_CACHE_DIR: join(root, "cache"),
        CONTINUON_API_URL: "",
        CONTINUON_JOB_ID: "",
        PYTHONPATH: resolve("notebooks"),
        PYDEVD_DISABLE_FILE_VALIDATION: "1",
      });
    };

    await runDownloaded(job.job_id, "01_seed_model_training.ipynb", "ci-notebook-01");
    const done = await ok("GET", `/api/console/training/jobs/${job.job_id}`);
    check(done.status === "completed", "the downloaded notebook 01 completed the job");
    check(done.lease === null && done.attempts === 1, "the lease is released after one attempt");
    const modelId = done.output.model_id;
    check(
      done.output.model_ref === `models/checkpoints/${job.job_id}/`,
      "the model_ref is the job's checkpoint folder",
    );
    const metrics = await ok("GET", `/api/console/training/jobs/${job.job_id}/metrics`);
    const points = metrics.points;
    check(points.length >= 100, `${points.length} metric points were reported`);
    check(
      points.every((p) => "loss" in p && "grad_norm" in p && "elapsed_s" in p),
      "points carry step, loss, grad_norm, elapsed_s",
    );
    check(
      points.at(-1).loss < points[0].loss / 2,
      `the loss fell from ${points[0].loss.toFixed(4)} to ${points.at(-1).loss.toFixed(4)}`,
    );
    const lineage = await ok("GET", `/api/console/models/${modelId}`);
    check(lineage.model.stage === "seed" && lineage.model.version === "1.0.0", "the model is seed v1.0.0");
    check(
      lineage.model.dataset.episode_set_sha256 === preview.episode_set_sha256,
      "the model records the dataset hash",
    );
    const files = lineage.model.files.map((f) => f.path).sort();
    check(
      ["config/model_config.json", "model_manifest.json", "seed_model.npz"].every((f) => files.includes(f)),
      `checkpoint files: ${files.join(", ")}`,
    );
    check(
      lineage.job.job_id === job.job_id && lineage.episodes_total === preview.selected,
      "lineage: the model's job and episodes",
    );
    check(
      lineage.episodes.every((e) => e.status === "trained"),
      "every episode of the job is trained",
    );
    const up = await ok("GET", `/api/console/models/by-episode/${job.config.episode_ids[0]}`);
    check(up.models.map((m) => m.model_id).includes(modelId), "lineage upwards: the episode lists the model");
    const logs = await ok("GET", `/api/console/training/jobs/${job.job_id}/logs`);
    check(
      logs.lines.some((l) => l.source === "worker" && l.message.startsWith("Loaded")),
      "the notebook's log lines are on the job",
    );

    // Production + slow loop: the policy queues a job from the production model; notebook 02 trains it.
    await ok("POST", `/api/console/models/${modelId}/promote`, { body: { note: "ci" } });
    await ok("PUT", "/api/console/training/slow-loop/companion-v1", {
      body: {
        enabled: true,
        min_new_episodes: 3,
        min_interval_s: 0,
        max_episodes: 100,
        hyperparams: { num_steps: 150, batch_size: 64, learning_rate: 0.005, hidden: 32 },
      },
    });
    const waiting = await ok("POST", "/api/console/training/slow-loop/companion-v1/evaluate");
    check(
      waiting.outcome === "waiting" && waiting.reason === "not_enough_new_episodes",
      "the slow loop waits for new episodes",
    );
    await seedEpisodes(4);
    // Ingest wakes the slow-loop worker, which may have queued the job already; asking again then
    // answers "job_already_queued" and the policy names the job.
    const evaluated = await ok("POST", "/api/console/training/slow-loop/companion-v1/evaluate");
    const policies = await ok("GET", "/api/console/training/slow-loop");
    const policy = policies.policies.find((entry) => entry.robot_model === "companion-v1");
    const decision = {
      outcome:
        evaluated.outcome === "queued" || evaluated.reason === "job_already_queued" ? "queued" : evaluated.outcome,
      job_id: evaluated.job_id ?? policy?.last_job_id,
    };
    check(decision.outcome === "queued" && Boolean(decision.job_id), "with 4 new episodes the slow loop queued a job");
    await runDownloaded(decision.job_id, "02_slow_loop_training.ipynb", "ci-notebook-02");
    const loop = await ok("GET", `/api/console/training/jobs/${decision.job_id}`);
    check(
      loop.status === "completed" && loop.config.model_base === modelId,
      "notebook 02 trained from the production model",
    );
    const child = await ok("GET", `/api/console/models/${loop.output.model_id}`);
    check(
      child.parent?.model_id === modelId && child.model.version === "1.0.1",
      "the slow-loop model is v1.0.1 with the seed model as parent",
    );

    await execute("04_model_export.ipynb", { CONTINUON_MODEL_ID: modelId, CONTINUON_OUTPUT_DIR: outDir });
    const bundle = join(outDir, "companion-v1-1.0.0.bundle");
    check(existsSync(bundle), "notebook 04 built companion-v1-1.0.0.bundle");
    const executed = JSON.parse(readFileSync(join(outDir, "04_model_export.ipynb"), "utf8"));
    const printed = executed.cells
      .flatMap((c) => c.outputs ?? [])
      .flatMap((o) => o.text ?? [])
      .join("");
    check(
      printed.includes("loads and predicts") && printed.includes(`trained by job ${job.job_id}`),
      "notebook 04 loaded the model and showed its lineage",
    );

    // Analysis needs only a read-only token.
    const reader = await ok("POST", "/api/console/training-tokens", {
      body: { name: "ci analysis", scopes: ["training:read"] },
    });
    await execute("03_episode_analysis.ipynb", {
      CONTINUON_TRAINING_TOKEN: reader.token,
      CONTINUON_JOB_ID: job.job_id,
    });
    const analysis = JSON.parse(readFileSync(join(outDir, "03_episode_analysis.ipynb"), "utf8"));
    const summary = analysis.cells
      .flatMap((c) => c.outputs ?? [])
      .flatMap((o) => o.text ?? [])
      .join("");
    check(
      summary.includes(`${preview.selected} episodes`) && summary.includes("action mean"),
      "notebook 03 summarised the job's episodes with a read-only token",
    );

    // The console shows the loss curve and the lineage (a real browser on the same server).
    await run("npx", ["playwright", "test", "tests/browser/training-notebook.spec.ts", "--project", "browser"], {
      E2E_BASE_URL: base,
      TRAINING_E2E_JOB_ID: job.job_id,
      TRAINING_E2E_MODEL_ID: modelId,
    });
    console.log("\nnotebooks end to end: all checks passed");
  } finally {
    stop();
  }
}

main().catch((error) => {
  console.error(`\n${error.stack ?? error}`);
  process.exit(1);
});
