/**
 * Crash safety of ingest (PRODUCT.md §13): the server is killed (SIGKILL, no shutdown code) at
 * named points of an ingest — `CONTINUON_FAULT_POINT=<point>:pause` holds the ingest there and the
 * test kills the process once the log says the point was reached (`:exit` kills itself) — then a
 * new server on the same data comes up and the robot retries. Each time the retry completes, and
 * nothing is lost or duplicated: the episode is validated once (one audit entry), its validated
 * folder holds exactly the canonical files, no staging is left, the TFRecord is written once with
 * every step.
 */
import fs from "node:fs";
import path from "node:path";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { FAULT_POINTS } from "../../lib/episodes/fault-point";
import type { RobotClient } from "../../tools/robot-client";
import { packTarGz, recordEpisode } from "../../tools/simulator/behaviors/episodes";
import { registeredRobot } from "../support/robots";
import { startTestServer, type TestServer } from "../support/test-server";
import { signUpAndSignIn } from "../support/users";
import { episodeDetail, putTo, requestUpload, sha256, waitForTfrecord, type IngestAnswer } from "./episodes-support";

const INGEST_POINTS = FAULT_POINTS.filter((point) => point.startsWith("ingest."));
const STEPS = 24;

async function waitFor(server: TestServer, text: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!server.output().includes(text)) {
    if (Date.now() > deadline) throw new Error(`"${text}" never appeared:\n${server.output().slice(-2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Retry the ingest as a robot does: while another attempt holds the lease, wait what Retry-After says. */
async function retryIngest(robot: RobotClient, body: Record<string, unknown>): Promise<IngestAnswer> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const response = await robot.request("POST", "/api/rlds/ingest", { json: body });
    const text = await response.text();
    if (response.status === 200) return JSON.parse(text) as IngestAnswer;
    expect(response.status, text).toBe(409);
    expect(JSON.parse(text).error.reason).toBe("ingest_in_progress");
    if (Date.now() > deadline) throw new Error(`ingest still in progress after a minute: ${text}`);
    await new Promise((resolve) => setTimeout(resolve, 1000 * Number(response.headers.get("retry-after") ?? 1)));
  }
}

test.describe("a server killed during ingest: the retry finishes, nothing lost or duplicated", () => {
  test.setTimeout(240_000);

  const cases = [
    ...INGEST_POINTS.map((point) => `${point}:pause`),
    "ingest.after_copy:exit",
    "ingest.after_claim:exit",
  ];
  for (const fault of cases) {
    test(`killed at ${fault}`, async () => {
      const dataDir = fs.mkdtempSync(path.join("/tmp", "ingest-crash-"));
      const env = { CONTINUON_INGEST_LEASE_S: "3" };
      let server = await startTestServer({ dataDir, env: { ...env, CONTINUON_FAULT_POINT: fault } });
      let admin: APIRequestContext | null = null;
      try {
        const boss = await signUpAndSignIn(server.url, "crash-admin");
        const created = await boss.api.post("/api/console/provisioning-tokens", {
          data: { model: "companion-v1", label: "crash" },
        });
        const { token } = (await created.json()) as { token: string };
        const robot = await registeredRobot(server.url, token);
        const episodeId = `crash_${robot.deviceId}`;
        const episode = await recordEpisode({
          robotId: robot.deviceId,
          robotModel: "companion-v1",
          episodeId,
          steps: STEPS,
          seed: 11,
        });
        const bytes = await packTarGz(episode.files);
        const grant = await requestUpload(robot, { episode_id: episodeId, metadata: { step_count: STEPS } });
        expect((await putTo(grant.upload_url, grant.headers, bytes)).status).toBe(200);
        const body = { episode_ref: grant.episode_ref, checksum: `sha256:${sha256(bytes)}` };

        // The ingest that dies: its connection breaks when the process goes.
        const dying = robot.request("POST", "/api/rlds/ingest", { json: body }).then(
          (response) => response.status,
          () => "connection lost",
        );
        const [point, action] = fault.split(":");
        if (action === "pause") {
          await waitFor(server, `fault point ${point} reached`);
          await server.kill();
          expect(await dying).toBe("connection lost");
        } else {
          // The process kills itself at the point.
          expect(await dying).toBe("connection lost");
          await server.kill();
        }

        server = await startTestServer({ dataDir, port: server.port, env });
        const { signIn } = await import("../support/users");
        const { request } = await import("@playwright/test");
        admin = await request.newContext({ baseURL: server.url });
        await signIn(admin, boss.email, boss.password);

        const answer = await retryIngest(robot, body);
        expect(answer).toMatchObject({ status: "validated", episode_id: episodeId, errors: [] });
        expect(await retryIngest(robot, body)).toEqual(answer);

        const detail = await episodeDetail(admin, episodeId);
        const files = detail.episode.files ?? [];
        const blobs = (detail.episode.blobs as { count: number }).count;
        expect(blobs).toBe(STEPS);
        expect(detail.episode).toMatchObject({
          status: "validated",
          storage_ref: `episodes/validated/${robot.deviceId}/${episodeId}/`,
        });
        expect(detail.episode.ingest?.state).toBe("done");
        expect(detail.storage).toMatchObject({
          raw_objects: 1,
          staging_objects: 0,
          validated_objects: files.length,
        });
        // The episode's file list names every stored object, its blobs included.
        expect(files.filter((file) => file.path.startsWith("blobs/"))).toHaveLength(blobs);
        const steps = await fetch(detail.files.find((file) => file.path === "steps.jsonl")!.download_url!).then((r) =>
          r.text(),
        );
        expect(steps.trimEnd().split("\n")).toHaveLength(STEPS);
        expect(steps).toBe(
          episode.files
            .get("steps/000000.jsonl")!
            .toString("utf8")
            .trimEnd()
            .split("\n")
            .map((line, i) => `{"is_first":${i === 0},${line.slice(1, -1)},"is_last":${i === STEPS - 1}}`)
            .join("\n") + "\n",
        );
        // A conversion the dead server had started comes back when its work lease lapses.
        const converted = await waitForTfrecord(admin, episodeId, 150_000);
        expect(converted.tfrecord.records).toBe(STEPS);

        const audit = (await (await admin.get(`/api/console/audit?target_id=${episodeId}&limit=50`)).json()) as {
          entries: { action: string; outcome: string }[];
        };
        expect(audit.entries.filter((entry) => entry.action === "episode.ingest")).toEqual([
          expect.objectContaining({ outcome: "success" }),
        ]);
      } finally {
        await admin?.dispose();
        await server.kill();
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    });
  }
});
