/**
 * The contract every BlobStore adapter passes, signed URLs included: they are exercised over real
 * HTTP against whatever serves them (the app's route for local disk, the GCS test server).
 */
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "@/lib/errors";
import type { BlobStore } from "./port";

export interface BlobContractOptions {
  skip?: Record<string, string>;
}

export interface BlobContractFixture {
  /** A store whose clock is now. */
  store: BlobStore;
  /** The same backend, its clock two hours behind (signs URLs that are already expired). */
  pastStore: BlobStore;
  close(): Promise<void>;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toSatisfy((error: unknown) => error instanceof DomainError && error.code === code);
}

export function blobStoreContract(
  name: string,
  makeFixture: () => Promise<BlobContractFixture>,
  options: BlobContractOptions = {},
): void {
  describe(`BlobStore contract: ${name}`, () => {
    let fixture: BlobContractFixture;
    let store: BlobStore;
    let counter = 0;
    const prefix = () => `contract/${Date.now().toString(36)}-${++counter}`;

    beforeAll(async () => {
      fixture = await makeFixture();
      store = fixture.store;
    });
    afterAll(async () => {
      await fixture.close();
    });

    const test = (caseName: string, fn: () => Promise<void>) => {
      const reason = options.skip?.[caseName];
      if (reason) {
        it.skip(`${caseName} — skipped: ${reason}`, fn);
        console.info(`[contract:${name}] skipped "${caseName}": ${reason}`);
      } else {
        it(caseName, fn);
      }
    };

    test("put from bytes, head and get round-trip with content type", async () => {
      const key = `${prefix()}/a.json`;
      const info = await store.put(key, Buffer.from('{"a":1}'), { contentType: "application/json" });
      expect(info).toMatchObject({ key, size: 7, contentType: "application/json" });
      const head = await store.head(key);
      expect(head).toMatchObject({ key, size: 7, contentType: "application/json" });
      const read = await store.get(key);
      expect((await readAll(read.stream)).toString()).toBe('{"a":1}');
    });

    test("put streams a large body and overwrites atomically", async () => {
      const key = `${prefix()}/big.bin`;
      const chunk = Buffer.alloc(64 * 1024, 7);
      const total = 80;
      await store.put(
        key,
        Readable.from(
          (function* () {
            for (let i = 0; i < total; i++) yield chunk;
          })(),
        ),
      );
      const head = await store.head(key);
      expect(head?.size).toBe(chunk.length * total);
      const etagBefore = head?.etag;
      await store.put(key, Buffer.from("small"));
      const after = await store.head(key);
      expect(after?.size).toBe(5);
      expect(after?.etag).not.toBe(etagBefore);
    });

    test("put over maxSizeBytes is too_large and stores nothing", async () => {
      const key = `${prefix()}/limit.bin`;
      await expectCode(store.put(key, Buffer.alloc(100), { maxSizeBytes: 10 }), "too_large");
      expect(await store.head(key)).toBeNull();
    });

    test("byte ranges", async () => {
      const key = `${prefix()}/range.txt`;
      await store.put(key, Buffer.from("0123456789"));
      const middle = await store.get(key, { range: { start: 2, end: 5 } });
      expect((await readAll(middle.stream)).toString()).toBe("2345");
      expect(middle.range).toEqual({ start: 2, end: 5 });
      const tail = await store.get(key, { range: { start: 7 } });
      expect((await readAll(tail.stream)).toString()).toBe("789");
      await expectCode(store.get(key, { range: { start: 20 } }), "invalid");
    });

    test("get of an absent key is not_found; head is null", async () => {
      await expectCode(store.get(`${prefix()}/none`), "not_found");
      expect(await store.head(`${prefix()}/none`)).toBeNull();
    });

    test("copy duplicates bytes and content type", async () => {
      const base = prefix();
      await store.put(`${base}/src.txt`, Buffer.from("copy me"), { contentType: "text/plain" });
      const copied = await store.copy(`${base}/src.txt`, `${base}/dst/copy.txt`);
      expect(copied).toMatchObject({ size: 7, contentType: "text/plain" });
      expect((await readAll((await store.get(`${base}/dst/copy.txt`)).stream)).toString()).toBe("copy me");
      await expectCode(store.copy(`${base}/missing`, `${base}/x`), "not_found");
      // The copy is independent: overwriting or deleting the source leaves it intact.
      await store.put(`${base}/src.txt`, Buffer.from("changed"), { contentType: "text/plain" });
      await store.delete(`${base}/src.txt`);
      expect((await readAll((await store.get(`${base}/dst/copy.txt`)).stream)).toString()).toBe("copy me");
    });

    test("list by prefix in key order with a cursor", async () => {
      const base = prefix();
      for (const name of ["c", "a", "b/inner", "d"]) await store.put(`${base}/${name}`, Buffer.from(name));
      await store.put(`${base}x/outside`, Buffer.from("no"));
      const first = await store.list(`${base}/`, { limit: 2 });
      expect(first.items.map((item) => item.key)).toEqual([`${base}/a`, `${base}/b/inner`]);
      expect(first.nextCursor).toBeTruthy();
      const second = await store.list(`${base}/`, { limit: 2, cursor: first.nextCursor ?? undefined });
      expect(second.items.map((item) => item.key)).toEqual([`${base}/c`, `${base}/d`]);
      const all = await store.list(`${base}/`);
      expect(all.items).toHaveLength(4);
      expect(all.nextCursor).toBeNull();
    });

    test("delete and deletePrefix", async () => {
      const base = prefix();
      await store.put(`${base}/one`, Buffer.from("1"));
      await store.put(`${base}/sub/two`, Buffer.from("2"));
      await store.put(`${base}/sub/three`, Buffer.from("3"));
      await store.delete(`${base}/one`);
      await store.delete(`${base}/one`);
      expect(await store.head(`${base}/one`)).toBeNull();
      expect(await store.deletePrefix(`${base}/sub/`)).toBe(2);
      expect((await store.list(`${base}/`)).items).toHaveLength(0);
    });

    test("invalid keys are refused before touching the backend", async () => {
      for (const key of ["../x", "/abs", "a//b", "a\\b", "a\u0000b", "a/./b", ""]) {
        await expectCode(store.put(key, Buffer.from("x")), "invalid");
        await expectCode(store.get(key), "invalid");
      }
    });

    test("signed PUT then signed GET over HTTP, with Range", async () => {
      const key = `${prefix()}/signed.bin`;
      const body = Buffer.from("signed upload body");
      const put = await store.signUrl({
        key,
        method: "PUT",
        expiresInS: 600,
        contentType: "application/octet-stream",
        maxSizeBytes: 1024,
      });
      expect(Date.parse(put.expiresAt)).toBeGreaterThan(Date.now());
      const putResponse = await fetch(put.url, { method: "PUT", headers: put.headers, body });
      expect(putResponse.status).toBe(200);
      // A signed upload URL may be used again before it expires (field clients retry).
      const again = await fetch(put.url, { method: "PUT", headers: put.headers, body });
      expect(again.status).toBe(200);
      const get = await store.signUrl({ key, method: "GET", expiresInS: 600 });
      const getResponse = await fetch(get.url, { headers: get.headers });
      expect(getResponse.status).toBe(200);
      expect(Buffer.from(await getResponse.arrayBuffer()).toString()).toBe("signed upload body");
      const ranged = await fetch(get.url, { headers: { ...get.headers, range: "bytes=7-12" } });
      expect(ranged.status).toBe(206);
      expect(await ranged.text()).toBe("upload");
      expect(createHash("sha256").update(body).digest("hex")).toHaveLength(64);
    });

    test("a signed URL refuses the wrong method, key, content type and size, and stores nothing", async () => {
      const key = `${prefix()}/guarded.bin`;
      const put = await store.signUrl({
        key,
        method: "PUT",
        expiresInS: 600,
        contentType: "application/gzip",
        maxSizeBytes: 16,
      });
      const wrongType = await fetch(put.url, { method: "PUT", headers: { "content-type": "text/plain" }, body: "x" });
      expect(wrongType.status).toBeGreaterThanOrEqual(400);
      expect(wrongType.status).toBeLessThan(500);
      const tooBig = await fetch(put.url, { method: "PUT", headers: put.headers, body: Buffer.alloc(64) });
      expect(tooBig.status).toBeGreaterThanOrEqual(400);
      expect(tooBig.status).toBeLessThan(500);
      const asGet = await fetch(put.url, { method: "GET" });
      expect(asGet.status).toBeGreaterThanOrEqual(400);
      const otherKey = put.url.replace("guarded.bin", "other.bin");
      const moved = await fetch(otherKey, { method: "PUT", headers: put.headers, body: "x" });
      expect(moved.status).toBe(403);
      expect(await store.head(key)).toBeNull();
      expect(await store.head(key.replace("guarded.bin", "other.bin"))).toBeNull();
    });

    test("a tampered signature is refused with 403", async () => {
      const key = `${prefix()}/tamper.bin`;
      await store.put(key, Buffer.from("secret"));
      const get = await store.signUrl({ key, method: "GET", expiresInS: 600 });
      const url = new URL(get.url);
      // The signature itself (local: `sig`; GCS V4: `X-Goog-Signature`), not another signed parameter.
      const sigParam = [...url.searchParams.keys()].find((name) => /^(sig|x-goog-signature)$/i.test(name)) as string;
      const value = url.searchParams.get(sigParam) as string;
      // Change the last character to another one valid in both hex (GCS) and base64url (local).
      url.searchParams.set(sigParam, value.slice(0, -1) + (value.endsWith("a") ? "b" : "a"));
      const response = await fetch(url, { headers: get.headers });
      expect(response.status).toBe(403);
    });

    test("an expired signed URL is refused and stores nothing", async () => {
      const key = `${prefix()}/expired.bin`;
      const put = await fixture.pastStore.signUrl({
        key,
        method: "PUT",
        expiresInS: 600,
        contentType: "application/octet-stream",
      });
      expect(Date.parse(put.expiresAt)).toBeLessThan(Date.now());
      const response = await fetch(put.url, { method: "PUT", headers: put.headers, body: "late" });
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(await store.head(key)).toBeNull();
    });

    test("ping answers", async () => {
      await store.ping();
    });
  });
}
