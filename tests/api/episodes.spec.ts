/**
 * Episode ingestion through the real API (PRODUCT.md §6.2, §7): every field sample ingests with its
 * expected verdict and normalized content, replay index and TFRecord; every upload format and
 * field client (XR ZIP, Flutter PUTs); upload URL rules; device-signed manifests; who sees what.
 */
import fs from "node:fs";
import path from "node:path";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { signEpisodeManifest } from "../../lib/episodes/manifest-signature";
import { buildTar, buildZip, upstreamDirectory, upstreamFile } from "../../lib/rlds/__fixtures__/archives";
import type { FeatureValue } from "../../lib/rlds/tfrecord/example-proto";
import { readTfrecordExamples } from "../../lib/rlds/tfrecord/read-tfrecord-examples";
import { createRobotIdentity } from "../../tools/robot-client";
import { recordEpisode, uploadEpisode } from "../../tools/simulator/behaviors/episodes";
import { expectSignedUrlRefusal } from "../support/blob-refusals";
import { startTestServer } from "../support/test-server";
import { adminApi, changeRoleAndSignInAgain, signUpAndSignIn } from "../support/users";
import {
  canonicalFile,
  download,
  episodeDetail,
  episodeRobot,
  expectError,
  ingest,
  putTo,
  requestUpload,
  sha256,
  uploadAndIngest,
  waitForTfrecord,
  type IngestAnswer,
} from "./episodes-support";

let admin: APIRequestContext;
let base: string;
test.beforeAll(async ({ baseURL }) => {
  base = baseURL as string;
  admin = await adminApi(base);
});

const text = new TextDecoder();
function plain(feature: FeatureValue | undefined): unknown {
  if (feature === undefined) return undefined;
  if (feature.kind === "bytes") return { bytes: feature.value.map((v) => text.decode(v)) };
  if (feature.kind === "float") return { float: feature.value.map((v) => Math.fround(v)) };
  return { int64: feature.value.map(String) };
}

async function examplesOf(bytes: Buffer) {
  const out = [];
  for await (const example of readTfrecordExamples([bytes])) out.push(example);
  return out;
}

const AUTONOMOUS = fs
  .readdirSync(upstreamFile("episodes"))
  .filter((name) => name.startsWith("autonomous_learning_"))
  .sort();

