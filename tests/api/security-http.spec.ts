/**
 * The HTTP edge under attack: oversized bodies on every kind of route (streamed for real, 1 GiB,
 * with Content-Length and chunked), cookie-authenticated writes without a same-origin Origin, and
 * the security headers. Each case asserts the exact status and reason and that nothing changed.
 */
import { request as httpRequest } from "node:http";
import { expect, request as playwrightRequest, test, type APIRequestContext } from "@playwright/test";
import { createToken, registeredRobot } from "../support/robots";
import { startTestServer } from "../support/test-server";
import { adminApi, signUpAndSignIn, uniqueEmail, type SignedInUser } from "../support/users";
import { episodeDetail, requestUpload } from "./episodes-support";

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const KiB = 1024;
const METRICS = { authorization: "Bearer e2e-metrics-token" };

interface StreamedAnswer {
  status: number;
  body: string;
  /** Body bytes the client had handed to its socket when the answer came. */
  sentBeforeAnswer: number;
  /** Body bytes the client got to hand to its socket in all. */
  sentTotal: number;
  /** Whether the server closed the connection under the upload. */
  cut: boolean;
}

/**
 * Send `size` bytes (one reused 1 MiB chunk, never the whole body in memory) to `path`, declared
 * with Content-Length or sent chunked, and keep sending after the answer until the server closes
 * the connection or the body is all sent.
 */
function streamBody(
  baseURL: string,
  options: { method: string; path: string; size: number; mode: "length" | "chunked"; headers?: Record<string, string> },
): Promise<StreamedAnswer> {
  const url = new URL(options.path, baseURL);
  const chunk = Buffer.alloc(MiB, 0x61);
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answer: { status: number; body: string; sentBeforeAnswer: number } | null = null;
    let writing: "open" | "finished" | "cut" = "open";
    const settle = () => {
      if (answer && writing !== "open") {
        resolve({ ...answer, sentTotal: sent, cut: writing === "cut" });
        req.destroy();
      }
    };
    const req = httpRequest(url, {
      method: options.method,
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        // Node's client frames a GET body only when told to.
        ...(options.mode === "length"
          ? { "content-length": String(options.size) }
          : { "transfer-encoding": "chunked" }),
        ...options.headers,
      },
    });
    req.on("response", (res) => {
      const sentBeforeAnswer = sent;
      const parts: Buffer[] = [];
      res.on("data", (part: Buffer) => parts.push(part));
      res.on("end", () => {
        answer = { status: res.statusCode ?? 0, body: Buffer.concat(parts).toString("utf8"), sentBeforeAnswer };
        settle();
      });
      res.on("error", () => undefined);
    });
    req.on("error", (error) => {
      if (writing === "open") writing = "cut";
      if (answer) settle();
      else if (!(error as NodeJS.ErrnoException).code?.match(/EPIPE|ECONNRESET/)) reject(error);
    });
    req.on("close", () => {
      if (writing === "open") writing = "cut";
      if (!answer) reject(new Error(`the connection closed without an answer after ${sent} bytes`));
      else settle();
    });
    const write = () => {
      while (writing === "open" && sent < options.size) {
        const n = Math.min(chunk.length, options.size - sent);
        sent += n;
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
          req.once("drain", write);
          return;
        }
      }
      if (writing === "open") {
        writing = "finished";
        req.end();
        settle();
      }
    };
    write();
  });
}

async function residentBytes(api: APIRequestContext): Promise<number> {
  const text = await (await api.get("/api/metrics", { headers: METRICS })).text();
  const line = text.split("\n").find((l) => l.startsWith("process_resident_memory_bytes"));
  if (!line) throw new Error("no process_resident_memory_bytes in /api/metrics");
  return Number(line.split(" ").pop());
}

async function sessionUid(api: APIRequestContext): Promise<string | undefined> {
  return ((await (await api.get("/api/auth/session")).json()) as { uid?: string }).uid;
}

