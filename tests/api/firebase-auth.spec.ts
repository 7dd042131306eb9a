import { expect, request as playwrightRequest, test } from "@playwright/test";
import { startAuthEmulator, type AuthEmulator } from "../support/firebase-auth-emulator";
import { startTestServer, type TestServer } from "../support/test-server";

/** The cloud sign-in path: Firebase ID tokens from the Auth emulator, verified with firebase-admin. */
let emulator: AuthEmulator;
let server: TestServer;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  emulator = await startAuthEmulator();
  server = await startTestServer({
    env: {
      AUTH_DRIVER: "firebase",
      GOOGLE_CLOUD_PROJECT: emulator.projectId,
      FIREBASE_API_KEY: "demo-key",
      FIREBASE_AUTH_EMULATOR_HOST: emulator.host,
    },
  });
});
test.afterAll(async () => {
  await server?.stop();
  await emulator?.stop();
});

test("a Firebase ID token becomes a session; the first user is admin, the next an owner", async () => {
  const first = await emulator.signUp("first@example.test", "secret-123456");
  const api = await playwrightRequest.newContext({ baseURL: server.url });
  const csrf = (await (await api.get("/api/auth/csrf")).json()) as { csrfToken: string };
  const callback = await api.post("/api/auth/callback/firebase", {
    form: { csrfToken: csrf.csrfToken, idToken: first.idToken, json: "true", callbackUrl: "/console" },
    maxRedirects: 0,
  });
  expect(callback.status()).toBeLessThan(400);
  const session = await (await api.get("/api/auth/session")).json();
  expect(session.uid).toBe(first.uid);
  const users = await api.get("/api/console/users");
  expect(users.status()).toBe(200);
  expect((await users.json()).users[0]).toMatchObject({
    uid: first.uid,
    role: "admin",
    auth_provider: "firebase",
    email: "first@example.test",
  });

  const second = await emulator.signUp("second@example.test", "secret-123456");
  const bearer = await playwrightRequest.newContext({
    baseURL: server.url,
    extraHTTPHeaders: { authorization: `Bearer ${second.idToken}` },
  });
  const denied = await bearer.get("/api/console/users");
  expect(denied.status()).toBe(403);
  expect((await denied.json()).error.reason).toBe("role_required");
});

test.describe("refused Firebase credentials", () => {
  for (const [name, token] of [
    ["a malformed token", "not-a-jwt"],
    [
      "a token for another project",
      "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJhdWQiOiJvdGhlci1wcm9qZWN0IiwiaXNzIjoiaHR0cHM6Ly9zZWN1cmV0b2tlbi5nb29nbGUuY29tL290aGVyLXByb2plY3QiLCJzdWIiOiJ4IiwiZXhwIjo0MTAyNDQ0ODAwLCJpYXQiOjE3MDAwMDAwMDB9.",
    ],
  ] as const) {
    test(`${name} → 401 invalid_id_token, no account created`, async () => {
      const bearer = await playwrightRequest.newContext({
        baseURL: server.url,
        extraHTTPHeaders: { authorization: `Bearer ${token}` },
      });
      const response = await bearer.get("/api/console/users");
      expect(response.status()).toBe(401);
      expect((await response.json()).error.reason).toBe("invalid_id_token");
    });
  }

  test("local sign-up is closed when accounts come from Firebase", async () => {
    const api = await playwrightRequest.newContext({ baseURL: server.url });
    const response = await api.post("/api/auth/signup", {
      data: { email: "x@example.test", password: "long enough pw", display_name: "x" },
    });
    expect(response.status()).toBe(403);
    expect((await response.json()).error.reason).toBe("local_accounts_disabled");
  });
});