test.describe("field samples (tests/fixtures/upstream/episodes) through the real API", () => {
  test("studio_mock_editor.json: validated, numbers kept exactly, the field TFRecord reproduced feature for feature", async () => {
    const robot = await episodeRobot(admin, base);
    const bytes = fs.readFileSync(upstreamFile("episodes/studio_mock_editor.json"));
    const answer = await uploadAndIngest(robot, "studio_mock_editor", bytes, "json");
    expect(answer).toMatchObject({
      status: "validated",
      episode_id: "studio_mock_editor",
      variant: "single_json",
      format: "json",
      checksum: `sha256:${sha256(bytes)}`,
      errors: [],
      stats: { step_count: 3, duration_ms: 100, action_dim: 6 },
    });
    const detail = await episodeDetail(admin, "studio_mock_editor");
    expect(detail.episode.status).toBe("validated");
    expect(detail.episode.ingest?.state).toBe("done");
    expect(detail.storage).toMatchObject({ staging_objects: 0, raw_objects: 1 });
    expect(detail.replay_url).toBe("/console/episodes/studio_mock_editor/replay");

    const source = JSON.parse(bytes.toString("utf8")) as { metadata: Record<string, unknown>; steps: unknown[] };
    expect(JSON.parse((await canonicalFile(detail, "metadata.json")).toString("utf8"))).toEqual(source.metadata);
    const lines = (await canonicalFile(detail, "steps.jsonl")).toString("utf8").trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^\{"is_first":true,/);
    expect(lines[2]).toMatch(/"is_last":true\}$/);
    expect(lines[0]).toContain('"timestamp_nanos":1764952865006200430'); // 19 digits, not rounded to a double
    lines.forEach((line, i) => {
      const step = JSON.parse(line) as Record<string, unknown>;
      const original = source.steps[i] as Record<string, unknown>;
      expect(step.observation).toEqual(original.observation);
      expect(step.action).toEqual(original.action);
      expect(step.is_first).toBe(i === 0);
      expect(step.is_last).toBe(i === 2);
    });

    const manifest = JSON.parse((await canonicalFile(detail, "index/manifest.json")).toString("utf8"));
    expect(manifest).toMatchObject({ format: "continuon.replay-index", step_count: 3, steps_file: "steps.jsonl" });
    expect((await canonicalFile(detail, "index/offsets.u64")).length).toBe(8 * 4);

    const converted = await waitForTfrecord(admin, "studio_mock_editor");
    expect(converted.tfrecord.records).toBe(3);
    const ours = await examplesOf(await download(converted.tfrecord.download_url!));
    const field = await examplesOf(fs.readFileSync(upstreamFile("tfrecord/studio_mock_editor.tfrecord")));
    expect(ours).toHaveLength(field.length);
    field.forEach((theirs, i) => {
      for (const name of Object.keys(theirs))
        expect(plain(ours[i]![name]), `step ${i} ${name}`).toEqual(plain(theirs[name]));
      expect(plain(ours[i]!.is_first)).toEqual({ int64: [i === 0 ? "1" : "0"] });
      expect(plain(ours[i]!.is_last)).toEqual({ int64: [i === 2 ? "1" : "0"] });
    });
  });

  test("pi5_follow_synthetic.json: validated, missing reward and is_terminal defaulted, TFRecord step bookkeeping as the field file", async () => {
    const robot = await episodeRobot(admin, base);
    const bytes = fs.readFileSync(upstreamFile("episodes/pi5_follow_synthetic.json"));
    const answer = await uploadAndIngest(robot, "pi5_follow_synthetic", bytes, "json");
    expect(answer).toMatchObject({ status: "validated", variant: "single_json", stats: { step_count: 5 } });
    const detail = await episodeDetail(admin, "pi5_follow_synthetic");
    const steps = (await canonicalFile(detail, "steps.jsonl"))
      .toString("utf8")
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(steps.map((s) => [s.is_first, s.is_last, typeof s.reward, typeof s.is_terminal])).toEqual([
      [true, false, "number", "boolean"],
      [false, false, "number", "boolean"],
      [false, false, "number", "boolean"],
      [false, false, "number", "boolean"],
      [false, true, "number", "boolean"],
    ]);
    const converted = await waitForTfrecord(admin, "pi5_follow_synthetic");
    const ours = await examplesOf(await download(converted.tfrecord.download_url!));
    const field = await examplesOf(fs.readFileSync(upstreamFile("tfrecord/pi5_follow_synthetic.tfrecord")));
    expect(ours).toHaveLength(5);
    field.forEach((theirs, i) => {
      for (const name of ["episode_id", "step_index", "reward", "is_terminal", "observation_command"]) {
        expect(plain(ours[i]![name]), `step ${i} ${name}`).toEqual(plain(theirs[name]));
      }
    });
  });

  for (const name of AUTONOMOUS) {
    test(`${name}: the robot's directory as tar.gz is validated as rlds_v1 (one step: not eligible), source kept byte for byte`, async () => {
      const robot = await episodeRobot(admin, base);
      const files = upstreamDirectory(`episodes/${name}`);
      const bytes = await buildTar(files.map((file) => ({ name: file.name, body: file.body })));
      const answer = await uploadAndIngest(robot, name, bytes, "tar.gz", { metadata: { step_count: 1 } });
      expect(answer).toMatchObject({
        status: "validated",
        variant: "rlds_v1",
        format: "tar.gz",
        training_eligible: false,
      });
      expect(answer.stats?.step_count).toBe(1);
      expect(answer.warnings.map((w) => w.code)).toContain("short_episode");
      const detail = await episodeDetail(admin, name);
      const source = files
        .find((file) => file.name === "steps/000000.jsonl")!
        .body.toString("utf8")
        .trim();
      const [line] = (await canonicalFile(detail, "steps.jsonl")).toString("utf8").trimEnd().split("\n");
      expect(line).toBe(`{"is_first":true,${source.slice(1, -1)},"is_last":true}`);
      const metadata = JSON.parse(files.find((file) => file.name === "metadata.json")!.body.toString("utf8"));
      expect(JSON.parse((await canonicalFile(detail, "metadata.json")).toString("utf8"))).toEqual(metadata);
      expect(detail.episode.metadata.tags).toEqual(metadata.tags);
      expect(detail.files.map((file) => file.path)).toEqual(
        expect.arrayContaining(["index/manifest.json", "index/offsets.u64", "index/timestamps.f64"]),
      );
      const converted = await waitForTfrecord(admin, name);
      const [example] = await examplesOf(await download(converted.tfrecord.download_url!));
      const original = JSON.parse(source) as { observation: unknown; action: unknown };
      expect(JSON.parse(text.decode((example!.observation as { value: Uint8Array[] }).value[0]))).toEqual(
        original.observation,
      );
      expect(plain(example!.episode_id)).toEqual({ bytes: [name] });
    });
  }

  test("the same directory as zip and as files gives the same canonical steps", async () => {
    const robot = await episodeRobot(admin, base);
    const name = AUTONOMOUS[0]!;
    const files = upstreamDirectory(`episodes/${name}`);
    const zip = await buildZip(files.map((file) => ({ name: file.name, body: file.body })));
    const viaZip = await uploadAndIngest(robot, `${name}_zip`, zip, "zip");
    expect(viaZip).toMatchObject({ status: "validated", format: "zip", variant: "rlds_v1" });

    const declared = files.map((file) => ({
      path: file.name,
      size_bytes: file.body.length,
      sha256: sha256(file.body),
    }));
    const grant = await requestUpload(robot, { episode_id: `${name}_files`, format: "files", files: declared });
    expect(grant.upload_url).toBeNull();
    for (const target of grant.uploads) {
      const put = await putTo(target.upload_url, target.headers, files.find((f) => f.name === target.path)!.body);
      expect(put.status).toBe(200);
    }
    const { filesManifestChecksum } = await import("../../lib/rlds/process-episode-files");
    const response = await ingest(robot, { episode_id: `${name}_files`, checksum: filesManifestChecksum(declared) });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: "validated", format: "files" });
    const a = await canonicalFile(await episodeDetail(admin, `${name}_zip`), "steps.jsonl");
    const b = await canonicalFile(await episodeDetail(admin, `${name}_files`), "steps.jsonl");
    expect(b.toString()).toBe(a.toString());
  });
});

