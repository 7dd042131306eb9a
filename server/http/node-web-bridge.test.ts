import { describe, expect, it } from "vitest";
import { webRequestHeaders } from "./node-web-bridge";

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