/** A request context with `user`'s session cookie and no Origin header (what a non-browser client or an old browser sends). */
async function bareCookieApi(baseURL: string, user: SignedInUser): Promise<APIRequestContext> {
  return playwrightRequest.newContext({ baseURL, storageState: await user.api.storageState() });
}

function cookieHeader(state: Awaited<ReturnType<APIRequestContext["storageState"]>>): string {
  return state.cookies.map((c) => `${c.name}=${c.value}`).join("; ");
}

test.describe("body caps on every route", () => {
  // Each case: a route kind, its cap, and what must not have changed after a refused 1 GiB body.
  // Each case: a route kind, the guard's cap, and the route's own smaller cap where a chunked body
  // meets it first. A route that answers without reading its body still has the connection cut at
  // the cap (`chunked: { status }`).
  const routes: Array<{
    name: string;
    method: string;
    path: string;
    cap: number;
    chunked?: { cap?: number; status?: number; reason?: string };
  }> = [
    { name: "next-auth credentials callback", method: "POST", path: "/api/auth/callback/credentials", cap: 64 * KiB },
    { name: "next-auth sign-out", method: "POST", path: "/api/auth/signout", cap: 64 * KiB },
    { name: "next-auth csrf", method: "POST", path: "/api/auth/csrf", cap: 64 * KiB },
    { name: "sign-up", method: "POST", path: "/api/auth/signup", cap: 64 * KiB, chunked: { cap: 16 * KiB } },
    {
      name: "console write (createRoute)",
      method: "POST",
      path: "/api/console/provisioning-tokens",
      cap: MiB,
      chunked: { cap: 8 * KiB },
    },
    { name: "robot heartbeat (direct route)", method: "POST", path: "/api/rcan/heartbeat", cap: 64 * KiB },
    {
      name: "unknown API route",
      method: "POST",
      path: "/api/no-such-route",
      cap: MiB,
      chunked: { status: 404, reason: "route_missing" },
    },
    { name: "GET", method: "GET", path: "/api/health", cap: 0 },
    { name: "page", method: "POST", path: "/signin", cap: 0 },
  ];

  let owner: SignedInUser;
  let admin: APIRequestContext;
  let rssBefore: number;

  test.beforeAll(async ({ baseURL }) => {
    owner = await signUpAndSignIn(baseURL as string, "body-cap");
    admin = await adminApi(baseURL as string);
    rssBefore = await residentBytes(admin);
  });

  for (const route of routes) {
    for (const mode of ["length", "chunked"] as const) {
      test(`${route.name}: 1 GiB ${mode === "length" ? "declared" : "chunked"} → 413 body_too_large`, async ({
        baseURL,
      }) => {
        const state = await owner.api.storageState();
        const tokensBefore = await (await admin.get("/api/console/provisioning-tokens")).json();
        const usersBefore = await (await admin.get("/api/console/users?limit=200")).json();
        const answer = await streamBody(baseURL as string, {
          method: route.method,
          path: route.path,
          size: GiB,
          mode,
          headers: { cookie: cookieHeader(state), origin: new URL(baseURL as string).origin },
        });
        const expected =
          mode === "chunked" ? { cap: route.cap, status: 413, ...route.chunked } : { cap: route.cap, status: 413 };
        expect(answer.status).toBe(expected.status);
        if (expected.status === 413) {
          expect(JSON.parse(answer.body).error).toMatchObject({
            code: "too_large",
            reason: "body_too_large",
            message:
              expected.cap === 0
                ? "This endpoint takes no request body."
                : `The body is larger than the ${expected.cap} bytes this endpoint takes.`,
          });
        } else {
          expect(JSON.parse(answer.body).error.reason).toBe(expected.reason);
        }
        // Cut at the cap, never read to the end (a few MiB more sit in socket buffers on the way).
        expect(answer.cut).toBe(true);
        expect(answer.sentTotal).toBeLessThan(expected.cap + 64 * MiB);
        // Nothing changed: the session still works, no token or account appeared.
        expect(await sessionUid(owner.api)).toBe(owner.uid);
        expect(await (await admin.get("/api/console/provisioning-tokens")).json()).toEqual(tokensBefore);
        expect(await (await admin.get("/api/console/users?limit=200")).json()).toEqual(usersBefore);
      });
    }
  }

  for (const mode of ["length", "chunked"] as const) {
    test(`a signed upload URL for 1 MiB, 1 GiB ${mode === "length" ? "declared" : "chunked"} → 413 at the URL's own cap, nothing stored`, async ({
      baseURL,
    }) => {
      test.skip(process.env.BLOB_DRIVER === "gcs", "Cloud Storage serves signed URLs itself in cloud mode");
      const robot = await registeredRobot(baseURL as string, (await createToken(admin)).token);
      const episodeId = `cap_${mode}_${robot.deviceId}`;
      const grant = await requestUpload(robot, { episode_id: episodeId, size_bytes: MiB });
      const answer = await streamBody(baseURL as string, {
        method: "PUT",
        path: grant.upload_url,
        size: GiB,
        mode,
        headers: grant.headers,
      });
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body).error).toMatchObject({ code: "too_large", reason: "body_too_large" });
      expect(answer.cut).toBe(true);
      expect(answer.sentTotal).toBeLessThan(MiB + 64 * MiB);
      const detail = await episodeDetail(admin, episodeId);
      expect(detail.episode.ingest?.state).toBe("awaiting_upload");
      expect(detail.storage.raw_objects).toBe(0);
    });
  }

  test("a body under the cap still reaches next-auth (sign-in works)", async ({ baseURL }) => {
    test.skip(
      process.env.AUTH_DRIVER === "firebase",
      "local accounts sign in through next-auth's credentials; Firebase sign-in has none",
    );
    const api = await playwrightRequest.newContext({ baseURL });
    const csrf = (await (await api.get("/api/auth/csrf")).json()) as { csrfToken: string };
    const response = await api.post("/api/auth/callback/credentials", {
      form: { csrfToken: csrf.csrfToken, email: owner.email, password: owner.password, json: "true" },
      maxRedirects: 0,
    });
    expect(response.status()).toBe(200);
    expect(await sessionUid(api)).toBe(owner.uid);
  });

  test("Expect: 100-continue over the cap is refused before the body is sent", async ({ baseURL }) => {
    const url = new URL("/api/auth/callback/credentials", baseURL);
    const answer = await new Promise<{ status: number; continued: boolean }>((resolve, reject) => {
      let continued = false;
      const req = httpRequest(url, {
        method: "POST",
        headers: { "content-length": String(GiB), expect: "100-continue", "content-type": "text/plain" },
      });
      req.on("continue", () => (continued = true));
      req.on("response", (res) => {
        res.resume();
        res.on("end", () => {
          resolve({ status: res.statusCode ?? 0, continued });
          req.destroy();
        });
      });
      req.on("error", reject);
      req.flushHeaders();
    });
    expect(answer).toEqual({ status: 413, continued: false });
  });

  test("the server's memory stayed flat through all of it", async () => {
    const rssAfter = await residentBytes(admin);
    expect(rssAfter - rssBefore).toBeLessThan(96 * MiB);
  });
});

