/**
 * The ingestion docs' shell examples, run as printed (bash + openssl + curl + jq) against the
 * server: a signed-url → PUT → ingest round, the XR ZIP upload, the robot-signed JSON PUT and the
 * list call. What the docs show is what works.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { ARCHIVE_FLOW, JSON_PUT_FLOW, LIST, SIGN_FUNCTION, XR_FLOW } from "../../app/docs/ingestion/examples";
import { upstreamFile } from "../../lib/rlds/__fixtures__/archives";
import { saveIdentity } from "../../tools/robot-client";
import { adminApi } from "../support/users";
import { episodeDetail, episodeRobot } from "./episodes-support";

let admin: APIRequestContext;
let base: string;
test.beforeAll(async ({ baseURL }) => {
  base = baseURL as string;
  admin = await adminApi(base);
});

function run(script: string, env: Record<string, string>, cwd: string): string {
  return execFileSync("bash", ["-euo", "pipefail", "-c", `${SIGN_FUNCTION}\n${script}`], {
    cwd,
    env: { ...process.env, ...env },
    encoding: "utf8",
  });
}

test("the curl examples of /docs/ingestion work as printed", async () => {
  const robot = await episodeRobot(admin, base);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "ingest-docs-"));
  try {
    await saveIdentity(path.join(work, "robot"), robot.identity);
    const episodeDir = upstreamFile("episodes/autonomous_learning_1765939335_7cada579");
    const env = {
      DEVICE_ID: robot.deviceId,
      KEY: path.join(work, "robot", "device_key.pem"),
      EPISODE_DIR: episodeDir,
    };
    // The first lines of SIGN_FUNCTION export the example values; the test's come after them.
    const withEnv = (script: string) => `export CC_URL=${base} DEVICE_ID=${env.DEVICE_ID} KEY=${env.KEY}\n${script}`;

    const archive = JSON.parse(run(withEnv(ARCHIVE_FLOW), { ...env, EPISODE_ID: `docs_${robot.deviceId}` }, work));
    expect(archive).toEqual({
      status: "validated",
      episode_id: `docs_${robot.deviceId}`,
      training_eligible: false,
      errors: [],
    });

    const xr = JSON.parse(run(withEnv(XR_FLOW), { ...env, EPISODE_ID: `docs_xr_${robot.deviceId}` }, work));
    expect(xr).toEqual({ status: "validated", episode_id: `docs_xr_${robot.deviceId}`, variant: "rlds_v1" });
    expect((await episodeDetail(admin, `docs_xr_${robot.deviceId}`)).episode.metadata.tags).toEqual(
      expect.arrayContaining(["pick", "place"]),
    );

    fs.copyFileSync(upstreamFile("episodes/studio_mock_editor.json"), path.join(work, "episode.json"));
    const put = run(withEnv(JSON_PUT_FLOW), { ...env, EPISODE_ID: `docs_json_${robot.deviceId}` }, work);
    expect(JSON.parse(put)).toMatchObject({ episode_id: `docs_json_${robot.deviceId}`, puts: 1 });

    const listed = run(withEnv(LIST), env, work);
    expect(listed).toContain(`"episode_id": "docs_${robot.deviceId}"`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
});
