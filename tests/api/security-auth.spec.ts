import { request as httpRequest } from "node:http";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { startTestServer, type TestServer } from "../support/test-server";
import {
  adminApi,
  sessionApi,
  signInWithPassword,
  signUpAndSignIn,
  uniqueEmail,
  type SignedInUser,
} from "../support/users";

/**
 * Sign-in, sessions and accounts, as an attacker meets them over HTTP: open redirects after
 * sign-in, sessions that outlive sign-out, lockouts anyone can cause, weak passwords and sign-up
 * answers that tell who has an account. Each case checks the exact status and reason, and that
 * nothing changed.
 */

const COOKIE = "next-auth.session-token";

// Local accounts (passwords, sign-up, next-auth's credentials): a server that signs in with Firebase has none.
test.skip(process.env.AUTH_DRIVER === "firebase", "local accounts only: this server signs in with Firebase");

/** The session cookie a signed-in context holds (what a thief would copy). */
async function sessionCookie(api: APIRequestContext): Promise<string> {
  const cookie = (await api.storageState()).cookies.find((candidate) => candidate.name === COOKIE);
  if (!cookie) throw new Error("no session cookie");
  return cookie.value;
}

/** A request made with nothing but the given session cookie. */
async function withCookie(baseURL: string, cookie: string, path: string) {
  const api = await sessionApi(baseURL);
  try {
    const response = await api.get(path, { headers: { cookie: `${COOKIE}=${cookie}` }, maxRedirects: 0 });
    const text = await response.text();
    return { status: response.status(), headers: response.headers(), text };
  } finally {
    await api.dispose();
  }
}

async function expectRefused(baseURL: string, cookie: string, reason: string) {
  const api = await withCookie(baseURL, cookie, "/api/robots");
  expect(api.status).toBe(401);
  expect(JSON.parse(api.text).error).toMatchObject({ code: "unauthenticated", reason });
  const page = await withCookie(baseURL, cookie, "/console/robots?sort=name");
  expect(page.status).toBe(307);
  expect(page.headers.location).toBe(`/signin?callbackUrl=${encodeURIComponent("/console/robots?sort=name")}`);
  const session = await withCookie(baseURL, cookie, "/api/auth/session");
  expect(JSON.parse(session.text)).toEqual({});
}

async function expectAccepted(baseURL: string, cookie: string) {
  const api = await withCookie(baseURL, cookie, "/api/robots");
  expect(api.status).toBe(200);
}

/** POST JSON from a chosen local address (127.0.0.x: another client of the same server). */
function postFrom(
  baseURL: string,
  localAddress: string,
  path: string,
  body: unknown,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; json: unknown }> {
  const url = new URL(path, baseURL);
  const data = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        localAddress,
        headers: { "content-type": "application/json", "content-length": String(data.length), origin: url.origin },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            json: JSON.parse(Buffer.concat(chunks).toString()),
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(data);
  });
}

async function userCount(baseURL: string): Promise<number> {
  const admin = await adminApi(baseURL);
  const users = (await (await admin.get("/api/console/users?limit=200")).json()) as { users: unknown[] };
  await admin.dispose();
  return users.users.length;
}

