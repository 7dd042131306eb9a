import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { DomainError } from "@/lib/errors";
import { createRuntime, setRuntime, type Runtime } from "@/server/runtime";
import { anonymous, createRoute, type JsonReply } from "./route";

let runtime: Runtime;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "route-"));
  runtime = await createRuntime({ CONTINUON_DATA_DIR: dir, LOG_LEVEL: "silent" });
  setRuntime(runtime);
});

afterAll(async () => {
  await runtime.close();
  rmSync(dir, { recursive: true, force: true });
});

afterEach(() => vi.restoreAllMocks());

const greet = (quietSuccess: boolean) =>
  createRoute(anonymous, { query: z.object({ fail: z.string().optional() }), quietSuccess }, async ({ query }) => {
    if (query.fail) throw new DomainError("invalid", "Told to fail.", { reason: "told_to_fail" });
    return { hello: "robot" };
  });

const get = (path: string, requestId: string) =>
  new Request(`http://internal${path}`, { headers: { "x-request-id": requestId } });

describe("createRoute", () => {
  it("answers the direct path with the status, body and headers of the Response it gives Next", async () => {
    const route = greet(false);
    const viaNext = await route(get("/api/greet", "req-next"));
    const direct = (await route.reply(get("/api/greet", "req-direct"))) as JsonReply;
    expect(direct).not.toBeInstanceOf(Response);
    expect(direct.status).toBe(viaNext.status);
    expect(JSON.parse(direct.body)).toEqual(await viaNext.json());
    expect(direct.headers["content-type"]).toBe(viaNext.headers.get("content-type"));
    expect(viaNext.headers.get("x-request-id")).toBe("req-next");
    expect(direct.headers["x-request-id"]).toBe("req-direct");

    // Errors keep their one mapping: the direct path gets the same error Response.
    const failed = await route.reply(get("/api/greet?fail=1", "req-failed"));
    expect(failed).toBeInstanceOf(Response);
    expect(failed.status).toBe(400);
    expect(await (failed as Response).json()).toMatchObject({ error: { code: "invalid", reason: "told_to_fail" } });
    expect((failed as Response).headers.get("x-request-id")).toBe("req-failed");
  });

  it("logs one request line at info, or at debug for a quiet route's successes", async () => {
    const info = vi.spyOn(runtime.log, "info");
    const debug = vi.spyOn(runtime.log, "debug");
    const requestLines = (spy: typeof info) => spy.mock.calls.filter(([, message]) => message === "request");

    await greet(false).reply(get("/api/greet", "req-loud"));
    expect(requestLines(info)).toEqual([
      [
        expect.objectContaining({ request_id: "req-loud", status: 200, path: "/api/greet", actor: "anonymous" }),
        "request",
      ],
    ]);

    info.mockClear();
    const quiet = greet(true);
    await quiet.reply(get("/api/greet", "req-quiet"));
    expect(requestLines(info)).toEqual([]);
    expect(requestLines(debug)).toEqual([
      [expect.objectContaining({ request_id: "req-quiet", status: 200 }), "request"],
    ]);

    await quiet(get("/api/greet?fail=1", "req-quiet-failed"));
    expect(requestLines(info)).toEqual([
      [expect.objectContaining({ request_id: "req-quiet-failed", status: 400 }), "request"],
    ]);
  });
});