test.describe("upload formats, field clients and the simulator", () => {
  test("the simulator records episodes with PNG frames and uploads them as tar.gz, zip, json and files (device-signed)", async () => {
    const robot = await episodeRobot(admin, base);
    for (const format of ["tar.gz", "zip", "json", "files"] as const) {
      const episodeId = `sim_${robot.deviceId}_${format.replace(".", "")}`;
      const episode = await recordEpisode({
        robotId: robot.deviceId,
        robotModel: "companion-v1",
        episodeId,
        steps: 40,
        seed: 7,
        frames: format !== "json",
      });
      const outcome = await uploadEpisode(robot, episode, format);
      expect(outcome.status, JSON.stringify(outcome.answer)).toBe("validated");
      expect(outcome.answer).toMatchObject({ device_signature_verified: true, training_eligible: true });
      const detail = await episodeDetail(admin, episodeId);
      expect(detail.episode.device_signature).toMatch(/^ey/);
      if (format !== "json") {
        const blobs = (await canonicalFile(detail, "index/blobs.tsv")).toString("utf8").trim().split("\n");
        expect(blobs).toHaveLength(40);
        expect(detail.storage.validated_objects).toBeGreaterThan(40);
      }
      const steps = (await canonicalFile(detail, "steps.jsonl")).toString("utf8").trimEnd().split("\n");
      const first = JSON.parse(steps[0]!) as {
        observation: { video_frame_id?: string; robot_state: { joint_positions: number[] } };
      };
      expect(first.observation.robot_state.joint_positions).toHaveLength(6);
      if (format !== "json") expect(first.observation.video_frame_id).toBe("frame_000000");
      await waitForTfrecord(admin, episodeId);
    }
  });

  test("the XR app's ZIP POST with X-Continuon-Tag-* headers: camelCase normalized, tags kept, a retry gets the same answer", async () => {
    const robot = await episodeRobot(admin, base);
    const episode = await recordEpisode({
      robotId: robot.deviceId,
      robotModel: "companion-v1",
      episodeId: `xr_${robot.deviceId}`,
      steps: 20,
      seed: 3,
    });
    const first = await uploadEpisode(robot, episode, "xr");
    expect(first.answer).toMatchObject({ status: "validated", variant: "xr_app", format: "zip" });
    const again = await uploadEpisode(robot, episode, "xr");
    expect(again.answer).toEqual(first.answer);
    const detail = await episodeDetail(admin, episode.episodeId);
    expect(detail.episode.metadata.tags).toEqual(expect.arrayContaining(["simulator", "xr"]));
    expect(detail.episode.metadata.environment_id).toBe("sim-lab");
    const step = JSON.parse((await canonicalFile(detail, "steps.jsonl")).toString("utf8").split("\n")[0]!);
    expect(step.observation.robot_state.joint_positions).toHaveLength(6);
    expect(step.observation.robotState).toBeUndefined();
  });

  test("the XR upload without an id derives it from the body digest (retries are one episode)", async () => {
    const robot = await episodeRobot(admin, base);
    const files = upstreamDirectory(`episodes/${AUTONOMOUS[1]!}`);
    const zip = await buildZip(files.map((file) => ({ name: file.name, body: file.body })));
    const post = () =>
      robot.request("POST", "/api/rlds/upload", {
        body: new Uint8Array(zip),
        headers: {
          "Content-Type": "application/zip",
          "X-Continuon-Tag-list": "a,b",
          "X-Continuon-Tag-xr_mode": "trainer",
        },
      });
    const one = (await (await post()).json()) as IngestAnswer;
    const two = (await (await post()).json()) as IngestAnswer;
    expect(one.episode_id).toBe(`xr_${sha256(zip).slice(0, 32)}`);
    expect(two).toEqual(one);
  });

  test("signed upload URLs: expire within the hour, bind content type and size, may be PUT again until ingest", async () => {
    const robot = await episodeRobot(admin, base);
    const files = upstreamDirectory(`episodes/${AUTONOMOUS[2]!}`);
    const good = await buildTar(files.map((file) => ({ name: file.name, body: file.body })));
    const grant = await requestUpload(robot, {
      episode_id: `url_rules_${robot.deviceId}`,
      size_bytes: good.length + 100,
    });
    const ttl = Date.parse(grant.expires_at) - Date.now();
    expect(ttl).toBeGreaterThan(3000_000);
    expect(ttl).toBeLessThanOrEqual(3600_000);
    expect(grant.headers["content-type"]).toBe("application/gzip");
    await expectSignedUrlRefusal(
      await putTo(grant.upload_url, { "content-type": "application/json" }, good),
      { status: 415, code: "unsupported_media_type", reason: "content_type_mismatch" },
      { status: 403, code: "SignatureDoesNotMatch" },
    );
    await expectSignedUrlRefusal(
      await putTo(grant.upload_url, grant.headers, Buffer.alloc(good.length + 101)),
      { status: 413, code: "too_large", reason: "body_too_large" },
      { status: 400, code: "EntityTooLarge" },
    );
    // A first PUT, then the right one: the last PUT before ingest is what is ingested.
    expect((await putTo(grant.upload_url, grant.headers, Buffer.from("not yet"))).status).toBe(200);
    expect((await putTo(grant.upload_url, grant.headers, good)).status).toBe(200);
    const response = await ingest(robot, { episode_ref: grant.episode_ref, checksum: sha256(good) });
    expect((await response.json()) as IngestAnswer).toMatchObject({ status: "validated" });
    // A URL of another key is refused whatever is changed in it.
    const forged = grant.upload_url.replace(`url_rules_${robot.deviceId}`, `url_rules_${robot.deviceId}x`);
    expect((await putTo(forged, grant.headers, good)).status).toBe(403);
  });

  test("a device-signed manifest is verified against the robot's key; a wrong one changes nothing", async () => {
    const robot = await episodeRobot(admin, base);
    const files = upstreamDirectory(`episodes/${AUTONOMOUS[0]!}`);
    const bytes = await buildTar(files.map((file) => ({ name: file.name, body: file.body })));
    const episodeId = `signed_${robot.deviceId}`;
    const grant = await requestUpload(robot, { episode_id: episodeId });
    expect((await putTo(grant.upload_url, grant.headers, bytes)).status).toBe(200);
    const stranger = createRobotIdentity();
    const forged = await signEpisodeManifest({
      deviceId: robot.deviceId,
      privateKey: stranger.privateKey,
      episodeId,
      checksum: sha256(bytes),
    });
    await expectError(
      await ingest(robot, { episode_id: episodeId, checksum: sha256(bytes), manifest_signature: forged }),
      400,
      "invalid",
      "manifest_signature_invalid",
    );
    const otherBytes = await signEpisodeManifest({
      deviceId: robot.deviceId,
      privateKey: robot.identity.privateKey,
      episodeId,
      checksum: "ab".repeat(32),
    });
    await expectError(
      await ingest(robot, { episode_id: episodeId, checksum: sha256(bytes), manifest_signature: otherBytes }),
      400,
      "invalid",
      "manifest_mismatch",
    );
    expect((await episodeDetail(admin, episodeId)).episode.ingest?.state).toBe("awaiting_upload");
    const good = await signEpisodeManifest({
      deviceId: robot.deviceId,
      privateKey: robot.identity.privateKey,
      episodeId,
      checksum: sha256(bytes),
    });
    const answer = (await (
      await ingest(robot, { episode_id: episodeId, checksum: sha256(bytes), manifest_signature: good })
    ).json()) as IngestAnswer & { device_signature_verified: boolean };
    expect(answer).toMatchObject({ status: "validated", device_signature_verified: true });
    expect((await episodeDetail(admin, episodeId)).episode.device_signature).toBe(good);
  });
});

