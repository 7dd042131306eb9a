import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "@/lib/env";
import { createGcsBlobStore } from "@/server/adapters/gcs/create-gcs-blob-store";
import { FirestoreDocumentStore } from "@/server/adapters/firestore/firestore-document-store";
import { cloudDeploymentFor, isCloudMode } from "./deployment";
import { startCloudEmulators, type CloudEmulators } from "./start-cloud-emulators";

describe("cloudDeploymentFor", () => {
  it("names one Firestore database and one bucket per data folder, valid for both services", () => {
    const a = cloudDeploymentFor("/tmp/continuon-e2e-a");
    expect(cloudDeploymentFor("/tmp/continuon-e2e-a/")).toEqual(a);
    expect(cloudDeploymentFor("/tmp/continuon-e2e-b")).not.toEqual(a);
    expect(a.FIRESTORE_DATABASE_ID).toMatch(/^[a-z][a-z0-9-]{2,61}[a-z0-9]$/);
    expect(a.GCS_BUCKET).toMatch(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/);
  });

  it.each([
    [{ STORAGE_DRIVER: "firestore" }, true],
    [{ BLOB_DRIVER: "gcs" }, true],
    [{ STORAGE_DRIVER: "sqlite", BLOB_DRIVER: "local" }, false],
    [{}, false],
  ])("isCloudMode(%o) is %s", (env, expected) => {
    expect(isCloudMode(env)).toBe(expected);
  });
});

describe("startCloudEmulators (local accounts)", () => {
  let emulators: CloudEmulators;
  beforeAll(async () => {
    emulators = await startCloudEmulators({ authDriver: "local" });
  });
  afterAll(() => emulators?.stop());

  it("gives an environment the app's configuration accepts as cloud mode", () => {
    const config = loadConfig({ ...emulators.env, NODE_ENV: "test" });
    expect(config).toMatchObject({ storageDriver: "firestore", blobDriver: "gcs", authDriver: "local" });
    expect(emulators.env.OTA_SIGNING_KEY).toContain("BEGIN PRIVATE KEY");
    expect(emulators.env.FIREBASE_AUTH_EMULATOR_HOST).toBeUndefined();
    for (const key of ["FIRESTORE_EMULATOR_HOST", "GCS_API_ENDPOINT"]) {
      expect(Number(emulators.env[key]?.split(":").pop())).toBeGreaterThanOrEqual(4100);
      expect(Number(emulators.env[key]?.split(":").pop())).toBeLessThanOrEqual(4199);
    }
  });

  it("serves the Firestore adapter and the GCS adapter, signed URLs included, in a bucket made on demand", async () => {
    process.env.FIRESTORE_EMULATOR_HOST = emulators.env.FIRESTORE_EMULATOR_HOST;
    process.env.GOOGLE_APPLICATION_CREDENTIALS = emulators.env.GOOGLE_APPLICATION_CREDENTIALS;
    const deployment = cloudDeploymentFor("/tmp/cloud-emulators-test");
    const store = new FirestoreDocumentStore({
      projectId: emulators.env.GOOGLE_CLOUD_PROJECT as string,
      databaseId: deployment.FIRESTORE_DATABASE_ID,
    });
    try {
      await store.create("things", "a", { v: 1 });
      expect((await store.get("things", "a"))?.data).toEqual({ v: 1 });
      const other = new FirestoreDocumentStore({ projectId: emulators.env.GOOGLE_CLOUD_PROJECT as string });
      expect(await other.get("things", "a")).toBeNull();
      await other.close();
    } finally {
      await store.close();
    }
    const blobs = await createGcsBlobStore({ bucket: deployment.GCS_BUCKET, apiEndpoint: emulators.gcs.url });
    await blobs.put("hello.txt", Buffer.from("hi"), { contentType: "text/plain" });
    const signed = await blobs.signUrl({ key: "hello.txt", method: "GET", expiresInS: 60 });
    expect(await (await fetch(signed.url)).text()).toBe("hi");
  });
});
