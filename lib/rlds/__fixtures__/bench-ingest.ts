/**
 * Ingest benchmark: `npx tsx lib/rlds/__fixtures__/bench-ingest.ts [steps-MB] [tar.gz|tar|json]`.
 *
 * Generates a synthetic robotics episode of about `steps-MB` of JSON Lines (cached under the OS
 * temp dir), then measures in the same run:
 * - the floor: SHA-256 of the uploaded file plus a plain line-by-line `JSON.parse` of the steps;
 * - `processEpisode` on the uploaded file (in a child process, so its peak RSS is its own), writing
 *   the canonical episode and replay index to a temp directory.
 * Throughput is reported over the bytes of JSON Lines in both cases.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { generateEpisodeJson, packDirectory, writeEpisodeDirectory } from "@/lib/rlds/generate-episode";
import { processEpisode } from "@/lib/rlds/process-episode";
import { createDirectorySink } from "@/lib/rlds/sink/episode-sink";

const BYTES_PER_STEP = 1069; // average line length of the generator's default episode

async function ingestChild(file: string, format: "tar.gz" | "tar" | "json", out: string): Promise<void> {
  fs.rmSync(out, { recursive: true, force: true });
  const started = performance.now();
  const verdict = await processEpisode({
    source: fs.createReadStream(file, { highWaterMark: 1024 * 1024 }),
    format,
    output: createDirectorySink(out),
    tempDir: path.join(out, "..", "tmp"),
  });
  const seconds = (performance.now() - started) / 1000;
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify({ seconds, maxRssMb, status: verdict.status, steps: verdict.stats.step_count }));
}

async function main(): Promise<void> {
  const [, , sizeArg = "200", formatArg = "tar.gz", child, childFile, childOut] = process.argv;
  const format = formatArg as "tar.gz" | "tar" | "json";
  if (child === "--child") return ingestChild(childFile!, format, childOut!);

  const targetMb = Number(sizeArg);
  const steps = Math.round((targetMb * 1e6) / BYTES_PER_STEP);
  const root = path.join(os.tmpdir(), "continuon-bench-ingest", `${steps}`);
  const dir = path.join(root, "episode");
  const stepsFile = path.join(dir, "steps", "000000.jsonl");
  if (!fs.existsSync(stepsFile)) {
    fs.rmSync(root, { recursive: true, force: true });
    await writeEpisodeDirectory(dir, { steps });
  }
  const upload = path.join(root, `episode.${format}`);
  if (!fs.existsSync(upload)) {
    if (format === "json") await pipeline(generateEpisodeJson({ steps }), fs.createWriteStream(upload));
    else await pipeline(packDirectory(dir, { gzip: format === "tar.gz" }), fs.createWriteStream(upload));
  }
  const stepsBytes = fs.statSync(stepsFile).size;

  // Floor: hash the uploaded object, then parse every line of the steps.
  let started = performance.now();
  const hash = createHash("sha256");
  for await (const chunk of fs.createReadStream(upload, { highWaterMark: 1024 * 1024 })) hash.update(chunk);
  hash.digest("hex");
  let rest = "";
  for await (const chunk of fs.createReadStream(stepsFile, { encoding: "utf8", highWaterMark: 1024 * 1024 })) {
    const lines = (rest + chunk).split("\n");
    rest = lines.pop()!;
    for (const line of lines) if (line) JSON.parse(line);
  }
  const floorSeconds = (performance.now() - started) / 1000;

  started = performance.now();
  const self = fileURLToPath(import.meta.url);
  const result = spawnSync(
    process.execPath,
    ["--import", "tsx", self, sizeArg, format, "--child", upload, path.join(root, "out")],
    { encoding: "utf8", maxBuffer: 1024 * 1024 },
  );
  if (result.status !== 0) throw new Error(result.stderr);
  const child_ = JSON.parse(result.stdout) as { seconds: number; maxRssMb: number; status: string; steps: number };
  const mb = stepsBytes / 1e6;
  const floor = mb / floorSeconds;
  const ingest = mb / child_.seconds;
  console.log(
    [
      `episode: ${child_.steps} steps, ${mb.toFixed(0)} MB of JSON Lines, uploaded as ${format} (${(fs.statSync(upload).size / 1e6).toFixed(0)} MB), verdict ${child_.status}`,
      `floor  (sha256 + JSON.parse per line): ${floor.toFixed(1)} MB/s`,
      `ingest (processEpisode):               ${ingest.toFixed(1)} MB/s  = ${(ingest / floor).toFixed(2)} × floor`,
      `ingest peak RSS: ${child_.maxRssMb.toFixed(0)} MB`,
    ].join("\n"),
  );
  fs.rmSync(path.join(root, "out"), { recursive: true, force: true });
}

await main();
