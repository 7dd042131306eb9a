import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { nodeBodyOf, nodeStreamResponse, webRequestHeaders } from "./node-web-bridge";

describe("webRequestHeaders", () => {
  it("hands over Node's record as it is when every field has one value", () => {
    const nodeHeaders = { host: "robots.example.test", "content-type": "application/json", signature: "sig1=:AA==:" };
    const headers = webRequestHeaders(nodeHeaders);
    expect(headers).toBe(nodeHeaders);
    expect(new Request("http://internal/", { headers }).headers.get("signature")).toBe("sig1=:AA==:");
  });

  it("appends each value of a repeated field and leaves out absent ones", () => {
    const headers = webRequestHeaders({ host: "h", "set-cookie": ["a=1", "b=2"], "x-absent": undefined });
    expect(headers).toBeInstanceOf(Headers);
    const request = new Request("http://internal/", { headers });
    expect(request.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    expect(request.headers.get("host")).toBe("h");
    expect(request.headers.has("x-absent")).toBe(false);
  });
});

describe("nodeStreamResponse", () => {
  /** A source of `count` 64 KiB chunks that counts how many were asked for. */
  function source(count: number) {
    const state = { produced: 0 };
    const stream = new Readable({
      highWaterMark: 64 * 1024,
      read() {
        if (state.produced === count) return void this.push(null);
        state.produced++;
        this.push(Buffer.alloc(64 * 1024, state.produced));
      },
    });
    return { stream, state };
  }

  it("reads the Node stream only as the web body is read, and hands the direct path the stream itself", async () => {
    const { stream, state } = source(1000);
    const response = nodeStreamResponse(stream, { status: 200, headers: { "content-length": String(1000 * 65536) } });
    expect(nodeBodyOf(response)).toBe(stream);
    expect(nodeBodyOf(new Response("x"))).toBeUndefined();
    await new Promise((resolve) => setImmediate(resolve));
    // Nothing is read before the receiver asks (a 64 MB file is not pulled into memory).
    expect(state.produced).toBe(0);
    const reader = response.body!.getReader();
    let received = 0;
    for (let i = 0; i < 10; i++) received += (await reader.read()).value!.length;
    expect(received).toBe(10 * 65536);
    await new Promise((resolve) => setImmediate(resolve));
    // At most the Node stream's own buffer is read ahead of what was taken.
    expect(state.produced).toBeLessThanOrEqual(12);
    await reader.cancel();
    expect(stream.destroyed).toBe(true);
  });

  it("delivers every byte in order", async () => {
    const { stream } = source(20);
    const bytes = Buffer.from(await nodeStreamResponse(stream, { status: 200 }).arrayBuffer());
    expect(bytes.length).toBe(20 * 65536);
    for (let i = 0; i < 20; i++) expect(bytes[i * 65536]).toBe(i + 1);
  });
});
