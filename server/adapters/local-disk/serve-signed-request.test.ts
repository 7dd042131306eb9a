import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LocalDiskBlobStore } from "./local-disk-blob-store";
import { serveSignedBlobRequest } from "./serve-signed-request";

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe("signed PUTs of the embedded server", () => {
  it("an upload whose client goes away mid-body stores nothing and leaves no temp file", async () => {
    const root = mkdtempSync(join(tmpdir(), "continuon-signed-put-"));
    roots.push(root);
    const store = new LocalDiskBlobStore({ root, signingSecret: "s".repeat(32), publicBaseUrl: "http://127.0.0.1:9" });
    const signed = await store.signUrl({
      key: "episodes/raw/14d4b680/ep_1/episode.tar.gz",
      method: "PUT",
      contentType: "application/gzip",
      maxSizeBytes: 1 << 30,
      expiresInS: 600,
    });
    // A body that sends 1 MiB, then nothing more: the robot lost power mid-upload.
    let sent = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (!sent) controller.enqueue(new Uint8Array(1 << 20));
        sent = true;
        return new Promise(() => undefined);
      },
    });
    const client = new AbortController();
    const request = new Request(signed.url, {
      method: "PUT",
      headers: signed.headers,
      body,
      duplex: "half",
      signal: client.signal,
    } as RequestInit);
    const answer = serveSignedBlobRequest(store, request);
    const tmp = join(root, "tmp");
    while (!existsSync(tmp) || readdirSync(tmp).length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    client.abort();
    const response = await answer;
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { reason: string } }).error.reason).toBe("upload_aborted");
    expect(readdirSync(tmp)).toEqual([]);
    expect(await store.head("episodes/raw/14d4b680/ep_1/episode.tar.gz")).toBeNull();
  });
});
