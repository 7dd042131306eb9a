import { createHash, createPublicKey, verify } from "node:crypto";
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import tar from "tar-stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AuditLog } from "@/lib/audit/schemas";
import { WorkItems } from "@/lib/work-queue/schemas";
import { createTestContext, type TestContext } from "@/server/testing/create-test-context";
import { claimWork, getWorkItem, runNextWork } from "@/lib/work-queue/work-queue";
import { BUILD_QUEUE, buildBundle, buildWorkItemId } from "./build-bundle";
import { retryBundleBuild } from "./retry-bundle-build";
import { failAbandonedBundleBuild, runBundleBuild } from "./run-bundle-build";
import { rawPublicKeyOf } from "./ed25519-stream";
import { OtaBundles } from "./schemas";
import { listOtaPublicKeys } from "./signing-key";
import { buildReadyBundle, OPERATOR, OWNER, seedModel } from "./testing";

async function readAll(stream: AsyncIterable<Buffer> | NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function untar(bytes: Buffer): Promise<Map<string, { type: string; data: Buffer }>> {
  const entries = new Map<string, { type: string; data: Buffer }>();
  const extract = tar.extract();
  Readable.from([bytes]).pipe(createGunzip()).pipe(extract);
  for await (const entry of extract) {
    entries.set(entry.header.name, {
      type: entry.header.type ?? "file",
      data: await readAll(entry as unknown as AsyncIterable<Buffer>),
    });
  }
  return entries;
}

describe("building a bundle", () => {
  let ctx: TestContext;
  beforeEach(() => {
    ctx = createTestContext();
  });
  afterEach(() => ctx.cleanup());

  it("streams a signed tar.gz with manifest.json at the root into bundles/ota/{robot_model}/{version}.bundle", async () => {
    const model = await seedModel(ctx);
    const bundle = await buildReadyBundle(ctx, { model_id: model.id, version: "1.1.0", requires_version: ">=1.0.0" });
    expect(bundle.id).toBe("companion-v1@1.1.0");
    expect(bundle.data.storage_ref).toBe("bundles/ota/companion-v1/1.1.0.bundle");
    const bytes = await readAll((await ctx.blobs.get(bundle.data.storage_ref)).stream);
    expect(bundle.data.manifest.size_bytes).toBe(bytes.length);
    expect(bundle.data.manifest.checksum).toBe(`sha256:${createHash("sha256").update(bytes).digest("hex")}`);
    // The detached signature is plain Ed25519 over the whole file, checked here with node:crypto
    // and the raw public key exactly as a robot holds it.
    const key = listOtaPublicKeys(ctx.secrets)[0]!;
    expect(key.key_id).toBe(bundle.data.key_id);
    const publicKey = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: key.jwk.x }, format: "jwk" });
    expect(Buffer.from(key.public_key, "base64")).toEqual(
      Buffer.from(rawPublicKeyOf(ctx.secrets.otaSigningKey.privateKeyPem)),
    );
    expect(verify(null, bytes, publicKey, Buffer.from(bundle.data.signature, "base64"))).toBe(true);

    const entries = await untar(bytes);
    const names = [...entries.keys()];
    expect(names[names.indexOf("manifest.json")]).toBe("manifest.json");
    expect(names).toEqual(
      expect.arrayContaining(["manifest.json", "CHECKSUMS.sha256", "seed_model.npz", "config/model_config.json"]),
    );
    const manifest = JSON.parse(entries.get("manifest.json")!.data.toString());
    expect(manifest).toMatchObject({
      version: "1.1.0",
      model_name: "seed",
      robot_model: "companion-v1",
      requires_version: ">=1.0.0",
      required_files: ["seed_model.npz", "config/model_config.json"],
      provenance: { model_id: model.id, training_job_id: "job_test", dataset_hash: "ab".repeat(32), episode_count: 12 },
      signing: { algorithm: "Ed25519", key_id: bundle.data.key_id },
    });
    expect(manifest.created_at).toBe(bundle.data.created_at);
    for (const file of manifest.files as Array<{ path: string; sha256: string; size_bytes: number }>) {
      const data = entries.get(file.path)!.data;
      expect(createHash("sha256").update(data).digest("hex"), file.path).toBe(file.sha256);
      expect(data.length).toBe(file.size_bytes);
    }
    const checksums = entries.get("CHECKSUMS.sha256")!.data.toString();
    expect(checksums).toContain("  seed_model.npz\n");
    expect(bundle.data.manifest.files).toEqual(manifest.files);
    expect(bundle.data.rollout.status).toBe("built");
    // Nothing temporary is left behind.
    expect((await ctx.blobs.list("bundles/tmp/")).items).toEqual([]);
    const audit = await ctx.db.query(AuditLog, {
      where: [{ field: "target.id", op: "==", value: bundle.id }],
      orderBy: { field: "at", direction: "desc" },
    });
    expect(audit.docs.map((doc) => doc.data.action).sort()).toEqual(["bundle.built", "bundle.create"]);
  });

  it("writes the same bytes for the same inputs (a retried build cannot publish something else)", async () => {
    const model = await seedModel(ctx);
    const first = await buildReadyBundle(ctx, { model_id: model.id, version: "1.1.0" });
    const bytes = await readAll((await ctx.blobs.get(first.data.storage_ref)).stream);
    // Rebuild into another bundle record from the same model and timestamp: the archive matches
    // byte for byte except the version-dependent manifest, so compare two builds of one version.
    await ctx.db.update(OtaBundles, first.id, { "build.status": "failed" });
    const again = await buildReadyBundle(ctx, { model_id: model.id, version: "1.1.0" });
    const bytesAgain = await readAll((await ctx.blobs.get(again.data.storage_ref)).stream);
    expect(again.data.created_at).toBe(first.data.created_at);
    expect(bytesAgain.equals(bytes)).toBe(true);
    expect(again.data.signature).toBe(first.data.signature);
  });

  it("generates config/model_config.json when the model has none, and takes a model's declared file list", async () => {
    const model = await seedModel(ctx, { files: { "model.npz": "weights" }, declareFiles: true });
    const bundle = await buildReadyBundle(ctx, { model_id: model.id, version: "2.0.0" });
    const entries = await untar(await readAll((await ctx.blobs.get(bundle.data.storage_ref)).stream));
    expect(JSON.parse(entries.get("config/model_config.json")!.data.toString())).toMatchObject({
      name: "seed",
      model_id: model.id,
    });
    expect(bundle.data.manifest.required_files).toEqual(["model.npz", "config/model_config.json"]);
  });

  describe("refuses bad input with a clear error and writes nothing", () => {
    const cases: Array<{
      name: string;
      setup?: (ctx: TestContext) => Promise<unknown>;
      input: Record<string, unknown>;
      code: string;
      reason: string;
      message?: RegExp;
      actor?: typeof OPERATOR | typeof OWNER;
    }> = [
      {
        name: "non-semver version",
        input: { model_id: "m", version: "1.2" },
        code: "invalid",
        reason: "invalid_version",
        message: /MAJOR\.MINOR\.PATCH/,
      },
      {
        name: "v-prefixed version",
        input: { model_id: "m", version: "v1.2.0" },
        code: "invalid",
        reason: "invalid_version",
      },
      {
        name: "pre-release version",
        input: { model_id: "m", version: "1.0.0-rc1" },
        code: "invalid",
        reason: "invalid_version",
      },
      { name: "version 0.0.0", input: { model_id: "m", version: "0.0.0" }, code: "invalid", reason: "invalid_version" },
      {
        name: "bad requires_version",
        input: { model_id: "m", version: "1.0.0", requires_version: "at least one" },
        code: "invalid",
        reason: "invalid_requires_version",
      },
      {
        name: "bad min_brain_version",
        input: { model_id: "m", version: "1.0.0", min_brain_version: "latest" },
        code: "invalid",
        reason: "invalid_version",
        message: /min_brain_version/,
      },
      {
        name: "unknown model",
        input: { model_id: "nope", version: "1.0.0" },
        code: "not_found",
        reason: "model_not_found",
      },
      {
        name: "model not in production",
        setup: (c) => seedModel(c, { id: "m", stage: "checkpoint" }),
        input: { model_id: "m", version: "1.0.0" },
        code: "conflict",
        reason: "model_not_production",
      },
      {
        name: "model without files",
        setup: (c) => seedModel(c, { id: "m", files: {} }),
        input: { model_id: "m", version: "1.0.0" },
        code: "conflict",
        reason: "model_files_missing",
      },
      {
        name: "model without weights",
        setup: (c) => seedModel(c, { id: "m", files: { "README.txt": "hello" } }),
        input: { model_id: "m", version: "1.0.0" },
        code: "conflict",
        reason: "model_weights_missing",
      },
      {
        name: "model with an empty file",
        setup: (c) => seedModel(c, { id: "m", files: { "seed_model.npz": "" } }),
        input: { model_id: "m", version: "1.0.0" },
        code: "conflict",
        reason: "model_file_empty",
      },
      {
        name: "model listing a file that is not stored",
        setup: async (c) => {
          await seedModel(c, { id: "m", declareFiles: true });
          await c.blobs.delete("models/production/companion-v1/v1.0.0/seed_model.npz");
        },
        input: { model_id: "m", version: "1.0.0" },
        code: "conflict",
        reason: "model_file_missing",
        message: /seed_model\.npz/,
      },
      {
        name: "an owner",
        setup: (c) => seedModel(c, { id: "m" }),
        input: { model_id: "m", version: "1.0.0" },
        code: "forbidden",
        reason: "role_required",
        actor: OWNER,
      },
    ];
    it.each(cases)("$name → $code/$reason", async ({ setup, input, code, reason, message, actor }) => {
      await setup?.(ctx);
      const error = await buildBundle(ctx.as(actor ?? OPERATOR), input).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code, reason });
      if (message) expect((error as Error).message).toMatch(message);
      expect(await ctx.db.count(OtaBundles)).toBe(0);
      expect(await ctx.db.count(AuditLog)).toBe(0);
      expect((await ctx.blobs.list("bundles/")).items).toEqual([]);
    });
  });

  it("never reuses a version, even after the rollout ended", async () => {
    const model = await seedModel(ctx);
    const bundle = await buildReadyBundle(ctx, { model_id: model.id, version: "1.1.0" });
    const before = await ctx.db.get(OtaBundles, bundle.id);
    const error = await buildBundle(ctx.as(OPERATOR), { model_id: model.id, version: "1.1.0" }).catch(
      (caught) => caught,
    );
    expect(error).toMatchObject({ code: "conflict", reason: "version_exists" });
    expect(await ctx.db.get(OtaBundles, bundle.id)).toEqual(before);
    // Another robot model may use the same number.
    const other = await seedModel(ctx, { robotModel: "rover-x" });
    await expect(buildReadyBundle(ctx, { model_id: other.id, version: "1.1.0" })).resolves.toMatchObject({
      id: "rover-x@1.1.0",
    });
  });

  it("fails a build whose model files changed after the request, with the reason, and lets the version be built again", async () => {
    const model = await seedModel(ctx);
    const queued = await buildBundle(ctx.as(OPERATOR), { model_id: model.id, version: "1.2.0" });
    await ctx.blobs.delete("models/production/companion-v1/v1.0.0/seed_model.npz");
    expect(await runNextWork(ctx.as({ kind: "system", name: BUILD_QUEUE }), BUILD_QUEUE, runBundleBuild)).toBe(1);
    const failed = await ctx.db.require(OtaBundles, queued.id);
    expect(failed.data.build).toMatchObject({ status: "failed" });
    expect(failed.data.build.error).toMatch(/no weights file/);
    expect((await ctx.blobs.list("bundles/")).items).toEqual([]);
    await seedModel(ctx);
    await expect(buildReadyBundle(ctx, { model_id: model.id, version: "1.2.0" })).resolves.toMatchObject({
      id: queued.id,
    });
  });

  /** What a server killed mid-build leaves: the item held by a dead worker, the bundle `building`, a temporary file. */
  async function dieMidBuild(version: string, maxAttempts?: number) {
    const model = await seedModel(ctx);
    const queued = await buildBundle(ctx.as(OPERATOR), { model_id: model.id, version });
    if (maxAttempts) await ctx.db.update(WorkItems, buildWorkItemId(queued.id), { max_attempts: maxAttempts });
    const item = await claimWork(ctx, BUILD_QUEUE, ctx.config.workLeaseS * 1000, "wkr_dead");
    expect(item?.id).toBe(buildWorkItemId(queued.id));
    await ctx.db.update(OtaBundles, queued.id, {
      "build.status": "building",
      "build.attempt": "att_dead",
      "build.attempts": 1,
      "build.progress_pct": 40,
    });
    const tmpKey = `bundles/tmp/companion-v1/${version}-att_dead.bundle`;
    await ctx.blobs.put(tmpKey, Buffer.from("half a bundle"));
    return { bundleId: queued.id, tmpKey };
  }
  const system = () => ctx.as({ kind: "system", name: BUILD_QUEUE });
  const runBuild = () => runNextWork(system(), BUILD_QUEUE, runBundleBuild, { onExhausted: failAbandonedBundleBuild });

  it("takes over a build whose worker died once its short lease lapsed, and says so", async () => {
    const { bundleId, tmpKey } = await dieMidBuild("1.3.0");
    ctx.clock.advance(ctx.config.workLeaseS * 1000 - 1);
    expect(await runBuild()).toBe(0);
    expect((await ctx.db.require(OtaBundles, bundleId)).data.build.status).toBe("building");
    ctx.clock.advance(2);
    expect(await runBuild()).toBe(1);
    const built = await ctx.db.require(OtaBundles, bundleId);
    expect(built.data.build).toMatchObject({
      status: "ready",
      attempts: 2,
      max_attempts: 5,
      error: null,
      progress_pct: 100,
    });
    expect(await ctx.blobs.head(tmpKey)).toBeNull();
    expect((await ctx.blobs.list("bundles/tmp/")).items).toEqual([]);
    expect((await getWorkItem(ctx, buildWorkItemId(bundleId)))?.data).toMatchObject({ status: "done", attempts: 2 });
  });

  it("fails a build whose last attempt's worker died (audited), and an operator's retry builds it (audited)", async () => {
    const { bundleId, tmpKey } = await dieMidBuild("1.4.0", 1);
    ctx.clock.advance(ctx.config.workLeaseS * 1000 + 1);
    expect(await runBuild()).toBe(1);
    const failed = await ctx.db.require(OtaBundles, bundleId);
    expect(failed.data.build).toMatchObject({ status: "failed", attempts: 1 });
    expect(failed.data.build.error).toBe(
      `The worker of attempt 1 of 1 stopped (its lease expired at ${new Date(ctx.now().getTime() - 1).toISOString()}).`,
    );
    expect(await ctx.blobs.head(tmpKey)).toBeNull();
    const audit = async (action: string) =>
      (await ctx.db.query(AuditLog, { where: [{ field: "action", op: "==", value: action }], limit: 10 })).docs;
    expect((await audit("bundle.build_failed")).map((entry) => entry.data.details)).toEqual([
      { error: failed.data.build.error, attempts: 1 },
    ]);

    await expect(retryBundleBuild(ctx.as(OWNER), bundleId)).rejects.toMatchObject({ code: "forbidden" });
    const retried = await retryBundleBuild(ctx.as(OPERATOR), bundleId);
    expect(retried.data.build).toMatchObject({ status: "queued", attempts: 0, max_attempts: 5, error: null });
    expect((await audit("bundle.build_retry")).map((entry) => entry.data.details)).toEqual([
      { previous_error: failed.data.build.error, previous_attempts: 1 },
    ]);
    expect(await runBuild()).toBe(1);
    const built = await ctx.db.require(OtaBundles, bundleId);
    expect(built.data.build).toMatchObject({ status: "ready", attempts: 1 });

    const error = await retryBundleBuild(ctx.as(OPERATOR), bundleId).catch((caught) => caught);
    expect(error).toMatchObject({ code: "conflict", reason: "build_not_failed" });
    expect(await ctx.db.get(OtaBundles, bundleId)).toEqual(built);
    expect(await audit("bundle.build_retry")).toHaveLength(1);
  });
});
