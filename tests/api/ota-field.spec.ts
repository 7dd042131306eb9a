import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { FieldRuntimeClient } from "../../tools/ota-verify/field-client";
import { main as verifyMain } from "../../tools/ota-verify/ota-verify.mjs";
import {
  anonymousApi,
  buildBundle,
  getBundle,
  operatorUser,
  registerFleet,
  rollout,
  seedProductionModel,
  tamperBlob,
  uniqueRobotModel,
  waitFor,
} from "../support/ota";
import { adminApi } from "../support/users";

test.describe("the field runtime's index, downloads and keys", () => {
  test.describe.configure({ timeout: 120_000 });

  test("a client written to the field runtime's rules updates from registry.json and refuses a tampered bundle", async ({
    baseURL,
  }) => {
    const base = baseURL as string;
    const admin = await adminApi(base);
    const operator = await operatorUser(base, admin);
    const model = uniqueRobotModel("field");
    const [robot] = await registerFleet(base, admin, model, 1);
    const anonymous = await anonymousApi(base);
    const indexUrl = `${base}/api/ota/${robot!.deviceId}/registry.json`;

    const empty = await anonymous.get(indexUrl);
    expect(empty.status()).toBe(200);
    expect(empty.headers()["content-type"]).toBe("application/json");
    expect(await empty.json()).toEqual({ models: {} });

    const v1 = await buildBundle(operator.api, {
      model_id: await seedProductionModel(model, "1.1.0"),
      version: "1.1.0",
    });
    await rollout(operator.api, v1.bundle_id, "stage");
    await rollout(operator.api, v1.bundle_id, "approve", { to: "production" });

    // Every timestamp of the index parses with Python 3.10's datetime.fromisoformat (no `Z`).
    const indexText = await (await anonymous.get(indexUrl)).text();
    const parsed = JSON.parse(
      execFileSync("python3", ["tests/support/py310_fromisoformat.py"], { input: indexText, encoding: "utf8" }),
    ) as { checked: Array<{ path: string; value: string; ok: boolean; error: string | null }> };
    const version = "$.models.seed.versions.1.1.0";
    expect(parsed.checked.map((item) => item.path).sort()).toEqual(
      [`${version}.created_at`, `${version}.metadata.download_url_expires_at`].sort(),
    );
    for (const item of parsed.checked) expect(item, item.path).toMatchObject({ ok: true, error: null });

    const rawKey = await anonymous.get("/api/ota/public-key?format=raw");
    expect(rawKey.status()).toBe(200);
    expect(rawKey.headers()["content-type"]).toBe("application/octet-stream");
    const raw = Buffer.from(await rawKey.body());
    expect(raw).toHaveLength(32);
    // The same key as the base64 form: what the field updater reads from keys/model_signing.pub.
    const base64Key = (await (await anonymous.get("/api/ota/public-key?format=base64")).text()).trim();
    expect(raw.toString("base64")).toBe(base64Key);
    const root = await mkdtemp(join(tmpdir(), "ota-field-e2e-"));
    try {
      const field = new FieldRuntimeClient({ indexUrl, root, publicKey: raw });
      expect(await field.poll()).toEqual({ status: "updated", version: "1.1.0", previous: "0.0.0" });
      expect(await field.poll()).toEqual({ status: "no_update", reason: "up to date" });
      // The platform saw the fetch of a robot that never reports.
      const rows = await waitFor(async () => {
        const response = await operator.api.get(
          `/api/console/ota/bundles/${encodeURIComponent(v1.bundle_id)}/deployments`,
        );
        const body = (await response.json()) as {
          deployments: Array<{ device_id: string; state: string; offered_via: string; fetch_count: number }>;
        };
        return body.deployments.length ? body.deployments : null;
      }, "the deployment");
      expect(rows[0]).toMatchObject({
        device_id: robot!.deviceId,
        state: "downloaded",
        offered_via: "index",
        fetch_count: 1,
      });

      // v1.2.0 is tampered with in storage after signing: the robot refuses it and keeps 1.1.0.
      const v2 = await buildBundle(operator.api, {
        model_id: await seedProductionModel(model, "1.2.0"),
        version: "1.2.0",
      });
      await rollout(operator.api, v2.bundle_id, "stage");
      await rollout(operator.api, v2.bundle_id, "approve", { to: "production" });
      await tamperBlob(v2.storage_ref);
      expect(await field.poll()).toMatchObject({ status: "refused", version: "1.2.0", step: "checksum" });
      expect(await field.installedVersion()).toBe("1.1.0");
      // The console's verification sees it too.
      const verify = await operator.api.post(`/api/console/ota/bundles/${encodeURIComponent(v2.bundle_id)}/verify`);
      expect(await verify.json()).toMatchObject({ ok: false, checksum_ok: false, signature_ok: false });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  test("downloads stream with Range and HEAD; links are bound to robot and bundle; keys are published raw and as JWK", async ({
    baseURL,
  }) => {
    const base = baseURL as string;
    const admin = await adminApi(base);
    const operator = await operatorUser(base, admin);
    const model = uniqueRobotModel("range");
    const [robot] = await registerFleet(base, admin, model, 1);
    const bundle = await buildBundle(operator.api, {
      model_id: await seedProductionModel(model, "1.0.0"),
      version: "1.0.0",
    });
    await rollout(operator.api, bundle.bundle_id, "stage");
    await rollout(operator.api, bundle.bundle_id, "approve", { to: "production" });
    const { update } = await robot!.requestJson<{
      update: { download_url: string; checksum: string; signature: string; size_bytes: number };
    }>("GET", "/api/ota/check");
    const anonymous = await anonymousApi(base);
    const url = update.download_url.replace(/^https?:\/\/[^/]+/, "");
    const head = await anonymous.head(url);
    expect(head.status()).toBe(200);
    expect(head.headers()["accept-ranges"]).toBe("bytes");
    // HEAD reports the length a GET would send (resumable clients size their download from it).
    expect(head.headers()["content-length"]).toBe(String(update.size_bytes));
    expect(`sha256:${head.headers()["x-checksum-sha256"]}`).toBe(update.checksum);
    expect(head.headers()["x-signature-ed25519"]).toBe(update.signature);
    const part = await anonymous.get(url, { headers: { range: "bytes=0-1023" } });
    expect(part.status()).toBe(206);
    expect(part.headers()["content-length"]).toBe("1024");
    expect(part.headers()["content-range"]).toBe(`bytes 0-1023/${update.size_bytes}`);
    const rest = await anonymous.get(url, { headers: { range: "bytes=1024-" } });
    expect(rest.status()).toBe(206);
    const whole = Buffer.concat([await part.body(), await rest.body()]);
    expect(`sha256:${createHash("sha256").update(whole).digest("hex")}`).toBe(update.checksum);
    const past = await anonymous.get(url, { headers: { range: `bytes=${update.size_bytes + 10}-` } });
    expect(past.status()).toBe(416);
    expect(past.headers()["content-range"]).toBe(`bytes */${update.size_bytes}`);
    expect((await past.json()).error).toMatchObject({ code: "invalid", reason: "range_not_satisfiable" });
    // Conditional requests: the ETag is the bundle's SHA-256.
    const etag = `"${update.checksum.replace(/^sha256:/, "")}"`;
    expect(head.headers().etag).toBe(etag);
    const lastModified = head.headers()["last-modified"] as string;
    expect(new Date(lastModified).toUTCString()).toBe(lastModified);
    const unchanged = await anonymous.get(url, { headers: { "if-none-match": etag } });
    expect(unchanged.status()).toBe(304);
    expect((await unchanged.body()).length).toBe(0);
    expect((await anonymous.get(url, { headers: { "if-modified-since": lastModified } })).status()).toBe(304);
    const resumed = await anonymous.get(url, { headers: { range: "bytes=1024-", "if-range": etag } });
    expect(resumed.status()).toBe(206);
    expect((await resumed.body()).equals(await rest.body())).toBe(true);
    // A resume against a file that changed since gets the whole new file, not a part of it.
    const changed = await anonymous.get(url, { headers: { range: "bytes=1024-", "if-range": '"an-older-build"' } });
    expect(changed.status()).toBe(200);
    expect((await changed.body()).equals(whole)).toBe(true);
    const stale = await anonymous.get(url, { headers: { "if-match": '"an-older-build"' } });
    expect(stale.status()).toBe(412);
    expect((await stale.json()).error).toMatchObject({ code: "precondition_failed", reason: "precondition_failed" });
    const forged = await anonymous.get(url.replace(/device=[0-9a-f]+/, "device=00000000"));
    expect(forged.status()).toBe(403);
    expect((await forged.json()).error).toMatchObject({ code: "forbidden", reason: "download_link_invalid" });

    // The signature verifies with the published key, with the standalone script.
    const key = (await (await anonymous.get("/api/ota/public-key?format=base64")).text()).trim();
    const json = (await (await anonymous.get("/api/ota/public-key")).json()) as {
      key_id: string;
      public_key: string;
      jwk: { x: string; kid: string };
    };
    expect(json.public_key).toBe(key);
    expect(Buffer.from(json.jwk.x, "base64url").toString("base64")).toBe(key);
    const jwks = await anonymous.get("/.well-known/ota-keys.json");
    expect(jwks.headers()["content-type"]).toContain("application/json");
    expect(((await jwks.json()) as { keys: Array<{ kid: string; crv: string }> }).keys[0]).toMatchObject({
      kid: json.key_id,
      crv: "Ed25519",
    });
    expect((await getBundle(operator.api, bundle.bundle_id)).key_id).toBe(json.key_id);

    const dir = await mkdtemp(join(tmpdir(), "ota-verify-e2e-"));
    try {
      const written: string[] = [];
      const original = process.stdout.write.bind(process.stdout);
      process.stdout.write = ((chunk: string) => (written.push(String(chunk)), true)) as typeof process.stdout.write;
      let code: number;
      try {
        code = await verifyMain([
          "--index",
          `${base}/api/ota/${robot!.deviceId}/registry.json`,
          "--public-key",
          key,
          "--extract",
          join(dir, "out"),
        ]);
      } finally {
        process.stdout.write = original;
      }
      expect(JSON.parse(written.join(""))).toMatchObject({ ok: true, version: "1.0.0" });
      expect(code).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
