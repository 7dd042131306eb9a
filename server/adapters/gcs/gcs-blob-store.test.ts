import { Storage } from "@google-cloud/storage";
import { Readable } from "node:stream";
import { describe, expect, it, vi } from "vitest";
import { DomainError } from "@/lib/errors";
import { blobStoreContract } from "@/lib/blobs/blob-store.contract";
import type { BlobStore } from "@/lib/blobs/port";
import { createTestServiceAccount, startGcsTestServer } from "@/tools/gcs-test-server";
import { GcsBlobStore } from "./gcs-blob-store";

const BUCKET = "contract-bucket";
const TWO_HOURS_MS = 2 * 3600_000;

/**
 * The same store, signing as if its clock were two hours behind. The client library reads the
 * clock itself (X-Goog-Date and its own "expiry in the past" check), so only `Date` is faked, and
 * only while one URL is signed; everything else runs on the real clock.
 */
function signingTwoHoursAgo(store: GcsBlobStore): BlobStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property !== "signUrl") return Reflect.get(target, property, receiver) as unknown;
      return async (request: Parameters<BlobStore["signUrl"]>[0]) => {
        vi.useFakeTimers({ toFake: ["Date"], now: Date.now() - TWO_HOURS_MS });
        try {
          return await target.signUrl(request);
        } finally {
          vi.useRealTimers();
        }
      };
    },
  });
}

// One throwaway key pair for the whole file (RSA key generation costs a few hundred ms).
const account = createTestServiceAccount();

async function startGcsFixture() {
  const server = await startGcsTestServer({ buckets: [BUCKET], serviceAccounts: [account] });
  const storage = new Storage({
    apiEndpoint: server.url,
    projectId: "demo-blobs",
    credentials: { client_email: account.client_email, private_key: account.private_key },
  });
  const store = new GcsBlobStore(storage, BUCKET);
  return { server, storage, store, pastStore: signingTwoHoursAgo(store), close: () => server.close() };
}

blobStoreContract("gcs (test server)", startGcsFixture);

/** The XML error code of a GCS answer. */
async function xmlCode(response: Response): Promise<string | undefined> {
  return /<Code>([^<]+)<\/Code>/.exec(await response.text())?.[1];
}

