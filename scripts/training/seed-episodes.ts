/**
 * Write validated training episodes straight into a deployment's data folder (SQLite + local blobs),
 * the way ingestion leaves them: `npx tsx scripts/training/seed-episodes.ts --data-dir <dir>
 * [--count 6] [--robot-model companion-v1] [--robot-id 14d4b680] [--steps 40] [--tag pick-place]`.
 * Tests use it while a server runs on the same folder (SQLite allows a second writer process).
 * Prints one JSON line: {"episode_ids": [...]}.
 */
import { parseArgs } from "node:util";
import { writeEpisodeFixture } from "@/lib/training/testing/write-episode-fixture";
import { createRuntime } from "@/server/runtime";

const { values } = parseArgs({
  options: {
    "data-dir": { type: "string" },
    count: { type: "string", default: "6" },
    "robot-model": { type: "string", default: "companion-v1" },
    "robot-id": { type: "string", default: "14d4b680" },
    steps: { type: "string", default: "40" },
    tag: { type: "string", multiple: true },
    quality: { type: "string", default: "0.9" },
  },
});
if (!values["data-dir"]) {
  console.error("--data-dir is required (the server's CONTINUON_DATA_DIR)");
  process.exit(2);
}
const runtime = await createRuntime({
  ...process.env,
  CONTINUON_DATA_DIR: values["data-dir"],
  CONTINUON_WORKERS: "0",
  LOG_LEVEL: "warn",
});
const ctx = runtime.contextFor({ kind: "system", name: "seed-episodes" });
const ids: string[] = [];
for (let i = 0; i < Number(values.count); i++) {
  const { id } = await writeEpisodeFixture(ctx, {
    robotModel: values["robot-model"],
    robotId: values["robot-id"],
    steps: Number(values.steps),
    tags: values.tag ?? ["pick-place"],
    quality: Number(values.quality),
  });
  ids.push(id);
}
await runtime.close();
console.log(JSON.stringify({ episode_ids: ids }));