test.describe("who sees which episodes", () => {
  test("owners see their robots' episodes, operators all; robots list their own (GET /api/rlds/list)", async () => {
    const mine = await episodeRobot(admin, base);
    const theirs = await episodeRobot(admin, base);
    const files = upstreamDirectory(`episodes/${AUTONOMOUS[0]!}`);
    const bytes = await buildTar(files.map((file) => ({ name: file.name, body: file.body })));
    await uploadAndIngest(mine, `seen_${mine.deviceId}`, bytes, "tar.gz");
    await uploadAndIngest(theirs, `seen_${theirs.deviceId}`, bytes, "tar.gz");
    const owner = await signUpAndSignIn(base, "episode-owner");
    const claim = await owner.api.post("/api/robots/claim", {
      data: { local_claim_proof: mine.issueClaimProof(owner.uid) },
    });
    expect(claim.status(), await claim.text()).toBe(200);

    const listed = (await (await owner.api.get("/api/console/episodes")).json()) as {
      episodes: { episode_id: string }[];
    };
    expect(listed.episodes.map((e) => e.episode_id)).toEqual([`seen_${mine.deviceId}`]);
    expect((await owner.api.get(`/api/console/episodes/seen_${mine.deviceId}`)).status()).toBe(200);
    expect((await owner.api.get(`/api/console/episodes/seen_${theirs.deviceId}`)).status()).toBe(404);
    expect((await owner.api.post(`/api/console/episodes/seen_${mine.deviceId}/revalidate`)).status()).toBe(403);

    const operator = await changeRoleAndSignInAgain(admin, await signUpAndSignIn(base, "episode-operator"), "operator");
    const all = (await (await operator.api.get(`/api/console/episodes?robot_id=${theirs.deviceId}`)).json()) as {
      episodes: { episode_id: string }[];
    };
    expect(all.episodes.map((e) => e.episode_id)).toEqual([`seen_${theirs.deviceId}`]);

    const own = await mine.requestJson<{ episodes: { episode_id: string; status: string }[] }>(
      "GET",
      "/api/rlds/list?status=validated&limit=10",
    );
    expect(own.episodes.map((e) => [e.episode_id, e.status])).toEqual([[`seen_${mine.deviceId}`, "validated"]]);
    await expectError(
      await mine.request("GET", `/api/rlds/list?robot_id=${theirs.deviceId}`),
      403,
      "forbidden",
      "robot_mismatch",
    );
  });
});

