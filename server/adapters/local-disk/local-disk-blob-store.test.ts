import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { blobStoreContract } from "@/lib/blobs/blob-store.contract";
import { sendWebResponse, toWebRequest } from "@/server/http/node-web-bridge";
import { LocalDiskBlobStore } from "./local-disk-blob-store";
import { serveSignedBlobRequest } from "./serve-signed-request";

/** Local disk store plus a plain HTTP server answering its signed URLs, as the app's route does. */
async function startFixture() {
  const root = mkdtempSync(join(tmpdir(), "blobs-contract-"));
  const holder: { store?: LocalDiskBlobStore } = {};
  const server: Server = createServer((req, res) => {
    void serveSignedBlobRequest(holder.store as LocalDiskBlobStore, toWebRequest(req, "http://127.0.0.1")).then(
      (response) => sendWebResponse(res, response),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const options = { root, signingSecret: "test-secret-test-secret-test-secret", publicBaseUrl: baseUrl };
  const store = new LocalDiskBlobStore(options);
  holder.store = store;
  const pastStore = new LocalDiskBlobStore({ ...options, now: () => new Date(Date.now() - 2 * 3600_000) });
  return {
    store,
    pastStore,
    baseUrl,
    close: async () => {
      await new Promise((resolve) => server.close(resolve));
      rmSync(root, { recursive: true, force: true });
    },
  };
}

blobStoreContract("local disk", startFixture);

describe("local signed URLs answer with the documented errors", () => {
  it.each([
    ["wrong content type", { headers: { "content-type": "text/plain" }, body: "x" }, 415, "content_type_mismatch"],
    [
      "declared oversize",
      { headers: { "content-type": "application/gzip" }, body: "x".repeat(64) },
      413,
      "body_too_large",
    ],
  ])("%s → %i %s", async (_name, init, status, reason) => {
    const fixture = await startFixture();
    try {
      const put = await fixture.store.signUrl({
        key: "x/y.tar.gz",
        method: "PUT",
        expiresInS: 60,
        contentType: "application/gzip",
        maxSizeBytes: 16,
      });
      const response = await fetch(put.url, { method: "PUT", ...init });
      expect(response.status).toBe(status);
      expect((await response.json()).error.reason).toBe(reason);
      expect(await fixture.store.head("x/y.tar.gz")).toBeNull();
    } finally {
      await fixture.close();
    }
  });

  it("streamed oversize without a length is cut off with 413 and nothing kept", async () => {
    const fixture = await startFixture();
    try {
      const put = await fixture.store.signUrl({ key: "x/s.bin", method: "PUT", expiresInS: 60, maxSizeBytes: 1000 });
      const body = new ReadableStream({
        start(controller) {
          for (let i = 0; i < 10; i++) controller.enqueue(new Uint8Array(500));
          controller.close();
        },
      });
      const response = await fetch(put.url, { method: "PUT", body, duplex: "half" } as RequestInit);
      expect(response.status).toBe(413);
      expect(await fixture.store.head("x/s.bin")).toBeNull();
    } finally {
      await fixture.close();
    }
  });

  it("expired → 403 signed_url_expired; tampered → 403 signed_url_invalid", async () => {
    const fixture = await startFixture();
    try {
      await fixture.store.put("x/z", Buffer.from("z"));
      const expired = await fixture.pastStore.signUrl({ key: "x/z", method: "GET", expiresInS: 60 });
      const expiredResponse = await fetch(expired.url);
      expect(expiredResponse.status).toBe(403);
      expect((await expiredResponse.json()).error.reason).toBe("signed_url_expired");
      const good = await fixture.store.signUrl({ key: "x/z", method: "GET", expiresInS: 60 });
      const tampered = await fetch(good.url.replace("expires=", "expires=9"));
      expect(tampered.status).toBe(403);
      expect((await tampered.json()).error.reason).toBe("signed_url_invalid");
      const notModified = await fetch(good.url, {
        headers: { "if-none-match": (await fetch(good.url)).headers.get("etag") ?? "" },
      });
      expect(notModified.status).toBe(304);
    } finally {
      await fixture.close();
    }
  });
});