test.describe("cookie-authenticated writes must show they come from our pages", () => {
  const refusals: Array<{ name: string; headers: Record<string, string>; reason: string }> = [
    { name: "no Origin, no Sec-Fetch-Site", headers: {}, reason: "origin_required" },
    { name: "another site's Origin", headers: { origin: "https://evil.example" }, reason: "cross_site_request" },
    { name: "Origin: null (sandboxed frame)", headers: { origin: "null" }, reason: "cross_site_request" },
    { name: "Sec-Fetch-Site: cross-site", headers: { "sec-fetch-site": "cross-site" }, reason: "cross_site_request" },
    { name: "Sec-Fetch-Site: same-site", headers: { "sec-fetch-site": "same-site" }, reason: "cross_site_request" },
    { name: "Sec-Fetch-Site: none", headers: { "sec-fetch-site": "none" }, reason: "cross_site_request" },
  ];
  let owner: SignedInUser;
  let admin: APIRequestContext;
  // Writes an admin's cookie could make, and the state each would change.
  const writes = [
    {
      method: "POST",
      path: () => "/api/console/provisioning-tokens",
      data: { model: "companion-v1", label: "csrf case" },
      state: () => "/api/console/provisioning-tokens",
    },
    {
      method: "PATCH",
      path: () => `/api/console/users/${owner.uid}/role`,
      data: { role: "admin" },
      state: () => "/api/console/users?limit=200",
    },
    {
      method: "DELETE",
      path: () => "/api/console/episodes/ep_csrf_case",
      data: undefined,
      state: () => "/api/console/audit",
    },
  ] as const;

  test.beforeAll(async ({ baseURL }) => {
    owner = await signUpAndSignIn(baseURL as string, "csrf");
    admin = await adminApi(baseURL as string);
  });

  for (const write of writes) {
    for (const refusal of refusals) {
      test(`${write.method} with ${refusal.name} → 403 ${refusal.reason}`, async ({ baseURL }) => {
        const api = await playwrightRequest.newContext({ baseURL, storageState: await admin.storageState() });
        const before = await (await admin.get(write.state())).json();
        const response = await api.fetch(write.path(), {
          method: write.method,
          ...(write.data ? { data: write.data } : {}),
          headers: refusal.headers,
        });
        expect(response.status()).toBe(403);
        expect((await response.json()).error).toMatchObject({ code: "forbidden", reason: refusal.reason });
        expect(await (await admin.get(write.state())).json()).toEqual(before);
        await api.dispose();
      });
    }
  }

  for (const allowed of [
    { name: "same-origin Origin", headers: (base: string) => ({ origin: new URL(base).origin }) },
    { name: "Sec-Fetch-Site: same-origin", headers: () => ({ "sec-fetch-site": "same-origin" }) },
  ]) {
    test(`POST with ${allowed.name} → 201`, async ({ baseURL }) => {
      const api = await playwrightRequest.newContext({ baseURL, storageState: await admin.storageState() });
      const response = await api.post("/api/console/provisioning-tokens", {
        data: { model: "companion-v1", label: "same origin" },
        headers: allowed.headers(baseURL as string),
      });
      expect(response.status()).toBe(201);
      await api.dispose();
    });
  }

  test("next-auth sign-out without its CSRF token does not end the session", async ({ baseURL }) => {
    const api = await bareCookieApi(baseURL as string, owner);
    const response = await api.post("/api/auth/signout", { form: { json: "true" }, maxRedirects: 0 });
    expect(response.status()).toBe(200);
    expect(await response.json()).toEqual({ url: `${new URL(baseURL as string).origin}/api/auth/signout?csrf=true` });
    expect(await sessionUid(api)).toBe(owner.uid);
    await api.dispose();
  });

  test("next-auth sign-out posted from another site → 403 cross_site_request, session kept", async ({ baseURL }) => {
    const api = await bareCookieApi(baseURL as string, owner);
    const csrf = (await (await api.get("/api/auth/csrf")).json()) as { csrfToken: string };
    const response = await api.post("/api/auth/signout", {
      form: { csrfToken: csrf.csrfToken, json: "true" },
      headers: { origin: "https://evil.example" },
      maxRedirects: 0,
    });
    expect(response.status()).toBe(403);
    expect((await response.json()).error).toMatchObject({ code: "forbidden", reason: "cross_site_request" });
    expect(await sessionUid(api)).toBe(owner.uid);
    await api.dispose();
  });

  test("a sign-in form posted from another site (login CSRF) → 403, no session", async ({ baseURL }) => {
    const api = await playwrightRequest.newContext({ baseURL });
    const csrf = (await (await api.get("/api/auth/csrf")).json()) as { csrfToken: string };
    const response = await api.post("/api/auth/callback/credentials", {
      form: { csrfToken: csrf.csrfToken, email: owner.email, password: owner.password, json: "true" },
      headers: { "sec-fetch-site": "cross-site" },
      maxRedirects: 0,
    });
    expect(response.status()).toBe(403);
    expect((await response.json()).error).toMatchObject({ code: "forbidden", reason: "cross_site_request" });
    expect(await sessionUid(api)).toBeUndefined();
    await api.dispose();
  });

  test("a sign-in without next-auth's CSRF token gets no session", async ({ baseURL }) => {
    test.skip(
      process.env.AUTH_DRIVER === "firebase",
      "local accounts sign in through next-auth's credentials; Firebase sign-in has none",
    );
    const api = await playwrightRequest.newContext({ baseURL });
    const response = await api.post("/api/auth/callback/credentials", {
      form: { email: owner.email, password: owner.password, json: "true" },
      maxRedirects: 0,
    });
    expect(response.status()).toBe(200);
    expect(await response.json()).toEqual({ url: `${new URL(baseURL as string).origin}/api/auth/signin?csrf=true` });
    expect(await sessionUid(api)).toBeUndefined();
    await api.dispose();
  });
});

