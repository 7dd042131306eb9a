/**
 * Ingest as field robots meet it when things go wrong: episodes without a usable step, a refused
 * robot package, an upload URL used again after ingest, uploads killed midway, and the per-episode
 * cap and per-robot quota (docs: /docs/ingestion, /docs/security).
 */
import { existsSync, readdirSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { buildTar, METADATA } from "../../lib/rlds/__fixtures__/archives";
import { createToken, registeredRobot } from "../support/robots";
import { startTestServer, type TestServer } from "../support/test-server";
import { adminApi, signUpAndSignIn } from "../support/users";
import {
  download,
  episodeDetail,
  episodeRobot,
  expectError,
  ingest,
  putTo,
  requestUpload,
  sha256,
  uploadAndIngest,
  type IngestAnswer,
} from "./episodes-support";

const GCS = process.env.BLOB_DRIVER === "gcs";
let admin: APIRequestContext;
let base: string;
test.beforeAll(async ({ baseURL }) => {
  base = baseURL as string;
  admin = await adminApi(base);
});

const deep = (levels: number) => "[".repeat(levels) + "1" + "]".repeat(levels);

function oneStepArchive(line: string): Promise<Buffer> {
  return buildTar([
    { name: "metadata.json", body: JSON.stringify(METADATA) },
    { name: "steps/000000.jsonl", body: `${line}\n` },
  ]);
}

test.describe("an episode with no usable step", () => {
  for (const [name, line, expected] of [
    [
      "its only step has observation 5",
      JSON.stringify({ observation: 5, action: { command: [1] } }),
      [{ code: "invalid_field_type", step: 0, field: "observation" }],
    ],
    [
      "its only step has no observation",
      JSON.stringify({ action: { command: [1] } }),
      [{ code: "missing_observation", step: 0, field: "observation" }],
    ],
    [
      "its only step nests 250 levels",
      `{"observation":${deep(250)},"action":${deep(250)}}`,
      [{ code: "too_deeply_nested", step: 0, field: `observation${"[0]".repeat(63)}` }],
    ],
  ] as const) {
    test(`${name}: rejected with reasons by step and field, and a person can act on it`, async () => {
      const robot = await episodeRobot(admin, base);
      const episodeId = `unusable_${robot.deviceId}`;
      const bytes = await oneStepArchive(line);
      const answer = await uploadAndIngest(robot, episodeId, bytes, "tar.gz");
      expect(answer.status).toBe("rejected");
      expect(answer.errors.map(({ code, step, field }) => ({ code, step, field }))).toEqual(expected);
      // A retry gets the same answer, not a 500.
      const again = await ingest(robot, { episode_id: episodeId, checksum: sha256(bytes) });
      expect(again.status).toBe(200);
      expect((await again.json()) as IngestAnswer).toEqual(answer);
      const detail = await episodeDetail(admin, episodeId);
      expect(detail.episode.status).toBe("rejected");
      expect(detail.episode.ingest).toMatchObject({ state: "done", staging_prefix: null });
      expect(detail.storage.staging_objects).toBe(0);
      // Re-validate and delete both work (no 409 episode_not_quarantined / ingest_in_progress).
      const revalidated = await admin.post(`/api/console/episodes/${episodeId}/revalidate`);
      expect(revalidated.status(), await revalidated.text()).toBe(200);
      expect(((await revalidated.json()) as IngestAnswer).errors).toEqual(answer.errors);
      const deleted = await admin.delete(`/api/console/episodes/${episodeId}`);
      expect(deleted.status(), await deleted.text()).toBe(200);
      expect((await admin.get(`/api/console/episodes/${episodeId}`)).status()).toBe(404);
    });
  }
});

test.describe("an upload URL after ingest", () => {
  test("is dead: a PUT cannot change what was ingested, re-validated or downloaded", async () => {
    const robot = await episodeRobot(admin, base);
    const episodeId = `dead_url_${robot.deviceId}`;
    // Rejected (quarantined) on purpose: its raw upload is what re-validation reads again.
    const original = await oneStepArchive(JSON.stringify({ action: { command: [1] } }));
    const grant = await requestUpload(robot, { episode_id: episodeId });
    expect((await putTo(grant.upload_url, grant.headers, original)).status).toBe(200);
    const answer = (await (
      await ingest(robot, { episode_ref: grant.episode_ref, checksum: sha256(original) })
    ).json()) as IngestAnswer;
    expect(answer).toMatchObject({ status: "rejected", checksum: `sha256:${sha256(original)}` });

    const replacement = await oneStepArchive(JSON.stringify({ observation: { a: 1 }, action: { command: [1] } }));
    const late = await putTo(grant.upload_url, grant.headers, replacement);
    if (GCS) {
      // Cloud Storage honours a V4 URL until it expires, but the URL's key no longer holds the
      // upload: ingest moved it under ingested/, where no upload URL reaches.
      expect(late.status).toBe(200);
    } else {
      await expectError(late, 409, "conflict", "upload_closed");
    }
    const detail = await episodeDetail(admin, episodeId);
    expect(detail.raw?.key).toBe(`episodes/raw/${robot.deviceId}/${episodeId}/ingested/episode.tar.gz`);
    expect(sha256(await download(detail.raw!.download_url!))).toBe(sha256(original));
    expect(detail.episode.checksum).toBe(`sha256:${sha256(original)}`);
    // Re-validation reads the ingested bytes, not the late PUT.
    const revalidated = await admin.post(`/api/console/episodes/${episodeId}/revalidate`);
    expect(revalidated.status(), await revalidated.text()).toBe(200);
    expect((await revalidated.json()) as IngestAnswer).toMatchObject({
      status: "rejected",
      checksum: `sha256:${sha256(original)}`,
    });
    // The robot asking to ingest other bytes under the old URL's episode changes nothing either.
    const other = await ingest(robot, { episode_id: episodeId, checksum: sha256(replacement) });
    expect(((await other.json()) as IngestAnswer).checksum).toBe(`sha256:${sha256(original)}`);
  });
});

test.describe("a server of its own (caps, quota, temp files, process log)", () => {
  test.skip(GCS, "temp files and the process log are the embedded server's own");
  const MiB = 1024 * 1024;
  let server: TestServer;
  let owner: Awaited<ReturnType<typeof signUpAndSignIn>>;
  let token: string;
  test.beforeAll(async () => {
    server = await startTestServer({
      env: { EPISODE_MAX_BYTES: String(8 * MiB), ROBOT_STORAGE_QUOTA_BYTES: String(20 * MiB), LOG_LEVEL: "info" },
    });
    owner = await signUpAndSignIn(server.url, "ingest-robust-admin");
    token = (await createToken(owner.api, { max_uses: 20 })).token;
  });
  test.afterAll(async () => {
    await server?.stop();
    if (server) rmSync(server.dataDir, { recursive: true, force: true });
  });
  const tempFiles = () => {
    const dir = join(server.dataDir, "blobs", "tmp");
    return existsSync(dir) ? readdirSync(dir) : [];
  };

  test("a robot package refused as a decompression bomb answers rejected and logs no uncaught exception", async () => {
    const robot = await registeredRobot(server.url, token);
    const frame = (i: number, kind: string) => `ep_mock/step_${String(i).padStart(4, "0")}_${kind}.npy`;
    const steps = 40;
    const bytes = await buildTar([
      { name: "ep_mock/upload_manifest.json", body: JSON.stringify({ total_steps: steps }) },
      {
        name: "ep_mock/episode.json",
        body: JSON.stringify({
          metadata: { robot_model: "companion-v1" },
          steps: Array.from({ length: steps }, (_, i) => ({ observation: { joint: i }, action: { command: [i] } })),
        }),
      },
      ...Array.from({ length: steps }, (_, i) => [
        { name: frame(i, "rgb"), zeros: 640 * 480 * 3 + 128 },
        { name: frame(i, "depth"), zeros: 640 * 480 * 2 + 128 },
      ]).flat(),
    ]);
    const answer = await uploadAndIngest(robot, `bomb_${robot.deviceId}`, bytes, "tar.gz");
    expect(answer.status).toBe("rejected");
    expect(answer.errors.map((issue) => issue.code)).toEqual(["compression_ratio_exceeded"]);
    // Give a late stream error the time to surface before reading the log.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(server.output()).not.toContain("uncaughtException");
    expect(server.output()).not.toContain("unhandledRejection");
    expect(tempFiles()).toEqual([]);
  });

  test("a PUT killed mid-upload leaves no temp file", async () => {
    const robot = await registeredRobot(server.url, token);
    const grant = await requestUpload(robot, { episode_id: `killed_${robot.deviceId}`, size_bytes: 4 * MiB });
    const url = new URL(grant.upload_url);
    const req = httpRequest(url, {
      method: "PUT",
      headers: { ...grant.headers, "content-length": String(4 * MiB) },
    });
    req.on("error", () => undefined);
    req.write(Buffer.alloc(MiB));
    // The server has started writing the temp file…
    const deadline = Date.now() + 10_000;
    while (tempFiles().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(tempFiles()).toHaveLength(1);
    // …then the robot loses power: the connection drops mid-body.
    req.destroy();
    const gone = Date.now() + 10_000;
    while (tempFiles().length > 0 && Date.now() < gone) await new Promise((r) => setTimeout(r, 20));
    expect(tempFiles()).toEqual([]);
    const detail = await episodeDetail(owner.api, `killed_${robot.deviceId}`);
    expect(detail.raw).toMatchObject({ size_bytes: null, download_url: null });
  });

  test("the per-episode cap and the per-robot quota: 413 and 507 with their reasons, shown on the robot page", async () => {
    const robot = await registeredRobot(server.url, token);
    await expectError(
      await robot.request("POST", "/api/rlds/signed-url", {
        json: { robot_id: robot.deviceId, episode_id: "too_big", size_bytes: 8 * MiB + 1 },
      }),
      413,
      "too_large",
      "episode_too_large",
    );
    // Without a declared size, a URL takes the cap, and counts against the quota at it.
    const first = await requestUpload(robot, { episode_id: `quota_1_${robot.deviceId}` });
    expect(first.max_size_bytes).toBe(8 * MiB);
    await requestUpload(robot, { episode_id: `quota_2_${robot.deviceId}` });
    await expectError(
      await robot.request("POST", "/api/rlds/signed-url", {
        json: { robot_id: robot.deviceId, episode_id: `quota_3_${robot.deviceId}` },
      }),
      507,
      "insufficient_storage",
      "storage_quota_exceeded",
    );
    expect((await owner.api.get(`/api/console/episodes/quota_3_${robot.deviceId}`)).status()).toBe(404);
    // A URL refuses a body over the cap (streamed, never held whole).
    const over = await putTo(first.upload_url, first.headers, Buffer.alloc(8 * MiB + 1));
    await expectError(over, 413, "too_large", "body_too_large");
    // A declared size that fits what is left is granted.
    await requestUpload(robot, { episode_id: `quota_3_${robot.deviceId}`, size_bytes: 4 * MiB });
    const page = await owner.api.get(`/console/robots/${robot.deviceId}`);
    expect(page.status()).toBe(200);
    const html = (await page.text()).replace(/<!-- -->/g, "");
    expect(html).toContain('data-testid="robot-storage-quota">20 MiB of 20 MiB used; one episode up to 8.0 MiB<');
    expect(html).toContain('data-testid="robot-storage-reserved">20 MiB (counted at their maximum)<');
  });
});
