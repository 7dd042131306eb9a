/**
 * `npm run bench:ingest` — episode ingest throughput and memory, beside a floor measured in the same
 * run on the same bytes.
 *
 * For each size (default 200 MB, then 1 GB) a synthetic robotics episode (smooth joints, actions,
 * rewards; ~1 KB a step) is generated once and cached as `episode.tar.gz` under
 * `$BENCH_INGEST_DIR` (default /tmp/ingest-bench). Each round runs, in fresh child processes:
 * - the floor: SHA-256 of the uploaded file plus a plain line-by-line `JSON.parse` of the steps;
 * - the ingest: the real `ingestEpisode` verb on the embedded store and local-disk blobs (robot
 *   actor, object already uploaded): stream + hash, unpack, normalize, validate, replay index,
 *   staging, promotion to episodes/validated/, the episode document.
 * Throughput is MB of JSON Lines per second in both; peak RSS is the child's maximum resident set.
 * Rounds alternate floor and ingest (the machine is shared) and the median ratio is reported.
 * Targets: ingest ≥ 0.5 × the floor; peak RSS of the 1 GB ingest < 300 MB.
 *
 * Options: `--sizes 200,1024` (MB of JSON Lines), `--rounds 3` (rounds for the first size; later
 * sizes run once).
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const BYTES_PER_STEP = 1069; // average line length of the generator's robotics episode
const ROOT = process.env.BENCH_INGEST_DIR ?? "/tmp/ingest-bench";
const THROUGHPUT_TARGET = 0.5;
const RSS_TARGET_MB = 300;

interface ChildResult {
  seconds: number;
  cpuSeconds: number;
  maxRssMb: number;
  status?: string;
  steps?: number;
}

async function floorChild(upload: string, stepsFile: string): Promise<ChildResult> {
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  const hash = createHash("sha256");
  for await (const chunk of fs.createReadStream(upload, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  hash.digest("hex");
  let rest = "";
  let steps = 0;
  for await (const chunk of fs.createReadStream(stepsFile, { encoding: "utf8", highWaterMark: 1024 * 1024 })) {
    const lines = (rest + (chunk as string)).split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) {
      if (line) {
        JSON.parse(line);
        steps += 1;
      }
    }
  }
  const cpu = process.cpuUsage(cpu0);
  return {
    seconds: (performance.now() - started) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    steps,
  };
}

async function ingestChild(upload: string, dataDir: string, checksum: string, steps: number): Promise<ChildResult> {
  const { createRuntime } = await import("@/server/runtime");
  const { seedRobot } = await import("@/lib/ota/testing");
  const { ingestEpisode, requestEpisodeUpload } = await import("@/lib/episodes");
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.mkdirSync(dataDir, { recursive: true });
  const runtime = await createRuntime({
    NODE_ENV: "production",
    CONTINUON_DATA_DIR: dataDir,
    CONTINUON_WORKERS: "0",
    LOG_LEVEL: "warn",
    SQLITE_SYNCHRONOUS: "NORMAL",
  });
  try {
    const system = runtime.contextFor({ kind: "system", name: "bench" });
    await seedRobot(system, { deviceId: "be4c1000" });
    const robot = runtime.contextFor({ kind: "robot", deviceId: "be4c1000" });
    const grant = await requestEpisodeUpload(robot, {
      robot_id: "be4c1000",
      episode_id: "bench_episode",
      metadata: { step_count: steps },
    });
    await robot.blobs.put(
      `${grant.episode_ref}/episode.tar.gz`,
      fs.createReadStream(upload, { highWaterMark: 1024 * 1024 }),
      { contentType: "application/gzip" },
    );
    const cpu0 = process.cpuUsage();
    const started = performance.now();
    const answer = await ingestEpisode(robot, { episode_id: "bench_episode", checksum });
    const cpu = process.cpuUsage(cpu0);
    return {
      seconds: (performance.now() - started) / 1000,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
      status: answer.status,
      steps: answer.stats?.step_count ?? 0,
    };
  } finally {
    await runtime.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Generate (once) the episode of about `mb` MB of JSON Lines and its tar.gz; returns paths and sizes. */