test.describe("open redirects after sign-in", () => {
  /** Each candidate callback and where a signed-in user must end up (`/console` when refused). */
  const CASES: Array<[string, string]> = [
    ["/console/ota?track=stable", "/console/ota?track=stable"],
    ["/console/episodes/ep_1/replay?step=1200", "/console/episodes/ep_1/replay?step=1200"],
    ["/%5Cevil.example/", "/%5Cevil.example/"],
    ["/%09/evil.example/", "/%09/evil.example/"],
    ["/%2F%2Fevil.example/", "/%2F%2Fevil.example/"],
    ["//evil.example/", "/console"],
    ["///evil.example/", "/console"],
    ["/\\evil.example/", "/console"],
    ["\\\\evil.example/", "/console"],
    ["/\t/evil.example/", "/console"],
    ["/\n/evil.example/", "/console"],
    ["/\r\n/evil.example/", "/console"],
    [" //evil.example/", "/console"],
    ["https://evil.example/", "/console"],
    ["HtTpS://evil.example/", "/console"],
    ["https:evil.example", "/console"],
    ["http:/evil.example", "/console"],
    ["javascript:alert(document.domain)", "/console"],
    ["JAVASCRIPT:alert(1)", "/console"],
    ["java\tscript:alert(1)", "/console"],
    ["data:text/html,<script>alert(1)</script>", "/console"],
    ["/.//evil.example/", "/console"],
    ["https://127.0.0.1@evil.example/", "/console"],
    ["//127.0.0.1@evil.example/", "/console"],
  ];

  let user: SignedInUser;
  test.beforeAll(async ({ baseURL }) => {
    user = await signUpAndSignIn(baseURL as string, "redirect");
  });

  for (const [candidate, expected] of CASES) {
    test(`callbackUrl ${JSON.stringify(candidate)} → ${expected}`, async ({ baseURL }) => {
      const origin = new URL(baseURL as string).origin;
      // The sign-in page, signed in: it redirects at once.
      const page = await user.api.get(`/signin?callbackUrl=${encodeURIComponent(candidate)}`, { maxRedirects: 0 });
      expect(page.status()).toBe(307);
      const location = new URL(page.headers().location as string, origin);
      expect(location.origin).toBe(origin);
      expect(`${location.pathname}${location.search}`).toBe(expected);
      // Our sign-in route answers the destination the form goes to.
      const signIn = await user.api.post("/api/auth/sign-in", {
        data: { email: user.email, password: user.password, callbackUrl: candidate },
      });
      expect(signIn.status()).toBe(200);
      expect((await signIn.json()).redirect_to).toBe(expected);
      // next-auth's own redirect callback follows the same rule.
      const csrf = (await (await user.api.get("/api/auth/csrf")).json()) as { csrfToken: string };
      const nextAuth = await user.api.post("/api/auth/callback/credentials", {
        form: {
          csrfToken: csrf.csrfToken,
          email: user.email,
          password: user.password,
          json: "true",
          callbackUrl: candidate,
        },
        maxRedirects: 0,
      });
      expect(nextAuth.status()).toBe(200);
      expect((await nextAuth.json()).url).toBe(`${origin}${expected}`);
    });
  }
});

