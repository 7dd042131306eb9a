import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { createToken, registeredRobot, robotDetail } from "../support/robots";
import { startTestServer, type TestServer } from "../support/test-server";
import { signUpAndSignIn } from "../support/users";

/**
 * Nonces live in the store with their expiry: a request replayed after the server restarted (the
 * same data folder, the same public URL) is still refused, and changes nothing.
 */
test("a replayed nonce is refused after a server restart", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "robots-restart-"));
  let server: TestServer | null = await startTestServer({ dataDir });
  try {
    const port = server.port;
    const admin = await signUpAndSignIn(server.url, "restart-admin");
    expect(admin.role).toBe("admin");
    const { token } = await createToken(admin.api);
    const robot = await registeredRobot(server.url, token);
    const prepared = robot.prepare("POST", "/api/rcan/heartbeat", { json: { battery: 0.33 } });
    const first = await fetch(prepared.url, { method: "POST", headers: prepared.headers, body: prepared.body });
    expect(first.status).toBe(200);
    const before = await robotDetail(admin.api, robot.deviceId);

    await server.stop();
    server = await startTestServer({ dataDir, port });
    const replay = await fetch(prepared.url, { method: "POST", headers: prepared.headers, body: prepared.body });
    expect(replay.status).toBe(401);
    expect((await replay.json()).error).toMatchObject({ code: "unauthenticated", reason: "nonce_replayed" });

    // The session survives the restart too (its secret is kept in the data folder).
    const detail = await robotDetail(admin.api, robot.deviceId);
    expect(detail?.robot.last_heartbeat).toBe(before?.robot.last_heartbeat);
    expect(detail?.heartbeats.length).toBe(before?.heartbeats.length);

    // A fresh signature from the same robot still works after the restart.
    const fresh = await robot.request("POST", "/api/rcan/heartbeat", { json: { battery: 0.34 } });
    expect(fresh.status).toBe(200);
  } finally {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
