/**
 * Write replay test episodes into a deployment (its data folder, or the cloud deployment its env
 * names) through the runtime's ports, as ingestion leaves them (`writeReplayFixture`: the product's
 * `processEpisode` builds the canonical files and the replay index). Tests run it while a server
 * uses the same folder (SQLite allows a second writer process); the bench runs it before start.
 *
 *   npx tsx scripts/replay/seed-episodes.ts --data-dir <dir> --episode <id>:<steps>[:<frame pool>] …
 *     [--robot-id 1a2b3c4d] [--owner-uid <uid>] [--warn-at <step>]
 *
 * Prints one JSON line: {"episodes": [{"episode_id", "steps", "ms"}]}.
 */
import { parseArgs } from "node:util";
import { writeReplayFixture } from "@/lib/replay/testing/write-replay-fixture";
import { createRuntime } from "@/server/runtime";

const { values } = parseArgs({
  options: {
    "data-dir": { type: "string" },
    episode: { type: "string", multiple: true },
    "robot-id": { type: "string", default: "5e1f0a11" },
    "owner-uid": { type: "string" },
    /** Record a validation warning at this step (a timeline marker). */
    "warn-at": { type: "string" },
  },
});
if (!values["data-dir"] || !values.episode?.length) {
  console.error("--data-dir and at least one --episode <id>:<steps>[:<pool>] are required");
  process.exit(2);
}
const runtime = await createRuntime({
  ...process.env,
  CONTINUON_DATA_DIR: values["data-dir"],
  CONTINUON_WORKERS: "0",
  LOG_LEVEL: "warn",
});
const ctx = runtime.contextFor({ kind: "system", name: "seed-replay-episodes" });
const written: { episode_id: string; steps: number; ms: number }[] = [];
for (const spec of values.episode) {
  const [episodeId, steps, pool] = spec.split(":");
  const started = performance.now();
  await writeReplayFixture(ctx, {
    episodeId: episodeId!,
    steps: Number(steps),
    robotId: values["robot-id"],
    ownerUid: values["owner-uid"] ?? null,
    frames: pool ? { pool: Number(pool) } : {},
    ...(values["warn-at"] !== undefined
      ? {
          extraWarnings: [
            {
              code: "gap",
              step: Number(values["warn-at"]),
              field: "observation.robot_state.timestamp_nanos",
              message: `step ${values["warn-at"]}: the step clock jumps (a gap)`,
            },
          ],
        }
      : {}),
  });
  written.push({ episode_id: episodeId!, steps: Number(steps), ms: Math.round(performance.now() - started) });
}
await runtime.close();
console.log(JSON.stringify({ episodes: written }));