test.describe("sessions end server-side", () => {
  test("sign-out: the copied cookie is refused afterwards", async ({ baseURL }) => {
    const user = await signUpAndSignIn(baseURL as string, "signout");
    const copied = await sessionCookie(user.api);
    await expectAccepted(baseURL as string, copied);
    const csrf = (await (await user.api.get("/api/auth/csrf")).json()) as { csrfToken: string };
    const signOut = await user.api.post("/api/auth/signout", {
      form: { csrfToken: csrf.csrfToken, json: "true", callbackUrl: "/" },
      maxRedirects: 0,
    });
    expect(signOut.status()).toBe(200);
    await expectRefused(baseURL as string, copied, "session_revoked");
    // A fresh sign-in works as before.
    const again = await sessionApi(baseURL as string);
    await signInWithPassword(again, user.email, user.password);
    await expectAccepted(baseURL as string, await sessionCookie(again));
  });

  test("a role change: the old cookie is refused, the admin's own session is not", async ({ baseURL }) => {
    const user = await signUpAndSignIn(baseURL as string, "promoted");
    const copied = await sessionCookie(user.api);
    const admin = await adminApi(baseURL as string);
    const changed = await admin.patch(`/api/console/users/${user.uid}/role`, { data: { role: "operator" } });
    expect(changed.status()).toBe(200);
    await expectRefused(baseURL as string, copied, "session_revoked");
    expect((await admin.get("/api/console/users?limit=1")).status()).toBe(200);
    const again = await sessionApi(baseURL as string);
    expect(await signInWithPassword(again, user.email, user.password)).toEqual({
      uid: user.uid,
      email: user.email,
      role: "operator",
      redirect_to: "/console",
    });
  });

  test("an account disabled by an admin: its cookie and its password are refused until enabled", async ({
    baseURL,
  }) => {
    const user = await signUpAndSignIn(baseURL as string, "disabled");
    const copied = await sessionCookie(user.api);
    const admin = await adminApi(baseURL as string);
    const owner = await user.api.patch(`/api/console/users/${user.uid}/disabled`, { data: { disabled: true } });
    expect(owner.status()).toBe(403);
    expect((await owner.json()).error).toMatchObject({ code: "forbidden", reason: "role_required" });
    const disabled = await admin.patch(`/api/console/users/${user.uid}/disabled`, { data: { disabled: true } });
    expect(disabled.status()).toBe(200);
    expect(await disabled.json()).toMatchObject({ uid: user.uid, disabled: true });
    await expectRefused(baseURL as string, copied, "account_disabled");
    const signIn = await (
      await sessionApi(baseURL as string)
    ).post("/api/auth/sign-in", {
      data: { email: user.email, password: user.password },
    });
    expect(signIn.status()).toBe(401);
    expect((await signIn.json()).error).toMatchObject({ code: "unauthenticated", reason: "account_disabled" });
    const enabled = await admin.patch(`/api/console/users/${user.uid}/disabled`, { data: { disabled: false } });
    expect(await enabled.json()).toEqual({ uid: user.uid, disabled: false, disabled_at: null });
    // Enabling does not bring the old cookie back; signing in again works.
    await expectRefused(baseURL as string, copied, "session_revoked");
    const again = await sessionApi(baseURL as string);
    await signInWithPassword(again, user.email, user.password);
    await expectAccepted(baseURL as string, await sessionCookie(again));
  });

  test("a password change: every session ends, the old password stops working", async ({ baseURL }) => {
    const user = await signUpAndSignIn(baseURL as string, "rotate");
    const copied = await sessionCookie(user.api);
    const other = await sessionApi(baseURL as string);
    await signInWithPassword(other, user.email, user.password);
    const otherCookie = await sessionCookie(other);
    const wrong = await user.api.post("/api/auth/password", {
      data: { current_password: "not the password", new_password: "lunar teapot gravel quartet" },
    });
    expect(wrong.status()).toBe(400);
    expect((await wrong.json()).error).toMatchObject({ code: "invalid", reason: "wrong_current_password" });
    await expectAccepted(baseURL as string, copied);
    const changed = await user.api.post("/api/auth/password", {
      data: { current_password: user.password, new_password: "lunar teapot gravel quartet" },
    });
    expect(changed.status()).toBe(200);
    expect(await changed.json()).toEqual({ changed: true, signed_out: true });
    await expectRefused(baseURL as string, copied, "session_revoked");
    await expectRefused(baseURL as string, otherCookie, "session_revoked");
    const old = await (
      await sessionApi(baseURL as string)
    ).post("/api/auth/sign-in", {
      data: { email: user.email, password: user.password },
    });
    expect(old.status()).toBe(401);
    expect((await old.json()).error).toMatchObject({ code: "unauthenticated", reason: "bad_credentials" });
    const again = await sessionApi(baseURL as string);
    await signInWithPassword(again, user.email, "lunar teapot gravel quartet");
  });
});

