import { Storage } from "@google-cloud/storage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGcsTestServer, type GcsTestServer } from "./gcs-test-server";
import { parseMultipartRelated } from "./multipart";
import { crc32cBase64 } from "./object-store";
import { createTestServiceAccount } from "./test-service-account";

let server: GcsTestServer;
beforeAll(async () => {
  server = await startGcsTestServer({ buckets: ["b"], serviceAccounts: [createTestServiceAccount()] });
});
afterAll(() => server.close());

const api = (path: string) => `${server.url}/storage/v1/b/b${path}`;
const upload = (query: string) => `${server.url}/upload/storage/v1/b/b/o?${query}`;
const put = async (name: string, body: string, contentType = "text/plain") =>
  (
    await fetch(upload(`uploadType=media&name=${encodeURIComponent(name)}`), {
      method: "POST",
      headers: { "content-type": contentType },
      body,
    })
  ).json();

describe("GCS test server: JSON API", () => {
  it("reports CRC32C and MD5 as GCS does (known answers)", async () => {
    expect(crc32cBase64(Buffer.from("123456789"))).toBe("4waSgw==");
    const object = await put("known/answer", "123456789");
    expect(object).toMatchObject({
      name: "known/answer",
      size: "9",
      crc32c: "4waSgw==",
      md5Hash: "JfnnlDI7RTiF9RgfG2JNCw==",
      contentType: "text/plain",
    });
  });

  it("answers bucket metadata, and 404 with a JSON error for an unknown bucket", async () => {
    expect((await (await fetch(api(""))).json()).name).toBe("b");
    const missing = await fetch(`${server.url}/storage/v1/b/nope`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).error).toMatchObject({ code: 404, errors: [{ reason: "notFound" }] });
  });

  it("serves media with one byte range, and 416 outside the object", async () => {
    await put("media/r.txt", "0123456789");
    const whole = await fetch(api("/o/media%2Fr.txt?alt=media"));
    expect(whole.headers.get("x-goog-hash")).toContain("crc32c=");
    expect(await whole.text()).toBe("0123456789");
    const part = await fetch(api("/o/media%2Fr.txt?alt=media"), { headers: { range: "bytes=2-4" } });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe("bytes 2-4/10");
    expect(await part.text()).toBe("234");
    expect((await fetch(api("/o/media%2Fr.txt?alt=media"), { headers: { range: "bytes=20-" } })).status).toBe(416);
  });

  it("lists by prefix in name order with page tokens and delimiter prefixes", async () => {
    for (const name of ["list/c", "list/a", "list/sub/x", "list/b", "listx"]) await put(name, name);
    const first = await (await fetch(api("/o?prefix=list%2F&maxResults=2"))).json();
    expect(first.items.map((item: { name: string }) => item.name)).toEqual(["list/a", "list/b"]);
    const second = await (await fetch(api(`/o?prefix=list%2F&maxResults=2&pageToken=${first.nextPageToken}`))).json();
    expect(second.items.map((item: { name: string }) => item.name)).toEqual(["list/c", "list/sub/x"]);
    expect(second.nextPageToken).toBeUndefined();
    const folders = await (await fetch(api("/o?prefix=list%2F&delimiter=%2F"))).json();
    expect(folders.prefixes).toEqual(["list/sub/"]);
    expect(folders.items).toHaveLength(3);
  });

  it("deletes (204, then 404) and rewrites with the source's content type", async () => {
    await put("copy/src", "bytes", "image/png");
    const rewrite = await (await fetch(api("/o/copy%2Fsrc/rewriteTo/b/b/o/copy%2Fdst"), { method: "POST" })).json();
    expect(rewrite).toMatchObject({ done: true, resource: { name: "copy/dst", contentType: "image/png", size: "5" } });
    expect((await fetch(api("/o/copy%2Fsrc"), { method: "DELETE" })).status).toBe(204);
    expect((await fetch(api("/o/copy%2Fsrc"), { method: "DELETE" })).status).toBe(404);
  });

  it("refuses an upload whose X-Goog-Hash does not match, storing nothing", async () => {
    const response = await fetch(upload("uploadType=media&name=hash%2Fbad"), {
      method: "POST",
      headers: { "x-goog-hash": `crc32c=${crc32cBase64(Buffer.from("other"))}` },
      body: "data",
    });
    expect(response.status).toBe(400);
    expect(server.store.find("b", "hash/bad")).toBeUndefined();
  });

  it("takes a multipart upload (metadata, then media)", async () => {
    const boundary = "xyz";
    const body = [
      `--${boundary}`,
      "Content-Type: application/json",
      "",
      JSON.stringify({ name: "multi/a.json", contentType: "application/json" }),
      `--${boundary}`,
      "Content-Type: application/json",
      "",
      '{"a":1}',
      `--${boundary}--`,
      "",
    ].join("\r\n");
    const response = await fetch(upload("uploadType=multipart"), {
      method: "POST",
      headers: { "content-type": `multipart/related; boundary=${boundary}` },
      body,
    });
    expect(await response.json()).toMatchObject({ name: "multi/a.json", size: "7", contentType: "application/json" });
  });

  it("runs a resumable session chunk by chunk: 308 with the range held, then the object", async () => {
    const start = await fetch(upload("uploadType=resumable&name=resumable%2Fr.bin"), {
      method: "POST",
      headers: { "x-upload-content-type": "application/x-test", "content-type": "application/json" },
      body: "{}",
    });
    const session = start.headers.get("location") as string;
    expect(session).toContain("upload_id=");
    const first = await fetch(session, { method: "PUT", headers: { "content-range": "bytes 0-3/*" }, body: "abcd" });
    expect(first.status).toBe(308);
    expect(first.headers.get("range")).toBe("bytes=0-3");
    const status = await fetch(session, { method: "PUT", headers: { "content-range": "bytes */*" } });
    expect(status.status).toBe(308);
    expect(server.store.find("b", "resumable/r.bin")).toBeUndefined();
    const gap = await fetch(session, { method: "PUT", headers: { "content-range": "bytes 5-9/10" }, body: "fghij" });
    expect(gap.status).toBe(400);
    const last = await fetch(session, { method: "PUT", headers: { "content-range": "bytes 4-9/10" }, body: "efghij" });
    expect(await last.json()).toMatchObject({ name: "resumable/r.bin", size: "10", contentType: "application/x-test" });
    expect(server.store.get("b", "resumable/r.bin").data.toString()).toBe("abcdefghij");
  });

  it("answers 501 for what it does not serve, and remembers it", async () => {
    const response = await fetch(`${server.url}/storage/v1/b/b/o/x/compose`, { method: "POST" });
    expect(response.status).toBe(501);
    expect(server.unhandled.at(-1)).toContain("/compose");
    server.unhandled.length = 0;
  });
});