async function prepare(mb: number) {
  const { packDirectory, writeEpisodeDirectory } = await import("@/lib/rlds/generate-episode");
  const steps = Math.round((mb * 1e6) / BYTES_PER_STEP);
  const dir = path.join(ROOT, `${steps}`);
  const episodeDir = path.join(dir, "episode");
  const stepsFile = path.join(episodeDir, "steps", "000000.jsonl");
  const upload = path.join(dir, "episode.tar.gz");
  if (!fs.existsSync(upload)) {
    console.log(`generating a ${mb} MB episode (${steps} steps) under ${dir}…`);
    fs.rmSync(dir, { recursive: true, force: true });
    await writeEpisodeDirectory(episodeDir, { steps, hz: 30, joints: 7 });
    await pipeline(packDirectory(episodeDir, { gzip: true }), fs.createWriteStream(`${upload}.part`));
    fs.renameSync(`${upload}.part`, upload);
  }
  const hash = createHash("sha256");
  for await (const chunk of fs.createReadStream(upload, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return {
    steps,
    stepsFile,
    upload,
    checksum: `sha256:${hash.digest("hex")}`,
    jsonlMb: fs.statSync(stepsFile).size / 1e6,
    uploadMb: fs.statSync(upload).size / 1e6,
  };
}

function child(args: string[]): ChildResult {
  const result = spawnSync(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), ...args], {
    encoding: "utf8",
    maxBuffer: 16 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`child ${args[0]} failed:\n${result.stderr}`);
  const last = result.stdout.trim().split("\n").pop() ?? "";
  return JSON.parse(last) as ChildResult;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === "--floor-child") {
    console.log(JSON.stringify(await floorChild(argv[1]!, argv[2]!)));
    return;
  }
  if (argv[0] === "--ingest-child") {
    console.log(JSON.stringify(await ingestChild(argv[1]!, argv[2]!, argv[3]!, Number(argv[4]))));
    return;
  }
  const { values } = parseArgs({
    args: argv,
    options: { sizes: { type: "string", default: "200,1024" }, rounds: { type: "string", default: "3" } },
  });
  const sizes = (values.sizes ?? "200,1024")
    .split(",")
    .map(Number)
    .filter((n) => n > 0);
  const firstRounds = Math.max(1, Number(values.rounds ?? 3));
  fs.mkdirSync(ROOT, { recursive: true });
  const lines: string[] = [];
  const rows: string[][] = [
    ["size", "round", "floor MB/s", "ingest MB/s", "ratio", "floor RSS", "ingest RSS", "ingest CPU s"],
  ];
  let failed = false;
  for (const [index, mb] of sizes.entries()) {
    const episode = await prepare(mb);
    const dataDir = path.join(ROOT, `data-${process.pid}`);
    const ratios: number[] = [];
    const ingestRates: number[] = [];
    const floorRates: number[] = [];
    let peakIngestRss = 0;
    let peakFloorRss = 0;
    const rounds = index === 0 ? firstRounds : 1;
    for (let round = 1; round <= rounds; round++) {
      const floor = child(["--floor-child", episode.upload, episode.stepsFile]);
      const ingest = child(["--ingest-child", episode.upload, dataDir, episode.checksum, String(episode.steps)]);
      if (ingest.status !== "validated" || ingest.steps !== episode.steps) {
        throw new Error(`the bench episode did not validate: ${JSON.stringify(ingest)}`);
      }
      const floorRate = episode.jsonlMb / floor.seconds;
      const ingestRate = episode.jsonlMb / ingest.seconds;
      ratios.push(ingestRate / floorRate);
      floorRates.push(floorRate);
      ingestRates.push(ingestRate);
      peakIngestRss = Math.max(peakIngestRss, ingest.maxRssMb);
      peakFloorRss = Math.max(peakFloorRss, floor.maxRssMb);
      rows.push([
        `${Math.round(episode.jsonlMb)} MB`,
        String(round),
        floorRate.toFixed(1),
        ingestRate.toFixed(1),
        (ingestRate / floorRate).toFixed(2),
        `${floor.maxRssMb.toFixed(0)} MB`,
        `${ingest.maxRssMb.toFixed(0)} MB`,
        ingest.cpuSeconds.toFixed(1),
      ]);
    }
    const label = mb >= 1000 ? `${Math.round(mb / 1024)}gb` : `${mb}mb`;
    const ratio = median(ratios);
    const line = (metric: string, value: number, unit: string, floor: number, r: number, target: number) =>
      JSON.stringify({
        bench: "ingest",
        metric,
        value: Number(value.toFixed(2)),
        unit,
        floor: Number(floor.toFixed(2)),
        ratio: Number(r.toFixed(3)),
        target,
      });
    lines.push(
      line(`ingest_${label}_throughput`, median(ingestRates), "MB/s", median(floorRates), ratio, THROUGHPUT_TARGET),
    );
    lines.push(
      line(`ingest_${label}_peak_rss`, peakIngestRss, "MB", peakFloorRss, peakIngestRss / peakFloorRss, RSS_TARGET_MB),
    );
    if (index === 0 && ratio < THROUGHPUT_TARGET) failed = true;
    if (mb >= 1000 && peakIngestRss >= RSS_TARGET_MB) failed = true;
    console.log(
      `episode: ${episode.steps} steps, ${episode.jsonlMb.toFixed(0)} MB of JSON Lines, uploaded as tar.gz (${episode.uploadMb.toFixed(0)} MB)`,
    );
  }
  console.log(
    rows.map((row) => row.map((cell, i) => (i < 2 ? cell.padEnd(8) : cell.padStart(12))).join(" ")).join("\n"),
  );
  for (const line of lines) console.log(line);
  if (failed) process.exitCode = 1;
}

await main();
