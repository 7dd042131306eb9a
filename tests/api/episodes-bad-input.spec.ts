/**
 * Bad input through the real API, table-driven: each case names the input and the exact error,
 * and shows it had no side effect — a refused request changes nothing; a refused upload is
 * quarantined with its reason (raw kept) and nothing reaches staging, episodes/validated/ or the
 * TFRecord queue.
 */
import { expect, test, type APIRequestContext } from "@playwright/test";
import { buildTar, buildZip, jsonl, METADATA, step, type TarSpec } from "../../lib/rlds/__fixtures__/archives";
import type { RobotClient } from "../../tools/robot-client";
import { expectSignedUrlRefusal } from "../support/blob-refusals";
import { adminApi } from "../support/users";
import {
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

let admin: APIRequestContext;
let base: string;
let robot: RobotClient;
test.beforeAll(async ({ baseURL }) => {
  base = baseURL as string;
  admin = await adminApi(base);
  robot = await episodeRobot(admin, base);
});

const goodSteps = (n: number, extra: (i: number) => Record<string, unknown> = () => ({})) =>
  jsonl(Array.from({ length: n }, (_, i) => step(i, { ...(i === n - 1 ? { is_terminal: true } : {}), ...extra(i) })));

function episodeTar(steps: string, extra: TarSpec[] = []) {
  return buildTar([
    { name: "metadata.json", body: JSON.stringify(METADATA) },
    { name: "steps/000000.jsonl", body: steps },
    ...extra,
  ]);
}

const withFrame = (i: number) => ({
  observation: { ...(step(i).observation as object), media: { rgb: { uri: `blobs/rgb/${i}.png` } } },
});

interface UploadCase {
  name: string;
  build: () => Promise<Buffer>;
  format?: "tar.gz" | "zip" | "json";
  /** The checksum sent with the ingest (default: the right one). */
  checksum?: (bytes: Buffer) => string;
  code: string;
  step?: number;
  field?: string;
  line?: number;
}

const UPLOAD_CASES: UploadCase[] = [
  {
    name: "a zip slip entry",
    format: "zip",
    build: () =>
      buildZip(
        [
          { name: "metadata.json", body: "{}" },
          { name: "xx/evil", body: "x" },
        ],
        { "xx/evil": "../evil" },
      ),
    code: "path_traversal",
  },
  {
    name: "a tar ../ entry",
    build: () => buildTar([{ name: "../../etc/cron.d/evil", body: "x" }]),
    code: "path_traversal",
  },
  { name: "an absolute path", build: () => buildTar([{ name: "/tmp/evil", body: "x" }]), code: "absolute_path" },
  {
    name: "a symlink entry",
    build: () => buildTar([{ name: "steps.jsonl", type: "symlink", linkname: "/etc/passwd" }]),
    code: "symlink_entry",
  },
  {
    name: "a hardlink entry",
    build: () =>
      buildTar([
        { name: "a", body: "x" },
        { name: "steps.jsonl", type: "link", linkname: "a" },
      ]),
    code: "hardlink_entry",
  },
  {
    name: "a decompression bomb",
    build: () => buildTar([{ name: "blobs/bomb.bin", zeros: 64 * 1024 * 1024 }]),
    code: "compression_ratio_exceeded",
  },
  {
    name: "a truncated gzip",
    build: async () => {
      const bytes = await episodeTar(goodSteps(200));
      return bytes.subarray(0, Math.floor(bytes.length * 0.6));
    },
    code: "truncated_archive",
  },
  {
    name: "a wrong checksum",
    build: () => episodeTar(goodSteps(12)),
    checksum: () => `sha256:${"ab".repeat(32)}`,
    code: "checksum_mismatch",
    field: "checksum",
  },
  {
    name: "an invalid JSON line",
    build: () => episodeTar(goodSteps(3).replace(/\n/, '\n{"observation": {oops}\n')),
    code: "invalid_json",
    line: 2,
  },
  {
    name: "a step without observation",
    build: () => episodeTar(jsonl([step(0), { action: { command: [0, 0] } }, step(2)])),
    code: "missing_observation",
    step: 1,
    field: "observation",
  },
  {
    name: "a step without action",
    build: () => episodeTar(jsonl([step(0), step(1), { observation: { robot_state: {} } }])),
    code: "missing_action",
    step: 2,
    field: "action",
  },
  {
    name: "two is_first steps",
    build: () => episodeTar(jsonl([step(0, { is_first: true }), step(1, { is_first: true }), step(2)])),
    code: "multiple_is_first",
    step: 1,
    field: "is_first",
  },
  {
    name: "steps after a terminal step",
    build: () => episodeTar(jsonl([step(0), step(1, { is_terminal: true }), step(2), step(3)])),
    code: "step_after_terminal",
    step: 2,
  },
  {
    name: "non-monotonic timestamps",
    build: () => {
      const steps = [step(0), step(1), step(2)];
      (steps[2]!.observation as { robot_state: { timestamp_nanos: number } }).robot_state.timestamp_nanos =
        1_050_000_000;
      return episodeTar(jsonl(steps));
    },
    code: "non_monotonic_timestamp",
    step: 2,
    field: "observation.robot_state.timestamp_nanos",
  },
  {
    name: "a referenced blob that is missing",
    build: () =>
      episodeTar(goodSteps(3, withFrame), [
        { name: "blobs/rgb/0.png", body: "png" },
        { name: "blobs/rgb/2.png", body: "png" },
      ]),
    code: "blob_missing",
    step: 1,
    field: "observation.media.rgb.uri",
  },
  {
    name: "a referenced blob that is empty",
    build: () =>
      episodeTar(goodSteps(2, withFrame), [
        { name: "blobs/rgb/0.png", body: "" },
        { name: "blobs/rgb/1.png", body: "png" },
      ]),
    code: "blob_empty",
    step: 0,
    field: "observation.media.rgb.uri",
  },
];

test.describe("refused uploads: quarantined with the exact reason, nothing promoted", () => {
  for (const testCase of UPLOAD_CASES) {
    test(`${testCase.name} → ${testCase.code}`, async () => {
      const bytes = await testCase.build();
      const episodeId = `bad_${robot.deviceId}_${testCase.name.replace(/[^a-z0-9]+/gi, "_")}`;
      const grant = await requestUpload(robot, { episode_id: episodeId, format: testCase.format ?? "tar.gz" });
      expect((await putTo(grant.upload_url, grant.headers, bytes)).status).toBe(200);
      const checksum = testCase.checksum ? testCase.checksum(bytes) : `sha256:${sha256(bytes)}`;
      const response = await ingest(robot, { episode_ref: grant.episode_ref, checksum });
      const answer = (await response.json()) as IngestAnswer;
      expect(response.status, JSON.stringify(answer)).toBe(200);
      expect(answer.status).toBe("rejected");
      expect(answer.training_eligible).toBe(false);
      const issue = answer.errors.find((error) => error.code === testCase.code);
      expect(issue, JSON.stringify(answer.errors)).toBeDefined();
      if (testCase.step !== undefined) {
        expect(issue!.step).toBe(testCase.step);
        expect(issue!.message).toContain(`step ${testCase.step}`);
      }
      if (testCase.field !== undefined) expect(issue!.field).toBe(testCase.field);
      if (testCase.line !== undefined) {
        expect(issue!.line).toBe(testCase.line);
        expect(issue!.message).toContain(`line ${testCase.line}`);
      }
      const detail = await episodeDetail(admin, episodeId);
      expect(detail.episode).toMatchObject({ status: "rejected", storage_ref: null, tfrecord_ref: null });
      expect(detail.episode.ingest?.state).toBe("done");
      expect(detail.storage).toEqual({
        raw_objects: 1,
        staging_objects: 0,
        validated_objects: 0,
        tfrecord: false,
        truncated: false,
      });
      expect(detail.tfrecord.state).toBeNull();
      // Asking again is the same answer.
      expect(await (await ingest(robot, { episode_ref: grant.episode_ref, checksum })).json()).toEqual(answer);
    });
  }
});

test.describe("refused requests: the exact error and no change", () => {
  test("../ (and other path characters) in an episode id → 400 invalid_episode_id, no document", async () => {
    for (const id of ["../evil", "a/b", "..", "a\\b", "x..y", " spaced"]) {
      const response = await robot.request("POST", "/api/rlds/signed-url", {
        json: { robot_id: robot.deviceId, episode_id: id, metadata: {} },
      });
      await expectError(response, 400, "invalid", "invalid_episode_id");
    }
    const list = await robot.requestJson<{ episodes: { episode_id: string }[] }>("GET", "/api/rlds/list?limit=200");
    expect(list.episodes.some((e) => e.episode_id.includes(".."))).toBe(false);
  });

  test("an oversize upload → 413 at the upload URL; nothing stored, the episode still awaits its upload", async () => {
    const episodeId = `oversize_${robot.deviceId}`;
    const grant = await requestUpload(robot, { episode_id: episodeId, size_bytes: 1024 });
    await expectSignedUrlRefusal(
      await putTo(grant.upload_url, grant.headers, Buffer.alloc(4096, 1)),
      { status: 413, code: "too_large", reason: "body_too_large" },
      { status: 400, code: "EntityTooLarge" },
    );
    const detail = await episodeDetail(admin, episodeId);
    expect(detail.episode.ingest?.state).toBe("awaiting_upload");
    expect(detail.storage.raw_objects).toBe(0);
    await expectError(
      await ingest(robot, { episode_id: episodeId, checksum: "ab".repeat(32) }),
      409,
      "conflict",
      "upload_missing",
    );
  });

  test("ingest before upload → 409 upload_missing, the document unchanged", async () => {
    const grant = await requestUpload(robot, { episode_id: `early_${robot.deviceId}` });
    await expectError(
      await ingest(robot, { episode_ref: grant.episode_ref, checksum: "ab".repeat(32) }),
      409,
      "conflict",
      "upload_missing",
    );
    const detail = await episodeDetail(admin, `early_${robot.deviceId}`);
    expect(detail.episode).toMatchObject({ status: "raw" });
    expect(detail.episode.ingest).toMatchObject({ state: "awaiting_upload", attempt: 0 });
  });

  test("an episode_ref of another robot → 403 robot_mismatch; its id → 404; nothing changes", async () => {
    const other = await episodeRobot(admin, base);
    const bytes = await episodeTar(goodSteps(12));
    const grant = await requestUpload(other, { episode_id: `theirs_${other.deviceId}` });
    expect((await putTo(grant.upload_url, grant.headers, bytes)).status).toBe(200);
    await expectError(
      await ingest(robot, { episode_ref: grant.episode_ref, checksum: sha256(bytes) }),
      403,
      "forbidden",
      "robot_mismatch",
    );
    await expectError(
      await ingest(robot, { episode_id: `theirs_${other.deviceId}`, checksum: sha256(bytes) }),
      404,
      "not_found",
      "episode_not_found",
    );
    await expectError(
      await robot.request("POST", "/api/rlds/signed-url", {
        json: { robot_id: other.deviceId, episode_id: "mine_now" },
      }),
      403,
      "forbidden",
      "robot_mismatch",
    );
    await expectError(
      await robot.request("POST", "/api/rlds/signed-url", {
        json: { robot_id: robot.deviceId, episode_id: `theirs_${other.deviceId}` },
      }),
      409,
      "conflict",
      "episode_id_taken",
    );
    expect((await episodeDetail(admin, `theirs_${other.deviceId}`)).episode.ingest).toMatchObject({
      state: "awaiting_upload",
      attempt: 0,
    });
  });

  test("ingest twice → the same answer; a conflicting checksum → 409 checksum_conflict; nothing re-done", async () => {
    const bytes = await episodeTar(goodSteps(12));
    const episodeId = `twice_${robot.deviceId}`;
    const first = await uploadAndIngest(robot, episodeId, bytes, "tar.gz");
    expect(first.status).toBe("validated");
    const before = await episodeDetail(admin, episodeId);
    const second = await ingest(robot, { episode_id: episodeId, checksum: sha256(bytes) });
    expect(second.status).toBe(200);
    expect(await second.json()).toEqual(first);
    await expectError(
      await ingest(robot, { episode_id: episodeId, checksum: "cd".repeat(32) }),
      409,
      "conflict",
      "checksum_conflict",
    );
    // A validated episode is never replaced: no new upload URL either.
    await expectError(
      await robot.request("POST", "/api/rlds/signed-url", {
        json: { robot_id: robot.deviceId, episode_id: episodeId },
      }),
      409,
      "conflict",
      "episode_already_validated",
    );
    const after = await episodeDetail(admin, episodeId);
    expect(after.episode.ingest?.attempt).toBe(before.episode.ingest?.attempt);
    expect(after.episode.verdict_at).toBe(before.episode.verdict_at);
  });

  test("unsigned, malformed and wrong-shaped ingest requests are refused without a change", async () => {
    const unsigned = await fetch(`${base}/api/rlds/ingest`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ episode_id: "x", checksum: "ab".repeat(32) }),
    });
    await expectError(unsigned, 401, "unauthenticated", "signature_missing");
    await expectError(await ingest(robot, { episode_id: "x", checksum: "nothex" }), 400, "invalid", "invalid_checksum");
    await expectError(await ingest(robot, { checksum: "ab".repeat(32) }), 400, "invalid", "invalid_input");
    await expectError(
      await ingest(robot, { episode_ref: "episodes/raw/../etc", checksum: "ab".repeat(32) }),
      400,
      "invalid",
      "invalid_episode_ref",
    );
  });
});