test.describe("password policy", () => {
  const WEAK: Array<[string, string]> = [
    ["1234567890", "Choose a harder password: it is one of the hundred most used passwords."],
    ["aaaaaaaaaa", 'Choose a harder password: it repeats a character ("aaa").'],
    ["password123", "Choose a harder password: it is on lists of commonly used and breached passwords."],
  ];
  for (const [password, why] of WEAK) {
    test(`sign-up with ${JSON.stringify(password)} → 400 weak_password, nothing created`, async ({
      request,
      baseURL,
    }) => {
      const before = await userCount(baseURL as string);
      const email = uniqueEmail("weak");
      const response = await request.post("/api/auth/signup", { data: { email, password, display_name: "Weak" } });
      expect(response.status()).toBe(400);
      const message = `${why} Several unrelated words make a strong one.`;
      expect((await response.json()).error).toMatchObject({
        code: "invalid",
        reason: "weak_password",
        message,
        details: { issues: [{ path: "password", message }] },
      });
      expect(await userCount(baseURL as string)).toBe(before);
      const signIn = await request.post("/api/auth/sign-in", {
        data: { email, password },
        headers: { origin: new URL(baseURL as string).origin },
      });
      expect(signIn.status()).toBe(401);
    });

    test(`password change to ${JSON.stringify(password)} → 400 weak_password, the old one still works`, async ({
      baseURL,
    }) => {
      const user = await signUpAndSignIn(baseURL as string, "keeper");
      const response = await user.api.post("/api/auth/password", {
        data: { current_password: user.password, new_password: password },
      });
      expect(response.status()).toBe(400);
      expect((await response.json()).error).toMatchObject({ code: "invalid", reason: "weak_password" });
      await expectAccepted(baseURL as string, await sessionCookie(user.api));
      await signInWithPassword(await sessionApi(baseURL as string), user.email, user.password);
    });
  }
});

test.describe("sign-up does not tell who has an account", () => {
  test("a taken email gets the same answer as a free one and the account is untouched", async ({
    request,
    baseURL,
  }) => {
    const existing = await signUpAndSignIn(baseURL as string, "taken");
    const before = await userCount(baseURL as string);
    const free = uniqueEmail("free");
    const fresh = await request.post("/api/auth/signup", {
      data: { email: free, password: "violet harbor engine", display_name: "Free" },
    });
    const taken = await request.post("/api/auth/signup", {
      data: { email: existing.email, password: "violet harbor engine", display_name: "Impostor" },
    });
    expect([fresh.status(), taken.status()]).toEqual([202, 202]);
    const message =
      "Sign in with this email and password. If the email already had an account, that account is unchanged.";
    expect(await fresh.json()).toEqual({ status: "accepted", email: free, message });
    expect(await taken.json()).toEqual({ status: "accepted", email: existing.email, message });
    expect(await userCount(baseURL as string)).toBe(before + 1);
    // The owner's password, name and session are as they were.
    await expectAccepted(baseURL as string, await sessionCookie(existing.api));
    const impostor = await request.post("/api/auth/sign-in", {
      data: { email: existing.email, password: "violet harbor engine" },
      headers: { origin: new URL(baseURL as string).origin },
    });
    expect(impostor.status()).toBe(401);
    expect((await impostor.json()).error).toMatchObject({ reason: "bad_credentials" });
    const owner = await sessionApi(baseURL as string);
    expect((await signInWithPassword(owner, existing.email, existing.password)).uid).toBe(existing.uid);
    const admin = await adminApi(baseURL as string);
    const users = (await (await admin.get("/api/console/users?limit=200")).json()) as {
      users: Array<{ uid: string; display_name: string }>;
    };
    expect(users.users.find((candidate) => candidate.uid === existing.uid)?.display_name).toBe("taken");
  });
});

