import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServiceAccount, startGcsTestServer, type GcsTestServer } from "@/tools/gcs-test-server";
import { createGcsBlobStore } from "./create-gcs-blob-store";

/** The runtime's factory, with credentials found the production way (a key file through ADC). */
const account = createTestServiceAccount();
const delegate = "uploads-signer@demo-test.iam.gserviceaccount.com";
let server: GcsTestServer;
let dir: string;

beforeAll(async () => {
  // The delegate's public key is the same pair here: the test is about which e-mail the URL names.
  server = await startGcsTestServer({
    buckets: ["runtime-bucket"],
    serviceAccounts: [account, { client_email: delegate, publicKey: account.publicKey }],
  });
  dir = mkdtempSync(join(tmpdir(), "gcs-adc-"));
  const keyFile = join(dir, "key.json");
  writeFileSync(
    keyFile,
    JSON.stringify({
      type: "service_account",
      project_id: "demo-adc",
      client_email: account.client_email,
      private_key: account.private_key,
    }),
  );
  process.env.GOOGLE_APPLICATION_CREDENTIALS = keyFile;
});
afterAll(async () => {
  delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("createGcsBlobStore", () => {
  it("stores through the API endpoint and signs URLs with the Application Default Credentials", async () => {
    const blobs = await createGcsBlobStore({ bucket: "runtime-bucket", apiEndpoint: server.url });
    await blobs.ping();
    await blobs.put("adc/a.txt", Buffer.from("via adc"), { contentType: "text/plain" });
    const get = await blobs.signUrl({ key: "adc/a.txt", method: "GET", expiresInS: 60 });
    expect(new URL(get.url).searchParams.get("X-Goog-Credential")).toMatch(new RegExp(`^${account.client_email}/`));
    const response = await fetch(get.url);
    expect(await response.text()).toBe("via adc");
  });

  it("signs as signingEmail when one is given", async () => {
    const blobs = await createGcsBlobStore({
      bucket: "runtime-bucket",
      apiEndpoint: server.url,
      signingEmail: delegate,
    });
    const get = await blobs.signUrl({ key: "adc/a.txt", method: "GET", expiresInS: 60 });
    expect(new URL(get.url).searchParams.get("X-Goog-Credential")).toMatch(new RegExp(`^${delegate}/`));
    expect((await fetch(get.url)).status).toBe(200);
  });
});
