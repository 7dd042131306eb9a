// The API and browser suites in cloud mode: the production build (`npm run build` first) with
// STORAGE_DRIVER=firestore and BLOB_DRIVER=gcs against the Firestore emulator, the GCS test server
// and the Firebase Auth emulator (tools/cloud-emulators), running the same spec files as the
// embedded default. Extra arguments go to `playwright test` (e.g. a spec file).
//
//   node scripts/test-cloud-mode.mjs [playwright args]
//   bash scripts/netns-run.sh node scripts/test-cloud-mode.mjs   (as root: the WebRTC specs run too)
//
// Two Playwright runs share the emulators, each with a shared server on a fresh deployment:
// - project `api` with AUTH_DRIVER=firebase: the helpers in tests/support/users.ts sign users up
//   in the Auth emulator and trade their ID tokens for sessions (the first one is the admin);
// - project `browser` with AUTH_DRIVER=local: the browser specs sign in through the email and
//   password form (the Firebase sign-in page opens Google's popup, which they do not drive).
// Every server a spec starts itself gets its own Firestore database and GCS bucket, named after its
// data folder (tools/cloud-emulators/deployment.ts).
import { spawn } from "node:child_process";
import { register } from "tsx/esm/api";

register();
const { startCloudEmulators, cloudDeploymentFor } = await import("../tools/cloud-emulators/index.ts");

const port = process.env.E2E_PORT ?? "4150";
const extraArgs = process.argv.slice(2);
const RUNS = [
  { project: "api", authDriver: "firebase" },
  { project: "browser", authDriver: "local" },
];

let child = null;
let stopping = false;
const started = Date.now();
console.log("Starting the cloud emulators (Firestore, GCS, Firebase Auth)…");
const emulators = await startCloudEmulators();
console.log(
  `Firestore ${emulators.env.FIRESTORE_EMULATOR_HOST} · GCS ${emulators.gcs.url} · Auth ${emulators.auth?.host} ` +
    `(${((Date.now() - started) / 1000).toFixed(1)} s)`,
);

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  child?.kill("SIGTERM");
  await emulators.stop();
  process.exit(code);
}
process.once("SIGINT", () => void shutdown(130));
process.once("SIGTERM", () => void shutdown(143));

// Spec paths among the arguments pick the runs: `tests/api/x.spec.ts` needs no browser run.
const paths = extraArgs.filter((arg) => arg.startsWith("tests/"));
const wanted = (project) => paths.length === 0 || paths.some((path) => path.startsWith(`tests/${project}`));

let status = 0;
for (const run of RUNS.filter((candidate) => wanted(candidate.project))) {
  const dataDir = `/tmp/cloud-e2e-${run.project}-${port}`;
  const env = {
    ...process.env,
    ...emulators.env,
    AUTH_DRIVER: run.authDriver,
    ...cloudDeploymentFor(dataDir),
    E2E_PORT: port,
    E2E_DATA_DIR: dataDir,
    NEXT_TELEMETRY_DISABLED: "1",
  };
  const args = [
    "playwright",
    "test",
    `--project=${run.project}`,
    `--output=test-results/playwright-cloud-${run.project}`,
    "--pass-with-no-tests",
    ...extraArgs,
  ];
  console.log(`\n━━ cloud mode, ${run.project} (AUTH_DRIVER=${run.authDriver}): npx ${args.join(" ")}`);
  const runStarted = Date.now();
  // Asynchronous on purpose: the Firestore emulator and the GCS server answer from this process.
  child = spawn("npx", args, { env, stdio: "inherit" });
  const code = await new Promise((resolve) => child.once("exit", (exitCode) => resolve(exitCode ?? 1)));
  child = null;
  console.log(`━━ ${run.project}: exit ${code} in ${((Date.now() - runStarted) / 1000).toFixed(1)} s`);
  if (code !== 0) status = code;
}
await shutdown(status);
