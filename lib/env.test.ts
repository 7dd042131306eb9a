import { describe, expect, it } from "vitest";
import { loadConfig } from "./env";

describe("loadConfig", () => {
  it("defaults to the embedded drivers", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      storageDriver: "sqlite",
      blobDriver: "local",
      authDriver: "local",
      port: 3000,
      publicUrl: "http://localhost:3000",
    });
  });

  it.each([
    [{ STORAGE_DRIVER: "postgres" }, "STORAGE_DRIVER must be one of: sqlite, firestore"],
    [{ BLOB_DRIVER: "s3" }, "BLOB_DRIVER must be one of: local, gcs"],
    [{ STORAGE_DRIVER: "firestore" }, "GOOGLE_CLOUD_PROJECT is required when STORAGE_DRIVER=firestore"],
    [{ BLOB_DRIVER: "gcs" }, "GCS_BUCKET is required when BLOB_DRIVER=gcs"],
    [{ AUTH_DRIVER: "firebase", GOOGLE_CLOUD_PROJECT: "p" }, "FIREBASE_API_KEY is required"],
    [{ STORAGE_DRIVER: "firestore", GOOGLE_CLOUD_PROJECT: "p" }, "NEXTAUTH_SECRET is required in cloud mode"],
    [{ PORT: "99999" }, "PORT"],
    [{ TURN_URLS: "turn:x" }, "TURN_SECRET is required"],
  ])("refuses %j naming the variable", (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it("accepts a complete cloud configuration", () => {
    const config = loadConfig({
      STORAGE_DRIVER: "firestore",
      BLOB_DRIVER: "gcs",
      GOOGLE_CLOUD_PROJECT: "demo-x",
      GCS_BUCKET: "continuon-rlds",
      NEXTAUTH_SECRET: "s",
      OTA_SIGNING_KEY: "k",
      PUBLIC_URL: "https://continuon.cloud/",
    });
    expect(config.firestore?.projectId).toBe("demo-x");
    expect(config.gcs?.bucket).toBe("continuon-rlds");
    expect(config.publicUrl).toBe("https://continuon.cloud");
    expect(config.relayPublicUrl).toBe("https://continuon.cloud");
    expect(
      loadConfig({ PUBLIC_URL: "https://continuon.cloud", RELAY_PUBLIC_URL: "https://api.continuon.cloud/" })
        .relayPublicUrl,
    ).toBe("https://api.continuon.cloud");
  });
});