describe("GCS signed URLs answer as GCS does, and change nothing", () => {
  const key = "signed/upload.tar.gz";
  const signPut = (store: BlobStore) =>
    store.signUrl({ key, method: "PUT", expiresInS: 60, contentType: "application/gzip", maxSizeBytes: 16 });

  it("binds the PUT to its content type and size with signed headers", async () => {
    const fixture = await startGcsFixture();
    try {
      const put = await signPut(fixture.store);
      expect(put.headers).toEqual({ "content-type": "application/gzip", "x-goog-content-length-range": "0,16" });
      const url = new URL(put.url);
      expect(url.searchParams.get("X-Goog-SignedHeaders")).toBe("content-type;host;x-goog-content-length-range");
      expect(url.searchParams.get("X-Goog-Algorithm")).toBe("GOOG4-RSA-SHA256");
      expect(Number(url.searchParams.get("X-Goog-Expires"))).toBe(60);
    } finally {
      await fixture.close();
    }
  });

  it.each<[string, number, string, (put: { url: string; headers: Record<string, string> }) => [string, RequestInit]]>([
    [
      "wrong content type",
      403,
      "SignatureDoesNotMatch",
      (put) => [put.url, { method: "PUT", headers: { ...put.headers, "content-type": "text/plain" }, body: "x" }],
    ],
    [
      "size range header left out",
      403,
      "SignatureDoesNotMatch",
      (put) => [put.url, { method: "PUT", headers: { "content-type": "application/gzip" }, body: "x" }],
    ],
    [
      "size range header widened",
      403,
      "SignatureDoesNotMatch",
      (put) => [
        put.url,
        { method: "PUT", headers: { ...put.headers, "x-goog-content-length-range": "0,99999" }, body: "x" },
      ],
    ],
    [
      "declared oversize",
      400,
      "EntityTooLarge",
      (put) => [put.url, { method: "PUT", headers: put.headers, body: "x".repeat(64) }],
    ],
    [
      "another key",
      403,
      "SignatureDoesNotMatch",
      (put) => [put.url.replace("upload.tar.gz", "other.tar.gz"), { method: "PUT", headers: put.headers, body: "x" }],
    ],
    ["used for GET", 403, "SignatureDoesNotMatch", (put) => [put.url, { method: "GET" }]],
    [
      "tampered signature",
      403,
      "SignatureDoesNotMatch",
      (put) => {
        const url = new URL(put.url);
        const signature = url.searchParams.get("X-Goog-Signature") as string;
        url.searchParams.set("X-Goog-Signature", (signature[0] === "a" ? "b" : "a") + signature.slice(1));
        return [url.toString(), { method: "PUT", headers: put.headers, body: "x" }];
      },
    ],
    [
      "lifetime stretched",
      403,
      "SignatureDoesNotMatch",
      (put) => [
        put.url.replace("X-Goog-Expires=60", "X-Goog-Expires=3600"),
        { method: "PUT", headers: put.headers, body: "x" },
      ],
    ],
    [
      "no signature at all",
      403,
      "AccessDenied",
      (put) => [put.url.split("?")[0] as string, { method: "PUT", headers: put.headers, body: "x" }],
    ],
  ])("%s → %i %s", async (_name, status, code, request) => {
    const fixture = await startGcsFixture();
    try {
      const [url, init] = request(await signPut(fixture.store));
      const response = await fetch(url, init);
      expect(response.status).toBe(status);
      expect(await xmlCode(response)).toBe(code);
      expect(fixture.server.store.list(BUCKET, "")).toHaveLength(0);
    } finally {
      await fixture.close();
    }
  });

  it("a streamed body past the signed size is cut off with 400 EntityTooLarge and nothing kept", async () => {
    const fixture = await startGcsFixture();
    try {
      const put = await fixture.store.signUrl({ key, method: "PUT", expiresInS: 60, maxSizeBytes: 1000 });
      const body = new ReadableStream({
        start(controller) {
          for (let i = 0; i < 10; i++) controller.enqueue(new Uint8Array(500));
          controller.close();
        },
      });
      const response = await fetch(put.url, {
        method: "PUT",
        headers: put.headers,
        body,
        duplex: "half",
      } as RequestInit);
      expect(response.status).toBe(400);
      expect(await xmlCode(response)).toBe("EntityTooLarge");
      expect(await fixture.store.head(key)).toBeNull();
    } finally {
      await fixture.close();
    }
  });

  it("an expired URL is refused with 400 ExpiredToken (its signature checked first)", async () => {
    const fixture = await startGcsFixture();
    try {
      const put = await fixture.pastStore.signUrl({
        key,
        method: "PUT",
        expiresInS: 600,
        contentType: "application/gzip",
      });
      expect(new URL(put.url).searchParams.get("X-Goog-Date")?.slice(0, 13)).toBe(
        new Date(Date.now() - TWO_HOURS_MS).toISOString().replace(/[-:]/g, "").slice(0, 13),
      );
      const response = await fetch(put.url, { method: "PUT", headers: put.headers, body: "late" });
      expect(response.status).toBe(400);
      expect(await xmlCode(response)).toBe("ExpiredToken");
      expect(await fixture.store.head(key)).toBeNull();
    } finally {
      await fixture.close();
    }
  });

  it("a URL signed by an account the server does not know is refused", async () => {
    const fixture = await startGcsFixture();
    const stranger = createTestServiceAccount("stranger@demo-test.iam.gserviceaccount.com");
    try {
      const storage = new Storage({ apiEndpoint: fixture.server.url, projectId: "demo-blobs", credentials: stranger });
      const put = await new GcsBlobStore(storage, BUCKET).signUrl({ key, method: "PUT", expiresInS: 60 });
      const response = await fetch(put.url, { method: "PUT", headers: put.headers, body: "x" });
      expect(response.status).toBe(403);
      expect(await fixture.store.head(key)).toBeNull();
    } finally {
      await fixture.close();
    }
  });

  it("a signed GET names the download and the content type", async () => {
    const fixture = await startGcsFixture();
    try {
      await fixture.store.put("reports/r.csv", Buffer.from("a,b\n"), { contentType: "text/plain" });
      const get = await fixture.store.signUrl({
        key: "reports/r.csv",
        method: "GET",
        expiresInS: 60,
        contentType: "text/csv",
        downloadName: "épisode 1.csv",
      });
      const response = await fetch(get.url);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/csv");
      expect(response.headers.get("content-disposition")).toBe(
        `attachment; filename="_pisode 1.csv"; filename*=UTF-8''%C3%A9pisode%201.csv`,
      );
      expect(await response.text()).toBe("a,b\n");
    } finally {
      await fixture.close();
    }
  });

  it("refuses lifetimes GCS or the port would not allow", async () => {
    const fixture = await startGcsFixture();
    try {
      for (const request of [
        { key, method: "PUT" as const, expiresInS: 3601 },
        { key, method: "GET" as const, expiresInS: 7 * 24 * 3600 + 1 },
        { key, method: "GET" as const, expiresInS: 0 },
      ]) {
        await expect(fixture.store.signUrl(request)).rejects.toMatchObject({
          code: "invalid",
          reason: "invalid_expiry",
        });
      }
    } finally {
      await fixture.close();
    }
  });
});

