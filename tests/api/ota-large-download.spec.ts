import { createHash } from "node:crypto";
import { Agent, request as httpRequest, type IncomingMessage } from "node:http";
import { expect, test } from "@playwright/test";
import {
  buildBundle,
  openDataDir,
  operatorUser,
  registerFleet,
  rollout,
  seedProductionModel,
  uniqueRobotModel,
} from "../support/ota";
import { adminApi } from "../support/users";
import { incompressibleBytes } from "../../tools/testing/incompressible-bytes";

/** The model file: 1 GiB of incompressible bytes, so the bundle is over 1 GiB too. */
const MODEL_BYTES = 1024 ** 3;
/** Robots downloading the bundle at the same time as the one that resumes. */
const CONCURRENT = 3;
/** How much the server's resident memory may grow while it serves them (an eighth of one bundle). */
const RSS_GROWTH_LIMIT = 128 * 1024 * 1024;

/** The server's resident memory, from its Prometheus metrics. */
async function serverRss(base: string): Promise<number> {
  const response = await fetch(`${base}/api/metrics`, { headers: { authorization: "Bearer e2e-metrics-token" } });
  const text = await response.text();
  const match = /^process_resident_memory_bytes(?:\{[^}]*\})? (\d+)/m.exec(text);
  if (!match) throw new Error(`no RSS in the metrics: ${response.status}`);
  return Number(match[1]);
}

interface Fetched {
  status: number;
  headers: IncomingMessage["headers"];
  bytes: number;
}

/**
 * GET a URL, streaming its body into `hash` (never held whole); stop after `stopAfter` bytes by
 * closing the connection, as a robot losing its link would.
 */
function download(
  url: string,
  headers: Record<string, string>,
  hash: ReturnType<typeof createHash>,
  stopAfter = Infinity,
): Promise<Fetched> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers, agent: new Agent({ keepAlive: false }) }, (res) => {
      let bytes = 0;
      res.on("data", (chunk: Buffer) => {
        const take = Math.min(chunk.length, stopAfter - bytes);
        hash.update(take === chunk.length ? chunk : chunk.subarray(0, take));
        bytes += take;
        if (bytes >= stopAfter) {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes });
        }
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes }));
      res.on("error", reject);
    });
    req.on("error", (error) => (req.destroyed ? undefined : reject(error)));
    req.end();
  });
}

test.describe("a bundle over 1 GiB", () => {
  test.describe.configure({ timeout: 15 * 60_000 });
  test.skip(
    process.env.BLOB_DRIVER === "gcs",
    "the embedded default's own streaming: in cloud mode the bytes are Cloud Storage's (a 1 GiB upload to its test server is not the point)",
  );

  test("is streamed to several robots at once with flat server memory, and resumes with Range", async ({ baseURL }) => {
    const base = baseURL as string;
    const admin = await adminApi(base);
    const operator = await operatorUser(base, admin);
    const model = uniqueRobotModel("large");
    const robots = await registerFleet(base, admin, model, CONCURRENT + 1);
    const modelId = await seedProductionModel(model, "2.0.0");
    const runtime = await openDataDir();
    try {
      await runtime.blobs.put(`models/production/${model}/v2.0.0/seed_model.npz`, incompressibleBytes(MODEL_BYTES));
    } finally {
      await runtime.close();
    }
    const bundle = await buildBundle(operator.api, { model_id: modelId, version: "2.0.0" }, 10 * 60_000);
    expect(bundle.manifest.size_bytes).toBeGreaterThan(MODEL_BYTES);
    await rollout(operator.api, bundle.bundle_id, "stage");
    await rollout(operator.api, bundle.bundle_id, "approve", { to: "production" });
    const links: string[] = [];
    for (const robot of robots) {
      const { update } = await robot.requestJson<{ update: { download_url: string; checksum: string } }>(
        "GET",
        "/api/ota/check",
      );
      expect(update.checksum).toBe(bundle.manifest.checksum);
      links.push(`${base}${new URL(update.download_url).pathname}${new URL(update.download_url).search}`);
    }
    const checksum = bundle.manifest.checksum.replace(/^sha256:/, "");
    const size = bundle.manifest.size_bytes;

    const baseline = await serverRss(base);
    let peak = baseline;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, await serverRss(base));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();

    // One robot loses its link after 300 MiB and resumes where it stopped; the others fetch whole.
    const resumed = (async () => {
      const hash = createHash("sha256");
      const first = await download(links[0]!, {}, hash, 300 * 1024 * 1024);
      expect(first.status).toBe(200);
      expect(first.headers["content-length"]).toBe(String(size));
      expect(first.headers.etag).toBe(`"${checksum}"`);
      const rest = await download(
        links[0]!,
        { range: `bytes=${first.bytes}-`, "if-range": first.headers.etag as string },
        hash,
      );
      expect(rest.status).toBe(206);
      expect(rest.headers["content-range"]).toBe(`bytes ${first.bytes}-${size - 1}/${size}`);
      expect(first.bytes + rest.bytes).toBe(size);
      return hash.digest("hex");
    })();
    const whole = links.slice(1).map(async (link) => {
      const hash = createHash("sha256");
      const fetched = await download(link, {}, hash);
      expect(fetched).toMatchObject({ status: 200, bytes: size });
      return hash.digest("hex");
    });
    const digests = await Promise.all([resumed, ...whole]);
    sampling = false;
    await sampler;

    console.log(
      `served ${CONCURRENT + 1} × ${size >> 20} MiB: server RSS ${baseline >> 20} MiB before, ${peak >> 20} MiB at peak`,
    );
    expect(digests).toEqual(Array.from({ length: CONCURRENT + 1 }, () => checksum));
    expect(
      peak - baseline,
      `server RSS grew from ${baseline >> 20} MiB to ${peak >> 20} MiB while serving ${CONCURRENT + 1} downloads of ${size >> 20} MiB`,
    ).toBeLessThan(RSS_GROWTH_LIMIT);

    // Every complete fetch counted the robot as downloaded.
    const deployments = await operator.api.get(
      `/api/console/ota/bundles/${encodeURIComponent(bundle.bundle_id)}/deployments`,
    );
    const rows = ((await deployments.json()) as { deployments: Array<{ device_id: string; state: string }> })
      .deployments;
    expect(rows.map((row) => [row.device_id, row.state]).sort()).toEqual(
      robots.map((robot) => [robot.deviceId, "downloaded"]).sort(),
    );
  });
});
