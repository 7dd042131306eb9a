import { createHash, generateKeyPairSync } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "@/server/testing/create-test-context";
import { approveRollout } from "./approve-rollout";
import { checkForUpdate } from "./check-for-update";
import { rawPublicKeyOf } from "./ed25519-stream";
import { getFieldIndex } from "./get-field-index";
import { openBundleDownload } from "./open-bundle-download";
import { pauseRollout } from "./pause-rollout";
import { deploymentId, OtaBundles, OtaDeployments } from "./schemas";
import { stageRollout } from "./stage-rollout";
import { buildReadyBundle, OPERATOR, seedModel, seedRobot } from "./testing";
import { verifyBundle } from "./verify-bundle";

async function readAll(stream: NodeJS.ReadableStream | null): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function get(headers: Record<string, string> = {}) {
  return { method: "GET", headers: new Headers(headers) };
}

function linkParams(url: string) {
  const parsed = new URL(url);
  expect(parsed.pathname).toBe("/api/ota/download");
  return {
    bundleId: parsed.searchParams.get("bundle_id")!,
    params: Object.fromEntries(parsed.searchParams) as { device?: string; expires?: string; sig?: string },
  };
}

describe("the field runtime's index and the bundle download", () => {
  let ctx: TestContext;
  beforeEach(() => {
    ctx = createTestContext();
  });
  afterEach(() => ctx.cleanup());

  async function productionBundle(version = "1.1.0") {
    const bundle = await buildReadyBundle(ctx, { model_id: (await seedModel(ctx, { version })).id, version });
    await stageRollout(ctx.as(OPERATOR), { bundle_id: bundle.id });
    await approveRollout(ctx.as(OPERATOR), { bundle_id: bundle.id, to: "production" });
    return bundle;
  }

  it("serves exactly the field format and counts a complete fetch as downloaded", async () => {
    const robot = await seedRobot(ctx, { deviceId: "14d4b680" });
    const bundle = await productionBundle();
    const index = await getFieldIndex(ctx, { deviceId: robot.id });
    expect(Object.keys(index)).toEqual(["models"]);
    expect(Object.keys(index.models)).toEqual(["seed"]);
    const entry = index.models.seed!;
    expect(entry.latest_version).toBe("1.1.0");
    expect(Object.keys(entry.versions)).toEqual(["1.1.0"]);
    const version = entry.versions["1.1.0"]!;
    expect(Object.keys(version).sort()).toEqual(
      [
        "checksum",
        "created_at",
        "download_url",
        "metadata",
        "min_brain_version",
        "release_notes",
        "signature",
        "size_bytes",
      ].sort(),
    );
    expect(version.checksum).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(Buffer.from(version.signature, "base64")).toHaveLength(64);
    expect(version.min_brain_version).toBe("0.0.0");
    // Python 3.10's datetime.fromisoformat (the field updater) refuses a trailing `Z`.
    expect(version.created_at).toBe(bundle.data.created_at.replace(/Z$/, "+00:00"));
    expect(version.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/);
    expect(version.metadata.download_url_expires_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000\+00:00$/);
    expect((await getFieldIndex(ctx, { deviceId: robot.id, modelId: "companion" })).models).toHaveProperty("companion");

    const deployment = await ctx.db.require(OtaDeployments, deploymentId(bundle.id, robot.id));
    expect(deployment.data).toMatchObject({ state: "offered", offered_via: "index" });

    // A resumed download: first the head of the file, then the rest with Range.
    const link = linkParams(version.download_url);
    const head = await openBundleDownload(ctx, { ...link, request: get({ range: "bytes=0-99" }) });
    expect(head.status).toBe(206);
    expect(head.headers["content-range"]).toBe(`bytes 0-99/${version.size_bytes}`);
    const first = await readAll(head.body);
    expect((await ctx.db.require(OtaDeployments, deployment.id)).data.state).toBe("offered");
    const rest = await openBundleDownload(ctx, { ...link, request: get({ range: "bytes=100-" }) });
    const second = await readAll(rest.body);
    const whole = Buffer.concat([first, second]);
    expect(`sha256:${createHash("sha256").update(whole).digest("hex")}`).toBe(version.checksum);
    const fetched = await ctx.db.require(OtaDeployments, deployment.id);
    expect(fetched.data).toMatchObject({ state: "downloaded", fetch_count: 1 });
    expect((await ctx.db.require(OtaBundles, bundle.id)).data.rollout.counts).toMatchObject({
      offered: 0,
      downloaded: 1,
    });

    // The next poll: the robot is known to run 1.1.0 from its fetch; the index still lists it.
    expect((await getFieldIndex(ctx, { deviceId: robot.id })).models.seed?.latest_version).toBe("1.1.0");
  });

  it("answers a whole GET with 200 and refuses bad, expired or paused links", async () => {
    const robot = await seedRobot(ctx, { deviceId: "14d4b681" });
    await productionBundle();
    const index = await getFieldIndex(ctx, { deviceId: robot.id });
    const link = linkParams(index.models.seed!.versions["1.1.0"]!.download_url);
    const whole = await openBundleDownload(ctx, { ...link, request: get() });
    expect(whole.status).toBe(200);
    expect(whole.headers["content-type"]).toBe("application/gzip");
    await readAll(whole.body);
    await expect(
      openBundleDownload(ctx, { ...link, params: { ...link.params, device: "14d4b682" }, request: get() }),
    ).rejects.toMatchObject({
      code: "forbidden",
      reason: "download_link_invalid",
    });
    ctx.clock.advance(3601_000);
    await expect(openBundleDownload(ctx, { ...link, request: get() })).rejects.toMatchObject({
      code: "forbidden",
      reason: "download_link_expired",
    });
    ctx.clock.advance(-3601_000);
    await pauseRollout(ctx.as(OPERATOR), { bundle_id: link.bundleId });
    await expect(openBundleDownload(ctx, { ...link, request: get() })).rejects.toMatchObject({
      code: "conflict",
      reason: "rollout_paused",
    });
  });

  it("answers unknown and malformed device ids with the same empty index as a robot with no release", async () => {
    const robot = await seedRobot(ctx, { deviceId: "14d4b683" });
    const known = await getFieldIndex(ctx, { deviceId: robot.id });
    expect(known).toEqual({ models: {} });
    for (const deviceId of ["deadbeef", "../etc", "DEADBEEF", "0123456789abcdef0123456789abcdef"]) {
      expect(await getFieldIndex(ctx, { deviceId })).toEqual(known);
    }
  });

  it("keeps old bundles verifiable after a key rotation, and never offers a bundle whose key is gone", async () => {
    const robot = await seedRobot(ctx, { deviceId: "14d4b684" });
    const bundle = await productionBundle();
    const oldKey = ctx.secrets.otaSigningKey;
    const newPem = generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString();
    ctx.secrets.otaSigningKey = { privateKeyPem: newPem, keyId: "ota-test-2" };
    ctx.secrets.otaPreviousPublicKeys = {
      [oldKey.keyId]: Buffer.from(rawPublicKeyOf(oldKey.privateKeyPem)).toString("base64"),
    };
    await expect(verifyBundle(ctx.as(OPERATOR), bundle.id)).resolves.toMatchObject({
      ok: true,
      key_id: oldKey.keyId,
      key_known: true,
    });
    expect((await checkForUpdate(ctx.as({ kind: "robot", deviceId: robot.id }), {})).update).toMatchObject({
      key_id: oldKey.keyId,
    });
    // A new bundle is signed with the new key.
    const next = await buildReadyBundle(ctx, {
      model_id: (await seedModel(ctx, { version: "1.2.0" })).id,
      version: "1.2.0",
    });
    expect(next.data.key_id).toBe("ota-test-2");
    await expect(verifyBundle(ctx.as(OPERATOR), next.id)).resolves.toMatchObject({ ok: true });
    // Drop the old key: the old bundle no longer verifies and is no longer offered.
    ctx.secrets.otaPreviousPublicKeys = {};
    await expect(verifyBundle(ctx.as(OPERATOR), bundle.id)).resolves.toMatchObject({
      ok: false,
      key_known: false,
      checksum_ok: true,
    });
    expect(await checkForUpdate(ctx.as({ kind: "robot", deviceId: "14d4b684" }), {})).toEqual({
      update: null,
      reason: "no_release",
    });
    ctx.secrets.otaSigningKey = oldKey;
  });

  it("notices a stored bundle that was tampered with", async () => {
    const bundle = await productionBundle();
    const bytes = await readAll((await ctx.blobs.get(bundle.data.storage_ref)).stream);
    bytes[bytes.length - 10] = (bytes[bytes.length - 10] as number) ^ 0xff;
    await ctx.blobs.put(bundle.data.storage_ref, bytes);
    await expect(verifyBundle(ctx.as(OPERATOR), bundle.id)).resolves.toMatchObject({
      ok: false,
      checksum_ok: false,
      signature_ok: false,
      size_ok: true,
    });
  });
});
