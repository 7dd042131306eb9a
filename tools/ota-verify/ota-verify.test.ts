import { spawnSync } from "node:child_process";
import { createHash, sign } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import tar from "tar-stream";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { approveRollout } from "@/lib/ota/approve-rollout";
import { getFieldIndex } from "@/lib/ota/get-field-index";
import { openBundleDownload } from "@/lib/ota/open-bundle-download";
import { deploymentId, OtaDeployments } from "@/lib/ota/schemas";
import { listOtaPublicKeys } from "@/lib/ota/signing-key";
import { stageRollout } from "@/lib/ota/stage-rollout";
import { buildReadyBundle, OPERATOR, seedModel, seedRobot } from "@/lib/ota/testing";
import { createTestContext, type TestContext } from "@/server/testing/create-test-context";
import { FieldRuntimeClient } from "./field-client";
import { main as verifyMain } from "./ota-verify.mjs";

const PYTHON = "/usr/bin/python3";
const hasPython = existsSync(PYTHON) && spawnSync(PYTHON, ["-c", "import cryptography"]).status === 0;

async function readAll(stream: AsyncIterable<Buffer> | NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** A tar.gz from entries, for archives the platform would never build. */
async function tarGz(
  entries: Array<{ name: string; data?: string; type?: "file" | "symlink"; linkname?: string }>,
): Promise<Buffer> {
  const pack = tar.pack();
  for (const entry of entries) {
    if (entry.type === "symlink")
      pack.entry({ name: entry.name, type: "symlink", linkname: entry.linkname ?? "/etc/passwd" });
    else pack.entry({ name: entry.name }, entry.data ?? "x");
  }
  pack.finalize();
  return gzipSync(await readAll(pack as unknown as AsyncIterable<Buffer>));
}

describe("ota-verify (Node and Python) and the field-runtime client", () => {
  let ctx: TestContext;
  let work: string;
  let key: string;
  let output: string[];
  const write = process.stdout.write.bind(process.stdout);

  async function runNode(args: string[]): Promise<{ code: number; result: Record<string, unknown> }> {
    output = [];
    process.stdout.write = ((chunk: string) => {
      output.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    try {
      const code = await verifyMain(args);
      return { code, result: JSON.parse(output.join("")) as Record<string, unknown> };
    } finally {
      process.stdout.write = write;
    }
  }

  function runPython(args: string[]): { code: number; result: Record<string, unknown> } {
    const run = spawnSync(PYTHON, ["tools/ota-verify/ota_verify.py", ...args], { encoding: "utf8" });
    return { code: run.status ?? -1, result: JSON.parse(run.stdout || "{}") as Record<string, unknown> };
  }

  beforeEach(async () => {
    ctx = createTestContext();
    work = await mkdtemp(join(tmpdir(), "ota-verify-test-"));
    key = listOtaPublicKeys(ctx.secrets)[0]!.public_key;
  });
  afterEach(async () => {
    await ctx.cleanup();
    await rm(work, { recursive: true, force: true });
  });

  async function bundleFile() {
    const bundle = await buildReadyBundle(ctx, { model_id: (await seedModel(ctx)).id, version: "1.1.0" });
    const file = join(work, "bundle.tar.gz");
    await writeFile(file, await readAll((await ctx.blobs.get(bundle.data.storage_ref)).stream));
    return { bundle, file };
  }

  /** A signed archive the platform would refuse to build (to test the unpack rules). */
  async function signedArchive(entries: Parameters<typeof tarGz>[0]) {
    const bytes = await tarGz(entries);
    const file = join(work, "crafted.tar.gz");
    await writeFile(file, bytes);
    const signature = sign(null, bytes, ctx.secrets.otaSigningKey.privateKeyPem).toString("base64");
    return { file, signature, checksum: `sha256:${createHash("sha256").update(bytes).digest("hex")}` };
  }

  it("verifies a real bundle, and names the step that fails for a tampered file, signature or key", async () => {
    const { bundle, file } = await bundleFile();
    const args = [
      file,
      "--signature",
      bundle.data.signature,
      "--public-key",
      key,
      "--checksum",
      bundle.data.manifest.checksum,
    ];
    const ok = await runNode(args);
    expect(ok.code).toBe(0);
    expect(ok.result).toMatchObject({ ok: true, version: "1.1.0", sha256: bundle.data.manifest.checksum });
    expect(ok.result.files).toEqual(
      expect.arrayContaining(["manifest.json", "seed_model.npz", "config/model_config.json"]),
    );

    const otherKey = Buffer.alloc(32, 7).toString("base64");
    expect(
      (await runNode([file, "--signature", bundle.data.signature, "--public-key", otherKey])).result,
    ).toMatchObject({ ok: false, step: "signature" });
    const badSignature = Buffer.from(bundle.data.signature, "base64");
    badSignature[0] = (badSignature[0] as number) ^ 1;
    expect((await runNode([file, "--signature", badSignature.toString("base64"), "--public-key", key])).code).toBe(1);

    const bytes = await readFile(file);
    bytes[200] = (bytes[200] as number) ^ 1;
    await writeFile(file, bytes);
    expect((await runNode(args)).result).toMatchObject({ ok: false, step: "checksum" });
    const noChecksum = await runNode([file, "--signature", bundle.data.signature, "--public-key", key]);
    expect(noChecksum).toMatchObject({ code: 1, result: { ok: false, step: "signature" } });
  });

  it.each([
    {
      name: "path traversal",
      entries: [{ name: "manifest.json", data: '{"version":"1.0.0"}' }, { name: "../evil.sh" }],
      step: "unpack",
    },
    { name: "absolute path", entries: [{ name: "/tmp/evil" }], step: "unpack" },
    {
      name: "a symlink",
      entries: [
        { name: "manifest.json", data: '{"version":"1.0.0"}' },
        { name: "link", type: "symlink" as const },
      ],
      step: "unpack",
    },
    {
      name: "no manifest.json at the root",
      entries: [{ name: "bundle/manifest.json", data: '{"version":"1.0.0"}' }],
      step: "manifest",
    },
    {
      name: "a required file missing",
      entries: [{ name: "manifest.json", data: '{"version":"1.0.0","required_files":["model.npz"]}' }],
      step: "files",
    },
  ])("refuses a signed archive with $name", async ({ entries, step }) => {
    const crafted = await signedArchive(entries);
    const args = [
      crafted.file,
      "--signature",
      crafted.signature,
      "--public-key",
      key,
      "--checksum",
      crafted.checksum,
      "--extract",
      join(work, "out"),
    ];
    expect((await runNode(args)).result).toMatchObject({ ok: false, step });
    expect(existsSync(join(work, "evil.sh"))).toBe(false);
    if (hasPython) {
      await rm(join(work, "out"), { recursive: true, force: true });
      expect(runPython(args)).toMatchObject({ code: 1, result: { ok: false, step } });
    }
  });

  it.skipIf(!hasPython)("the Python script agrees on a real and a tampered bundle", async () => {
    const { bundle, file } = await bundleFile();
    const args = [
      file,
      "--signature",
      bundle.data.signature,
      "--public-key",
      key,
      "--checksum",
      bundle.data.manifest.checksum,
    ];
    expect(runPython(args)).toMatchObject({ code: 0, result: { ok: true, version: "1.1.0" } });
    const bytes = await readFile(file);
    bytes[bytes.length - 5] = (bytes[bytes.length - 5] as number) ^ 1;
    await writeFile(file, bytes);
    expect(runPython([file, "--signature", bundle.data.signature, "--public-key", key])).toMatchObject({
      code: 1,
      result: { step: "signature" },
    });
  });
});

describe("a field-runtime client updates from the index and refuses tampering", () => {
  let ctx: TestContext;
  let server: Server;
  let base: string;
  let root: string;
  let tamper: { signature?: boolean; contentType?: string } = {};

  beforeAll(async () => {
    server = createServer((req, res) => {
      void (async () => {
        const url = new URL(req.url ?? "/", base);
        const index = /^\/api\/ota\/([^/]+)\/registry\.json$/.exec(url.pathname);
        const download = url.pathname === "/api/ota/download";
        try {
          if (index) {
            const body = await getFieldIndex(ctx, { deviceId: index[1]!, modelId: url.searchParams.get("model_id") });
            if (tamper.signature) {
              for (const model of Object.values(body.models)) {
                for (const entry of Object.values(model.versions)) {
                  const bytes = Buffer.from(entry.signature, "base64");
                  bytes[5] = (bytes[5] as number) ^ 1;
                  entry.signature = bytes.toString("base64");
                }
              }
            }
            res.writeHead(200, { "content-type": tamper.contentType ?? "application/json" }).end(JSON.stringify(body));
          } else if (download) {
            const result = await openBundleDownload(ctx, {
              bundleId: url.searchParams.get("bundle_id") ?? "",
              params: Object.fromEntries(url.searchParams),
              request: { method: "GET", headers: new Headers(req.headers.range ? { range: req.headers.range } : {}) },
            });
            res.writeHead(result.status, result.headers);
            if (result.body) result.body.pipe(res);
            else res.end();
          } else res.writeHead(404).end();
        } catch (error) {
          res.writeHead(500).end(String(error));
        }
      })();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  beforeEach(async () => {
    ctx = createTestContext({ config: { publicUrl: base } });
    root = await mkdtemp(join(tmpdir(), "ota-field-"));
    tamper = {};
  });
  afterEach(async () => {
    await ctx.cleanup();
    await rm(root, { recursive: true, force: true });
  });

  async function release(version: string, extra: { min_brain_version?: string } = {}) {
    const bundle = await buildReadyBundle(ctx, { model_id: (await seedModel(ctx, { version })).id, version, ...extra });
    await stageRollout(ctx.as(OPERATOR), { bundle_id: bundle.id });
    await approveRollout(ctx.as(OPERATOR), { bundle_id: bundle.id, to: "production" });
    return bundle;
  }

  function client(deviceId: string, options: Partial<ConstructorParameters<typeof FieldRuntimeClient>[0]> = {}) {
    const raw = Buffer.from(listOtaPublicKeys(ctx.secrets)[0]!.public_key, "base64");
    return new FieldRuntimeClient({
      indexUrl: `${base}/api/ota/${deviceId}/registry.json`,
      root,
      publicKey: raw,
      ...options,
    });
  }

  it("updates, is then up to date, and the platform counts the fetch as downloaded", async () => {
    const robot = await seedRobot(ctx, { deviceId: "f1e1d000" });
    const bundle = await release("1.1.0");
    const field = client(robot.id);
    expect(await field.installedVersion()).toBe("0.0.0");
    expect(await field.poll()).toEqual({ status: "updated", version: "1.1.0", previous: "0.0.0" });
    expect(await field.installedVersion()).toBe("1.1.0");
    expect(existsSync(join(field.currentDir, "seed_model.npz"))).toBe(true);
    expect(await field.poll()).toEqual({ status: "no_update", reason: "up to date" });
    const deployment = await ctx.db.require(OtaDeployments, deploymentId(bundle.id, robot.id));
    expect(deployment.data).toMatchObject({ state: "downloaded", offered_via: "index", fetch_count: 1 });

    // The next release replaces it and keeps the previous one in rollback/.
    await release("1.2.0");
    expect(await field.poll()).toMatchObject({ status: "updated", version: "1.2.0", previous: "1.1.0" });
    expect(JSON.parse(await readFile(join(root, "rollback", "manifest.json"), "utf8")).version).toBe("1.1.0");
  });

  it("refuses a tampered bundle and keeps running what it had", async () => {
    const robot = await seedRobot(ctx, { deviceId: "f1e1d001" });
    const first = await release("1.1.0");
    const field = client(robot.id);
    await field.poll();
    const second = await release("1.2.0");
    const bytes = await readAll((await ctx.blobs.get(second.data.storage_ref)).stream);
    bytes[bytes.length - 20] = (bytes[bytes.length - 20] as number) ^ 0xff;
    await ctx.blobs.put(second.data.storage_ref, bytes);
    expect(await field.poll()).toMatchObject({ status: "refused", version: "1.2.0", step: "checksum" });
    expect(await field.installedVersion()).toBe("1.1.0");
    expect(first.id).toBe("companion-v1@1.1.0");
  });

  it("refuses a tampered signature, and sees no update in a non-JSON index", async () => {
    const robot = await seedRobot(ctx, { deviceId: "f1e1d002" });
    await release("1.1.0");
    tamper = { signature: true };
    expect(await client(robot.id).poll()).toMatchObject({ status: "refused", step: "signature" });
    expect(await client(robot.id).installedVersion()).toBe("0.0.0");
    tamper = { contentType: "text/plain" };
    expect(await client(robot.id).poll()).toEqual({ status: "no_update", reason: "index served as text/plain" });
    tamper = {};
    // Without the public key the runtime skips the signature (as in the field) and installs.
    expect(await client(robot.id, { publicKey: null }).poll()).toMatchObject({ status: "updated", version: "1.1.0" });
  });

  it("waits for a newer runtime when min_brain_version asks for one, and reads a configured model id", async () => {
    const robot = await seedRobot(ctx, { deviceId: "f1e1d003" });
    await release("1.1.0", { min_brain_version: "0.5.0" });
    expect(await client(robot.id).poll()).toEqual({ status: "no_update", reason: "needs runtime 0.5.0" });
    expect(await client(robot.id, { runtimeVersion: "0.5.0" }).poll()).toMatchObject({ status: "updated" });
    expect(
      await client(robot.id, { modelId: "companion", indexUrl: `${base}/api/ota/${robot.id}/registry.json` }).poll(),
    ).toEqual({
      status: "no_update",
      reason: "no model companion",
    });
  });
});