test.describe("sign-in throttling", () => {
  test("five wrong passwords block that address for that account (429, Retry-After); the owner's other client signs in", async ({
    baseURL,
  }) => {
    const user = await signUpAndSignIn(baseURL as string, "target");
    const attacker = await sessionApi(baseURL as string);
    for (let i = 0; i < 5; i++) {
      const wrong = await attacker.post("/api/auth/sign-in", { data: { email: user.email, password: `guess ${i}` } });
      expect(wrong.status()).toBe(401);
      expect(wrong.headers()["retry-after"]).toBeUndefined();
    }
    const blocked = await attacker.post("/api/auth/sign-in", { data: { email: user.email, password: user.password } });
    expect(blocked.status()).toBe(429);
    expect(blocked.headers()["retry-after"]).toBe("30");
    expect((await blocked.json()).error).toMatchObject({
      code: "rate_limited",
      reason: "sign_in_throttled",
      message: "Too many sign-in attempts from here; try again in 30 seconds.",
    });
    expect((await attacker.storageState()).cookies).toEqual([]);
    // next-auth's credentials callback is held back too (no session).
    const csrf = (await (await attacker.get("/api/auth/csrf")).json()) as { csrfToken: string };
    await attacker.post("/api/auth/callback/credentials", {
      form: { csrfToken: csrf.csrfToken, email: user.email, password: user.password, json: "true" },
      maxRedirects: 0,
    });
    expect(await (await attacker.get("/api/auth/session")).json()).toEqual({});
    // The owner, from another address, is not locked out.
    const owner = await postFrom(baseURL as string, "127.0.0.2", "/api/auth/sign-in", {
      email: user.email,
      password: user.password,
    });
    expect(owner.status).toBe(200);
    expect(owner.json).toMatchObject({ uid: user.uid });
    // … and the refusals are in the audit log with the address.
    const admin = await adminApi(baseURL as string);
    const audit = (await (await admin.get("/api/console/audit?action=user.sign_in&limit=100")).json()) as {
      entries: Array<{ outcome: string; ip: string; details: Record<string, unknown> }>;
    };
    const denied = audit.entries.filter((entry) => entry.outcome === "denied" && entry.details.email === user.email);
    expect(denied.map((entry) => entry.details)).toContainEqual({
      email: user.email,
      reason: "throttled",
      scope: "account_address",
      retry_after_s: 30,
    });
  });

  test("ten wrong passwords from many addresses no longer lock the account", async ({ baseURL }) => {
    const user = await signUpAndSignIn(baseURL as string, "lockout");
    for (const address of ["127.0.0.3", "127.0.0.4", "127.0.0.5"]) {
      for (let i = 0; i < 4; i++) {
        const wrong = await postFrom(baseURL as string, address, "/api/auth/sign-in", {
          email: user.email,
          password: `guess ${i}`,
        });
        expect(wrong.status).toBe(401);
      }
    }
    const owner = await sessionApi(baseURL as string);
    expect((await signInWithPassword(owner, user.email, user.password)).uid).toBe(user.uid);
  });
});

test.describe("sign-in throttling per address (a server with the default-sized limit lowered)", () => {
  let server: TestServer;
  test.beforeAll(async () => {
    server = await startTestServer({ env: { SIGNIN_RATE_LIMIT_PER_15MIN: "6" } });
  });
  test.afterAll(async () => {
    await server.stop();
  });

  test("an address guessing across accounts is blocked for all of them; other addresses are not", async () => {
    const api = await sessionApi(server.url);
    expect(
      (
        await api.post("/api/auth/signup", {
          data: { email: "ada@example.test", password: "marble falcon ledger", display_name: "Ada" },
        })
      ).status(),
    ).toBe(202);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const email = `someone-${i}@example.test`;
      statuses.push((await api.post("/api/auth/sign-in", { data: { email, password: "guess guess" } })).status());
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401]);
    const blocked = await api.post("/api/auth/sign-in", {
      data: { email: "ada@example.test", password: "marble falcon ledger" },
    });
    expect(blocked.status()).toBe(429);
    expect(Number(blocked.headers()["retry-after"])).toBeGreaterThan(0);
    expect(Number(blocked.headers()["retry-after"])).toBeLessThanOrEqual(900);
    expect((await blocked.json()).error).toMatchObject({ code: "rate_limited", reason: "sign_in_throttled" });
    const owner = await postFrom(server.url, "127.0.0.2", "/api/auth/sign-in", {
      email: "ada@example.test",
      password: "marble falcon ledger",
    });
    expect(owner.status).toBe(200);
  });
});
