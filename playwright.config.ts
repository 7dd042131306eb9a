import { defineConfig, devices } from "@playwright/test";

const port = Number(process.env.E2E_PORT ?? 3210);
const baseURL = process.env.E2E_BASE_URL ?? `http://127.0.0.1:${port}`;
const dataDir = process.env.E2E_DATA_DIR ?? `/tmp/continuon-e2e-${port}`;

/** Chromium from Debian, with the flags this machine needs (no sandbox as root, no background network). */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export default defineConfig({
  testDir: "tests",
  testMatch: ["api/**/*.spec.ts", "browser/**/*.spec.ts"],
  outputDir: "test-results/playwright",
  globalSetup: "./tests/support/global-setup.ts",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  reporter: [["list"], ["html", { open: "never", outputFolder: "playwright-report" }]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "on",
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: CHROMIUM_ARGS },
  },
  projects: [
    { name: "api", testMatch: "api/**/*.spec.ts" },
    { name: "browser", testMatch: "browser/**/*.spec.ts", use: { ...devices["Desktop Chrome"], channel: undefined } },
  ],
  webServer: process.env.E2E_BASE_URL
    ? undefined
    : {
        // A fresh data folder per run: the first account is the admin.
        command: `rm -rf ${dataDir} && node dist/server/index.js`,
        url: `${baseURL}/api/ready`,
        reuseExistingServer: false,
        timeout: 120_000,
        env: {
          NODE_ENV: "production",
          PORT: String(port),
          HOST: "127.0.0.1",
          PUBLIC_URL: baseURL,
          CONTINUON_DATA_DIR: dataDir,
          CONTINUON_STRICT_INDEXES: "1",
          NEXT_TELEMETRY_DISABLED: "1",
          METADATA_SERVER_DETECTION: "none",
          LOG_LEVEL: "warn",
          METRICS_TOKEN: "e2e-metrics-token",
          // Every spec signs its own accounts up from this one address.
          SIGNUP_RATE_LIMIT_PER_HOUR: "1000",
          SIGNIN_RATE_LIMIT_PER_15MIN: "1000",
        },
      },
});
