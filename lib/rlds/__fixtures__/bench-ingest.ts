/**
 * Ingest benchmark: `npx tsx lib/rlds/__fixtures__/bench-ingest.ts [steps-MB] [tar.gz|tar|json] [rounds]`.
 *
 * Generates a synthetic robotics episode of about `steps-MB` of JSON Lines (cached under the OS
 * temp dir), then measures in the same run:
 * - the floor: SHA-256 of the uploaded file plus a plain line-by-line `JSON.parse` of the steps;
 * - `processEpisode` on the uploaded file (in a child process, so its peak RSS is its own), writing
 *   the canonical episode and replay index to a temp directory.
 * Throughput is reported over the bytes of JSON Lines in both cases. The machine is shared, so
 * floor and ingest alternate for a few rounds and the median ratio is reported, with CPU seconds
 * beside wall seconds (ingest also uses a second core: zlib inflates on libuv's thread pool).
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
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  const verdict = await processEpisode({
    source: fs.createReadStream(file, { highWaterMark: 1024 * 1024 }),
    format,
    output: createDirectorySink(out),
    tempDir: path.join(out, "..", "tmp"),
  });
  const seconds = (performance.now() - started) / 1000;
  const usage = process.resourceUsage();
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(
    JSON.stringify({
      seconds,
      // All threads of the process (the parser, zlib on the thread pool, GC helpers), startup excluded.
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      maxRssMb: usage.maxRSS / 1024,
      status: verdict.status,
      steps: verdict.stats.step_count,
    }),
  );
}

async function main(): Promise<void> {
  const [, , sizeArg = "200", formatArg = "tar.gz", third, childFile, childOut] = process.argv;
  const format = formatArg as "tar.gz" | "tar" | "json";
  if (third === "--child") return ingestChild(childFile!, format, childOut!);

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

  const mb = stepsBytes / 1e6;
  const self = fileURLToPath(import.meta.url);
  const rounds = Number(third ?? 3);
  const ratios: number[] = [];
  let peakRss = 0;
  let summary = "";
  for (let round = 1; round <= rounds; round++) {
    // Floor: hash the uploaded object, then parse every line of the steps.
    const cpu0 = process.cpuUsage();
    const started = performance.now();
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
    const floorCpu = process.cpuUsage(cpu0);
    const result = spawnSync(
      process.execPath,
      ["--import", "tsx", self, sizeArg, format, "--child", upload, path.join(root, "out")],
      { encoding: "utf8", maxBuffer: 1024 * 1024 },
    );
    if (result.status !== 0) throw new Error(result.stderr);
    const run = JSON.parse(result.stdout) as {
      seconds: number;
      cpuSeconds: number;
      maxRssMb: number;
      status: string;
      steps: number;
    };
    peakRss = Math.max(peakRss, run.maxRssMb);
    const floor = mb / floorSeconds;
    const ingest = mb / run.seconds;
    ratios.push(ingest / floor);
    summary = `episode: ${run.steps} steps, ${mb.toFixed(0)} MB of JSON Lines, uploaded as ${format} (${(fs.statSync(upload).size / 1e6).toFixed(0)} MB), verdict ${run.status}`;
    console.log(
      `round ${round}: floor ${floor.toFixed(1)} MB/s (${floorSeconds.toFixed(2)} s, ${((floorCpu.user + floorCpu.system) / 1e6).toFixed(2)} s CPU)` +
        ` | ingest ${ingest.toFixed(1)} MB/s (${run.seconds.toFixed(2)} s, ${run.cpuSeconds.toFixed(2)} s CPU) | ratio ${(ingest / floor).toFixed(2)}`,
    );
  }
  ratios.sort((a, b) => a - b);
  console.log(summary);
  console.log(
    `median ingest/floor ratio: ${ratios[Math.floor(ratios.length / 2)]!.toFixed(2)}; ingest peak RSS ${peakRss.toFixed(0)} MB`,
  );
  fs.rmSync(path.join(root, "out"), { recursive: true, force: true });
}

await main();
