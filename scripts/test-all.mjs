// `npm test`: the whole suite, in the order CI runs it. Each step prints its time; the first
// failure stops the run with its name. Set TEST_STEPS=lint,unit to run some steps only.
import { spawnSync } from "node:child_process";

const env = {
  ...process.env,
  NEXT_TELEMETRY_DISABLED: "1",
  METADATA_SERVER_DETECTION: "none",
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: "1",
};

/** name → command. Later steps rely on earlier ones (e2e needs the build). */
const STEPS = [
  ["deps", "bash scripts/ensure-test-deps.sh"],
  ["lint", "npx eslint . --max-warnings=0"],
  ["format", "npx prettier --check ."],
  ["types", "npx tsc --noEmit"],
  ["unit", "npx vitest run"],
  ["python", "node scripts/test-notebooks.mjs --python"],
  ["build", "npm run build"],
  ["notebooks", "node scripts/test-notebooks.mjs"],
  ["e2e", "npx playwright test"],
  // WebRTC in Chromium needs a network namespace (no ICE candidates on loopback alone): as root.
  ["webrtc", "bash scripts/netns-run.sh npx playwright test tests/browser/remote-webrtc.spec.ts"],
  // The same API and browser specs in cloud mode: Firestore, GCS and Firebase Auth emulated offline;
  // inside a network namespace too, so the WebRTC specs run with the rest.
  ["cloud", "bash scripts/netns-run.sh node scripts/test-cloud-mode.mjs"],
  // The Dockerfile's build steps replayed in a clean folder; the result must answer /api/ready.
  ["container", "node scripts/replay-dockerfile.mjs"],
];

const only = process.env.TEST_STEPS ? new Set(process.env.TEST_STEPS.split(",")) : null;
const results = [];
for (const [name, command] of STEPS) {
  if (only && !only.has(name)) continue;
  console.log(`\n━━ ${name}: ${command}`);
  const started = Date.now();
  const result = spawnSync(command, { shell: true, stdio: "inherit", env });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  results.push(`${result.status === 0 ? "ok  " : "FAIL"} ${name.padEnd(8)} ${seconds.padStart(6)} s`);
  if (result.status !== 0) {
    console.log(`\n${results.join("\n")}\n\nStep "${name}" failed.`);
    process.exit(result.status ?? 1);
  }
}
console.log(`\n${results.join("\n")}\n\nAll steps passed.`);
