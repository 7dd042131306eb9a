import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "@/server/testing/create-test-context";
import { answerObjectRequest, type ObjectAnswer, type ServedObject } from "./serve-object";

async function bytesOf(answer: ObjectAnswer): Promise<Buffer | null> {
  if (!answer.body) return null;
  const chunks: Buffer[] = [];
  for await (const chunk of answer.body as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe("answerObjectRequest: one download answer for every served object", () => {
  let ctx: TestContext;
  let object: ServedObject;
  const data = randomBytes(10_000);
  const etag = '"abc123"';
  const modified = "2026-06-01T12:00:00.000Z";
  const modifiedHttp = new Date(modified).toUTCString();

  beforeEach(async () => {
    ctx = createTestContext();
    await ctx.blobs.put("test/object.bin", data, { contentType: "application/octet-stream" });
    object = { key: "test/object.bin", size: data.length, etag: "abc123", lastModified: modified };
  });
  afterEach(() => ctx.cleanup());

  const answer = (headers: Record<string, string> = {}, method = "GET") =>
    answerObjectRequest(ctx.blobs, object, { method, headers: new Headers(headers) }, { "content-type": "x/test" });
  /** The status of an answer whose bytes are not needed (read to the end all the same). */
  const statusOf = async (headers: Record<string, string>) => {
    const answered = await answer(headers);
    await bytesOf(answered);
    return answered.status;
  };

  it("serves the whole object with its validators, and HEAD the same headers without a body", async () => {
    const whole = await answer();
    expect(whole.status).toBe(200);
    expect(whole.headers).toEqual({
      "content-type": "x/test",
      etag,
      "last-modified": modifiedHttp,
      "accept-ranges": "bytes",
      "content-length": "10000",
    });
    expect((await bytesOf(whole))?.equals(data)).toBe(true);
    const head = await answer({}, "HEAD");
    expect(head).toEqual({ status: 200, headers: whole.headers, body: null, range: undefined });
    // Range applies to GET only (RFC 9110 §14.2).
    const headRange = await answer({ range: "bytes=0-9" }, "HEAD");
    expect(headRange.status).toBe(200);
    expect(headRange.headers["content-length"]).toBe("10000");
  });

  it("serves one range as 206, a range past the end as 416, and a multi-part or other-unit range whole", async () => {
    const part = await answer({ range: "bytes=100-199" });
    expect(part.status).toBe(206);
    expect(part.headers["content-range"]).toBe("bytes 100-199/10000");
    expect(part.headers["content-length"]).toBe("100");
    expect((await bytesOf(part))?.equals(data.subarray(100, 200))).toBe(true);
    const tail = await answer({ range: "bytes=-10" });
    expect(tail.headers["content-range"]).toBe("bytes 9990-9999/10000");
    expect((await bytesOf(tail))?.equals(data.subarray(9990))).toBe(true);

    const past = await answer({ range: "bytes=10000-" });
    expect(past.status).toBe(416);
    expect(past.body).toBeNull();
    expect(past.headers["content-range"]).toBe("bytes */10000");
    expect(past.headers["content-length"]).toBeUndefined();
    expect(past.error).toMatchObject({ code: "invalid", reason: "range_not_satisfiable" });

    for (const range of ["bytes=0-9,100-109", "items=0-9", "bytes"]) {
      const whole = await answer({ range });
      expect(whole.status, range).toBe(200);
      expect(whole.headers["content-length"], range).toBe("10000");
      expect(whole.headers["content-range"], range).toBeUndefined();
      await bytesOf(whole);
    }
  });

  it("answers 304 when If-None-Match names the entity tag, or If-Modified-Since is not older", async () => {
    for (const ifNoneMatch of [etag, `"other", ${etag}`, `W/${etag}`, "*"]) {
      const answered = await answer({ "if-none-match": ifNoneMatch, range: "bytes=0-9" });
      expect(answered.status, ifNoneMatch).toBe(304);
      expect(answered.body, ifNoneMatch).toBeNull();
      expect(answered.headers.etag).toBe(etag);
      expect(answered.headers["content-length"]).toBeUndefined();
    }
    expect(await statusOf({ "if-none-match": '"other"' })).toBe(200);
    expect(await statusOf({ "if-modified-since": modifiedHttp })).toBe(304);
    expect(await statusOf({ "if-modified-since": new Date(Date.parse(modified) + 60_000).toUTCString() })).toBe(304);
    expect(await statusOf({ "if-modified-since": new Date(Date.parse(modified) - 1000).toUTCString() })).toBe(200);
    expect(await statusOf({ "if-modified-since": "not a date" })).toBe(200);
    // If-None-Match wins over If-Modified-Since.
    expect(await statusOf({ "if-none-match": '"other"', "if-modified-since": modifiedHttp })).toBe(200);
  });

  it("honours a Range only while If-Range still names this object", async () => {
    const same = await answer({ range: "bytes=5000-", "if-range": etag });
    expect(same.status).toBe(206);
    expect((await bytesOf(same))?.equals(data.subarray(5000))).toBe(true);
    const stale = await answer({ range: "bytes=5000-", "if-range": '"previous-build"' });
    expect(stale.status).toBe(200);
    expect(stale.headers["content-range"]).toBeUndefined();
    expect((await bytesOf(stale))?.equals(data)).toBe(true);
    // A weak tag never matches If-Range (strong comparison).
    expect(await statusOf({ range: "bytes=5000-", "if-range": `W/${etag}` })).toBe(200);
    expect(await statusOf({ range: "bytes=5000-", "if-range": modifiedHttp })).toBe(206);
    const older = new Date(Date.parse(modified) - 1000).toUTCString();
    expect(await statusOf({ range: "bytes=5000-", "if-range": older })).toBe(200);
  });

  it("answers 412 when If-Match or If-Unmodified-Since no longer hold", async () => {
    const mismatch = await answer({ "if-match": '"other"' });
    expect(mismatch.status).toBe(412);
    expect(mismatch.body).toBeNull();
    expect(mismatch.error).toMatchObject({ code: "precondition_failed", reason: "precondition_failed" });
    expect(await statusOf({ "if-match": `W/${etag}` })).toBe(412);
    expect(await statusOf({ "if-match": etag })).toBe(200);
    expect(await statusOf({ "if-match": "*" })).toBe(200);
    const before = new Date(Date.parse(modified) - 1000).toUTCString();
    expect(await statusOf({ "if-unmodified-since": before })).toBe(412);
    expect(await statusOf({ "if-unmodified-since": modifiedHttp })).toBe(200);
  });

  it("leaves out Last-Modified and date conditions when the time is unknown", async () => {
    object = { ...object, lastModified: null };
    const whole = await answer({ "if-modified-since": new Date().toUTCString() });
    expect(whole.status).toBe(200);
    expect(whole.headers["last-modified"]).toBeUndefined();
    await bytesOf(whole);
  });
});