describe("GcsBlobStore specifics", () => {
  it("a streamed upload past maxSizeBytes is abandoned mid-body and stores nothing", async () => {
    const fixture = await startGcsFixture();
    try {
      const body = Readable.from(
        (function* () {
          for (let i = 0; i < 64; i++) yield Buffer.alloc(16 * 1024, 1);
        })(),
      );
      await expect(fixture.store.put("limits/big.bin", body, { maxSizeBytes: 100_000 })).rejects.toMatchObject({
        code: "too_large",
        reason: "body_too_large",
      });
      expect(body.destroyed).toBe(true);
      // The resumable session's PUT was cut off, so GCS never finalized an object.
      await vi.waitFor(() => expect(fixture.server.abortedUploads()).toBe(1));
      expect(await fixture.store.head("limits/big.bin")).toBeNull();
      expect(fixture.server.unhandled).toEqual([]);
    } finally {
      await fixture.close();
    }
  });

  it("uses one multipart request for small bytes and a resumable session for streams", async () => {
    const fixture = await startGcsFixture();
    try {
      const small = await fixture.store.put("kinds/small.json", Buffer.from("{}"), { contentType: "application/json" });
      const streamed = await fixture.store.put(
        "kinds/stream.bin",
        Readable.from([Buffer.from("abc"), Buffer.from("def")]),
      );
      expect(small).toMatchObject({ size: 2, contentType: "application/json" });
      expect(streamed).toMatchObject({ size: 6, contentType: "application/octet-stream" });
      expect(fixture.server.store.get(BUCKET, "kinds/stream.bin").data.toString()).toBe("abcdef");
    } finally {
      await fixture.close();
    }
  });

  it("a read whose object is replaced before the bytes are fetched fails with not_found, never mixed bytes", async () => {
    const fixture = await startGcsFixture();
    try {
      await fixture.store.put("race/a.txt", Buffer.from("first"));
      const read = await fixture.store.get("race/a.txt");
      // Synchronously, before the media request can reach the server: a new generation lands.
      fixture.server.store.put(BUCKET, "race/a.txt", Buffer.from("second"), "application/octet-stream");
      const chunks: Buffer[] = [];
      await expect(
        (async () => {
          for await (const chunk of read.stream) chunks.push(chunk as Buffer);
        })(),
      ).rejects.toSatisfy((error: unknown) => error instanceof DomainError && error.code === "not_found");
      expect(Buffer.concat(chunks).toString()).toBe("");
    } finally {
      await fixture.close();
    }
  });

  it("keys with spaces, non-ASCII and reserved characters round-trip, signed URLs included", async () => {
    const fixture = await startGcsFixture();
    try {
      const key = "odd keys/é (1)+x&y=z*'!.bin";
      await fixture.store.put(key, Buffer.from("odd"));
      expect((await fixture.store.list("odd keys/")).items.map((item) => item.key)).toEqual([key]);
      const put = await fixture.store.signUrl({ key, method: "PUT", expiresInS: 60, contentType: "text/plain" });
      expect((await fetch(put.url, { method: "PUT", headers: put.headers, body: "odder" })).status).toBe(200);
      const get = await fixture.store.signUrl({ key, method: "GET", expiresInS: 60 });
      expect(await (await fetch(get.url)).text()).toBe("odder");
    } finally {
      await fixture.close();
    }
  });

  it("deletePrefix walks every page", async () => {
    const fixture = await startGcsFixture();
    try {
      for (let i = 0; i < 1005; i++)
        fixture.server.store.put(BUCKET, `many/${String(i).padStart(4, "0")}`, Buffer.from("x"), "text/plain");
      fixture.server.store.put(BUCKET, "manyx/keep", Buffer.from("x"), "text/plain");
      expect(await fixture.store.deletePrefix("many/")).toBe(1005);
      expect(fixture.server.store.list(BUCKET, "").map((object) => object.name)).toEqual(["manyx/keep"]);
      await expect(fixture.store.deletePrefix("")).rejects.toMatchObject({ code: "invalid" });
    } finally {
      await fixture.close();
    }
  });

  it("ping fails with unavailable when the bucket does not exist", async () => {
    const fixture = await startGcsFixture();
    try {
      await expect(new GcsBlobStore(fixture.storage, "no-such-bucket").ping()).rejects.toMatchObject({
        code: "unavailable",
        reason: "bucket_missing",
      });
    } finally {
      await fixture.close();
    }
  });

  it.each([
    [404, "not_found"],
    [412, "precondition_failed"],
    [400, "invalid"],
    [403, "internal"],
    [429, "unavailable"],
    [503, "unavailable"],
  ])("maps HTTP %i from GCS to %s", async (status, code) => {
    const { toDomainError } = await import("./gcs-blob-store");
    expect(toDomainError(Object.assign(new Error("gcs"), { code: status }), "k")).toMatchObject({ code });
  });
});
