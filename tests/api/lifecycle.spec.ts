import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { LocalDiskBlobStore } from "../../server/adapters/local-disk/local-disk-blob-store";
import { startTestServer } from "../support/test-server";

test("SIGTERM: stop accepting, finish the in-flight request, close the store, exit 0", async () => {
  test.skip(
    process.env.BLOB_DRIVER === "gcs",
    "the in-flight request is a blob download the app serves itself, which only happens with BLOB_DRIVER=local (with GCS the bucket serves it)",
  );
  const server = await startTestServer({ env: { LOG_LEVEL: "info" } });
  const secrets = JSON.parse(readFileSync(join(server.dataDir, "secrets.json"), "utf8")) as {
    blob_signing_secret: string;
  };
  const blobs = new LocalDiskBlobStore({
    root: join(server.dataDir, "blobs"),
    signingSecret: secrets.blob_signing_secret,
    publicBaseUrl: server.url,
  });
  const size = 64 * 1024 * 1024;
  await blobs.put("lifecycle/big.bin", Buffer.alloc(size, 1));
  const signed = await blobs.signUrl({ key: "lifecycle/big.bin", method: "GET", expiresInS: 600 });

  const response = await fetch(signed.url);
  expect(response.status).toBe(200);
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  let received = (await reader.read()).value?.byteLength ?? 0;

  const exitCode = server.stop("SIGTERM");
  await new Promise((resolve) => setTimeout(resolve, 300));
  // New connections are refused while the download drains.
  await expect(fetch(`${server.url}/api/health`)).rejects.toThrow();
  for (;;) {
    const chunk = await reader.read();
    if (chunk.done) break;
    received += chunk.value.byteLength;
    // A slow reader: the server must wait for it.
    if (received % (8 * 1024 * 1024) < chunk.value.byteLength) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(received).toBe(size);
  expect(await exitCode).toBe(0);
  expect(server.output()).toContain("stopped");
});

test("the server refuses to start with an unknown driver, naming the variable", async () => {
  await expect(startTestServer({ env: { STORAGE_DRIVER: "postgres" } })).rejects.toThrow(
    "STORAGE_DRIVER must be one of: sqlite, firestore",
  );
  await expect(startTestServer({ env: { BLOB_DRIVER: "gcs", GCS_BUCKET: "" } })).rejects.toThrow(
    "GCS_BUCKET is required when BLOB_DRIVER=gcs",
  );
});

test("generated secrets are private to the server's user (0600)", async () => {
  const server = await startTestServer();
  try {
    const { statSync } = await import("node:fs");
    expect(statSync(join(server.dataDir, "secrets.json")).mode & 0o777).toBe(0o600);
  } finally {
    await server.stop();
  }
});