describe("GCS test server: XML API", () => {
  it("refuses an unsigned request to an object with 403 AccessDenied in XML", async () => {
    await put("xml/private", "secret");
    const response = await fetch(`${server.url}/b/xml/private`);
    expect(response.status).toBe(403);
    expect(response.headers.get("content-type")).toContain("application/xml");
    expect(await response.text()).toMatch(/<Error><Code>AccessDenied<\/Code><Message>.+<\/Message><\/Error>/);
  });
});

describe("parseMultipartRelated", () => {
  it.each([
    ["no boundary", "multipart/related", "--x\r\n\r\n--x--"],
    ["not multipart", "application/json", "{}"],
    ["unclosed body", "multipart/related; boundary=x", "--x\r\nContent-Type: a/b\r\n\r\nbody"],
    ["a part without headers block", "multipart/related; boundary=x", "--x\r\nbody\r\n--x--"],
  ])("refuses %s with 400", (_name, contentType, body) => {
    expect(() => parseMultipartRelated(Buffer.from(body), contentType)).toThrowError(
      expect.objectContaining({ status: 400 }),
    );
  });
});

describe("GCS test server: buckets created on demand", () => {
  it("makes a bucket the first time a request names it, and only with a valid name", async () => {
    const onDemand = await startGcsTestServer({
      buckets: [],
      serviceAccounts: [createTestServiceAccount()],
      createBucketsOnDemand: true,
    });
    try {
      const uploaded = await fetch(`${onDemand.url}/upload/storage/v1/b/fresh-bucket-1/o?uploadType=media&name=a`, {
        method: "POST",
        body: "x",
      });
      expect(uploaded.status).toBe(200);
      expect((await (await fetch(`${onDemand.url}/storage/v1/b/fresh-bucket-1`)).json()).name).toBe("fresh-bucket-1");
      expect((await fetch(`${onDemand.url}/storage/v1/b/Bad_Bucket!`)).status).toBe(404);
      expect((await fetch(`${server.url}/storage/v1/b/fresh-bucket-1`)).status).toBe(404);
    } finally {
      await onDemand.close();
    }
  });
});

describe("GCS test server: bucket CORS on signed URLs", () => {
  it("answers preflights and adds the allow headers for a matching origin and method only", async () => {
    const account = createTestServiceAccount();
    const corsServer = await startGcsTestServer({
      buckets: ["c"],
      serviceAccounts: [account],
      cors: [
        {
          origin: ["http://console.test"],
          method: ["GET", "HEAD"],
          responseHeader: ["Content-Range"],
          maxAgeSeconds: 60,
        },
      ],
    });
    try {
      await fetch(`${corsServer.url}/upload/storage/v1/b/c/o?uploadType=media&name=f.txt`, {
        method: "POST",
        body: "x",
      });
      const storage = new Storage({ apiEndpoint: corsServer.url, projectId: "demo-x", credentials: account });
      const [url] = await storage
        .bucket("c")
        .file("f.txt")
        .getSignedUrl({ version: "v4", action: "read", expires: Date.now() + 60_000 });
      const allowed = await fetch(url, { headers: { origin: "http://console.test" } });
      expect(allowed.status).toBe(200);
      expect(allowed.headers.get("access-control-allow-origin")).toBe("http://console.test");
      expect(allowed.headers.get("access-control-expose-headers")).toBe("Content-Range");
      const stranger = await fetch(url, { headers: { origin: "http://elsewhere.test" } });
      expect(stranger.status).toBe(200);
      expect(stranger.headers.get("access-control-allow-origin")).toBeNull();
      const preflight = (origin: string, method: string) =>
        fetch(url, {
          method: "OPTIONS",
          headers: { origin, "access-control-request-method": method, "access-control-request-headers": "range" },
        });
      const ok = await preflight("http://console.test", "GET");
      expect(ok.status).toBe(200);
      expect(ok.headers.get("access-control-allow-headers")).toBe("range");
      expect(ok.headers.get("access-control-max-age")).toBe("60");
      expect((await preflight("http://console.test", "PUT")).status).toBe(403);
      expect((await preflight("http://elsewhere.test", "GET")).status).toBe(403);
      expect((await fetch(url)).headers.get("access-control-allow-origin")).toBeNull();
    } finally {
      await corsServer.close();
    }
  });
});
