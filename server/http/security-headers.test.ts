import { describe, expect, it } from "vitest";
import { loadConfig } from "@/lib/env";
import { bodyLimitFor } from "./body-limits";
import { pageCsp, pagePolicySources } from "./security-headers";

const cloud = {
  PUBLIC_URL: "https://continuon.cloud",
  RELAY_PUBLIC_URL: "https://api.continuon.cloud",
  STORAGE_DRIVER: "firestore",
  BLOB_DRIVER: "gcs",
  AUTH_DRIVER: "firebase",
  GOOGLE_CLOUD_PROJECT: "demo-csp",
  GCS_BUCKET: "demo-csp-bucket",
  FIREBASE_API_KEY: "demo-key",
  NEXTAUTH_SECRET: "x".repeat(32),
  OTA_SIGNING_KEY: "key",
};

describe("page Content-Security-Policy", () => {
  it("cloud mode: the relay over wss, the bucket for fetches and replay frames, Firebase sign-in; HSTS upgrades", () => {
    const csp = pageCsp(pagePolicySources(loadConfig(cloud), false), "bm9uY2U=");
    expect(csp.split("; ")).toEqual([
      "default-src 'self'",
      "script-src 'self' 'nonce-bm9uY2U=' 'strict-dynamic'",
      "script-src-attr 'none'",
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data: blob: https://storage.googleapis.com",
      "media-src 'self' blob: https://storage.googleapis.com",
      "font-src 'self' data:",
      "connect-src 'self' https://continuon.cloud wss://continuon.cloud https://api.continuon.cloud wss://api.continuon.cloud https://storage.googleapis.com https://identitytoolkit.googleapis.com https://securetoken.googleapis.com",
      "worker-src 'self' blob:",
      "frame-src https://demo-csp.firebaseapp.com https://accounts.google.com",
      "object-src 'none'",
      "base-uri 'self'",
      "form-action 'self'",
      "frame-ancestors 'none'",
      "upgrade-insecure-requests",
    ]);
  });

  it("the GCS test server's origin when GCS_API_ENDPOINT points at it; the Auth emulator", () => {
    const sources = pagePolicySources(
      loadConfig({
        ...cloud,
        PUBLIC_URL: "http://127.0.0.1:3000",
        RELAY_PUBLIC_URL: undefined,
        GCS_API_ENDPOINT: "http://127.0.0.1:4443/storage/v1",
        FIREBASE_AUTH_EMULATOR_HOST: "127.0.0.1:9099",
      }),
      false,
    );
    expect(sources.media).toEqual(["http://127.0.0.1:4443"]);
    expect(sources.connect).toEqual([
      "http://127.0.0.1:3000",
      "ws://127.0.0.1:3000",
      "http://127.0.0.1:4443",
      "https://identitytoolkit.googleapis.com",
      "https://securetoken.googleapis.com",
      "http://127.0.0.1:9099",
    ]);
    expect(sources.https).toBe(false);
  });

  it("embedded default: own origin only, no frames, no upgrade", () => {
    const csp = pageCsp(pagePolicySources(loadConfig({ PUBLIC_URL: "http://localhost:3000" }), false), "n");
    expect(csp).toContain("connect-src 'self' http://localhost:3000 ws://localhost:3000;");
    expect(csp).toContain("img-src 'self' data: blob:;");
    expect(csp).toContain("frame-src 'none';");
    expect(csp).not.toContain("upgrade-insecure-requests");
  });
});

describe("body caps by route", () => {
  it.each([
    ["PUT", "/api/blobs/episodes/raw/r/e.tar.gz?X-Sig=1", "signed_blob_put"],
    ["PUT", "/api/rlds/upload/ep_1", "episode_upload"],
    ["POST", "/api/rlds/upload?episode_id=x", "xr_episode_upload"],
    ["POST", "/api/rlds/signed-url", "episode_signed_url"],
    ["POST", "/api/auth/callback/credentials", "auth"],
    ["POST", "/api/auth/signout", "auth"],
    ["POST", "/api/authx", "api"],
    ["GET", "/api/blobs/episodes/raw/r/e.tar.gz", "no_body"],
    ["HEAD", "/api/health", "no_body"],
    ["POST", "/api/rlds/upload/ep_1", "api"],
    ["POST", "/api/console/provisioning-tokens", "api"],
    ["POST", "/signin", "pages"],
    ["GET", "/", "no_body"],
    ["POST", "/console/robots", "pages"],
    ["POST", "/_next/static/x.js", "next"],
  ])("%s %s → %s", (method, url, name) => {
    expect(bodyLimitFor(method, url).name).toBe(name);
  });
});