test.describe("security headers", () => {
  test("pages: a nonce-based CSP, fresh per answer, on every script Next renders", async ({ request }) => {
    const nonces: string[] = [];
    for (const path of ["/signin", "/docs", "/signin"]) {
      const response = await request.get(path);
      expect(response.status()).toBe(200);
      const csp = response.headers()["content-security-policy"] ?? "";
      const nonce = csp.match(/script-src 'self' 'nonce-([A-Za-z0-9+/=]+)' 'strict-dynamic'(;|$)/)?.[1];
      expect(nonce, csp).toBeTruthy();
      expect(csp).toContain("script-src-attr 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).toMatch(/connect-src 'self' http:\/\/127\.0\.0\.1:\d+ ws:\/\/127\.0\.0\.1:\d+( |;|$)/);
      const html = await response.text();
      const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
      expect(scripts.length).toBeGreaterThan(0);
      for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
      expect(html).not.toMatch(/\son[a-z]+="/);
      nonces.push(nonce as string);
    }
    expect(new Set(nonces).size).toBe(nonces.length);
  });

  test("a CSP sent by the client is replaced, never trusted for the nonce", async ({ request }) => {
    const response = await request.get("/signin", {
      headers: { "content-security-policy": "script-src 'nonce-attackerchosen'" },
    });
    expect(response.headers()["content-security-policy"]).not.toContain("attackerchosen");
    expect(await response.text()).not.toContain("attackerchosen");
  });

  test("API answers: nothing may load, never framed; no HSTS over plain http", async ({ request }) => {
    const response = await request.get("/api/health");
    expect(response.headers()["content-security-policy"]).toBe(
      "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    );
    expect(response.headers()["strict-transport-security"]).toBeUndefined();
    const direct = await request.post("/api/rcan/heartbeat", { data: {} });
    expect(direct.headers()["content-security-policy"]).toBe(
      "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    );
  });

  test("HSTS and upgrade-insecure-requests when PUBLIC_URL is https", async () => {
    const server = await startTestServer({
      env: { PUBLIC_URL: "https://console.example.test", RELAY_PUBLIC_URL: "https://relay.example.test" },
    });
    try {
      for (const path of ["/api/health", "/signin", "/api/rcan/lookup"]) {
        const response = await fetch(`${server.url}${path}`);
        expect(response.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
      }
      const csp = (await fetch(`${server.url}/signin`)).headers.get("content-security-policy") ?? "";
      expect(csp).toContain(
        "connect-src 'self' https://console.example.test wss://console.example.test https://relay.example.test wss://relay.example.test",
      );
      expect(csp).toMatch(/; upgrade-insecure-requests$/);
    } finally {
      await server.stop();
    }
  });
});

test("the test helpers' session contexts send Origin as a browser does, and their writes pass", async ({ baseURL }) => {
  const admin = await adminApi(baseURL as string);
  const created = await admin.post("/api/console/provisioning-tokens", {
    data: { model: "companion-v1", label: uniqueEmail("t") },
  });
  expect(created.status()).toBe(201);
});
