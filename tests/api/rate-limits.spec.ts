import { expect, test } from "@playwright/test";
import { createToken, registeredRobot } from "../support/robots";
import { startTestServer, type TestServer } from "../support/test-server";
import { sessionApi, signIn } from "../support/users";

/** A private server with low limits, so the limits are reached in a few requests. */
let server: TestServer;
test.beforeAll(async () => {
  server = await startTestServer({ env: { ROBOT_RATE_LIMIT_PER_MIN: "5", USER_RATE_LIMIT_PER_MIN: "8" } });
});
test.afterAll(async () => {
  await server.stop();
});

test("a robot past its per-minute limit gets 429 with Retry-After; other robots are unaffected", async () => {
  const api = await sessionApi(server.url);
  await api.post("/api/auth/signup", {
    data: { email: "admin@example.test", password: "admin password 123", display_name: "A" },
  });
  await signIn(api, "admin@example.test", "admin password 123");
  const token = await createToken(api, { max_uses: 10 });
  const robot = await registeredRobot(server.url, token.token);
  const statuses: number[] = [];
  let limited: Response | null = null;
  for (let i = 0; i < 7; i++) {
    const response = await robot.request("POST", "/api/rcan/heartbeat", { json: { status: "online" } });
    statuses.push(response.status);
    if (response.status === 429) limited = response;
  }
  // registration counted as the robot's first request of the minute
  expect(statuses.filter((status) => status === 200)).toHaveLength(4);
  expect(statuses.slice(4)).toEqual([429, 429, 429]);
  expect(Number(limited?.headers.get("retry-after"))).toBeGreaterThan(0);
  expect(((await limited?.json()) as { error: { code: string; reason: string } }).error).toMatchObject({
    code: "rate_limited",
    reason: "rate_limited",
  });
  const other = await registeredRobot(server.url, token.token);
  expect((await other.request("POST", "/api/rcan/heartbeat", { json: { status: "online" } })).status).toBe(200);
});

test("a signed-in user past the per-minute limit gets 429 with Retry-After", async () => {
  const api = await sessionApi(server.url);
  await api.post("/api/auth/signup", {
    data: { email: "busy@example.test", password: "busy password 123", display_name: "B" },
  });
  await signIn(api, "busy@example.test", "busy password 123");
  const statuses: number[] = [];
  for (let i = 0; i < 10; i++) statuses.push((await api.get("/api/robots")).status());
  expect(statuses.slice(0, 8).every((status) => status === 200)).toBe(true);
  expect(statuses.slice(8)).toEqual([429, 429]);
});