test.describe("the Flutter app's flow (its own server: a short settle time)", () => {
  test("{metadata} → three robot-signed PUTs as media is added → ingested by the server once the PUTs stop; then closed", async () => {
    test.setTimeout(120_000);
    const dataDir = fs.mkdtempSync(path.join("/tmp", "ingest-flutter-"));
    const server = await startTestServer({ dataDir, env: { CONTINUON_INGEST_SETTLE_S: "1" } });
    try {
      const boss = await signUpAndSignIn(server.url, "flutter-admin");
      const token = (await (
        await boss.api.post("/api/console/provisioning-tokens", { data: { model: "companion-v1", label: "flutter" } })
      ).json()) as { token: string };
      const { registeredRobot } = await import("../support/robots");
      const robot = await registeredRobot(server.url, token.token);
      const episode = await recordEpisode({
        robotId: robot.deviceId,
        robotModel: "companion-v1",
        episodeId: `flutter_${robot.deviceId}`,
        steps: 30,
        seed: 5,
        frames: false,
      });
      const outcome = await uploadEpisode(robot, episode, "flutter");
      expect(outcome.answer).toMatchObject({ episode_id: episode.episodeId, puts: 3 });
      const deadline = Date.now() + 60_000;
      let detail = await episodeDetail(boss.api, episode.episodeId);
      while (detail.episode.status === "raw" && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        detail = await episodeDetail(boss.api, episode.episodeId);
      }
      expect(detail.episode).toMatchObject({ status: "validated", schema_variant: "flutter_record", format: "json" });
      expect(detail.episode.metadata.assets_count).toBe(3);
      const closed = await robot.request("PUT", `/api/rlds/upload/${episode.episodeId}`, {
        body: new TextEncoder().encode("{}"),
        headers: { "Content-Type": "application/json" },
      });
      await expectError(closed, 409, "conflict", "upload_closed");
    } finally {
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
