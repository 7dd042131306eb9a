import type { BlobInfo } from "@/lib/blobs/port";
import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { readStepOffsets } from "@/lib/rlds/replay-index/read-replay-index";
import { resolveFrameBlob } from "@/lib/rlds/validate/episode-validator";
import { parseInput } from "@/lib/validation";
import { isSafeFrameId, openReplay, valueAt, type OpenedReplay } from "./open-replay";
import { replayCache } from "./replay-cache";
import { FRAME_LOOKBACK_STEPS, ZReplayFrameQuery } from "./schemas";

export interface ReplayFrame {
  /** The blob key of the frame image. */
  key: string;
  info: BlobInfo;
  stream: string;
  frameId: string;
  /** For a lookup by step: the step whose frame this is (the step itself or the latest before it). */
  step: number | null;
  /** Changes when the episode's files could have changed (for ETags of derived answers). */
  version: string;
}

function frameNotFound(message: string): DomainError {
  return new DomainError("not_found", message, { reason: "frame_not_found" });
}

/** File name (with and without extension) → blob paths, from `index/blobs.tsv`; for streams without a single pattern. */
export async function blobTable(ctx: Ctx, replay: OpenedReplay): Promise<Map<string, string[]>> {
  const cache = replayCache<Map<string, string[]>>(ctx.services, "blob-tables", 8);
  const cached = cache.get(replay.version);
  if (cached !== undefined) return cached;
  const text = Buffer.from(await replay.reader.readAll(replay.manifest.blobs_file)).toString("utf8");
  const table = new Map<string, string[]>();
  for (const line of text.split("\n")) {
    const path = line.split("\t")[0];
    if (!path) continue;
    const base = path.slice(path.lastIndexOf("/") + 1);
    const dot = base.lastIndexOf(".");
    for (const name of dot > 0 ? [base, base.slice(0, dot)] : [base]) {
      const list = table.get(name);
      if (list === undefined) table.set(name, [path]);
      else list.push(path);
    }
  }
  cache.set(replay.version, table);
  return table;
}

/** Frame ids of `field` on steps `[from, to)`, read with the step offsets (one range read). */
async function frameIdsOf(replay: OpenedReplay, field: string, from: number, to: number): Promise<(string | null)[]> {
  const { manifest, reader } = replay;
  const offsets = await readStepOffsets(reader, manifest, from, to);
  const bytes = Buffer.from(await reader.read(manifest.steps_file, offsets[0]!, offsets[offsets.length - 1]!));
  const ids: (string | null)[] = [];
  for (let i = 0; i < offsets.length - 1; i++) {
    const line = bytes.toString("utf8", offsets[i]! - offsets[0]!, offsets[i + 1]! - offsets[0]!);
    const id = valueAt(JSON.parse(line), field);
    ids.push(isSafeFrameId(id) ? id : null);
  }
  return ids;
}

/**
 * Find a camera frame of an episode: by frame id, or by step (the step's own frame, else the
 * latest frame within {@link FRAME_LOOKBACK_STEPS} steps before it, as a camera slower than the
 * step rate would show). Ids resolve to blobs by the same rule ingest used (the stream's path
 * pattern, else the file-name table of `index/blobs.tsv`); only blobs under the episode's
 * `blobs/` folder are ever named. The caller serves the bytes (a ranged read, or a signed URL).
 *
 * @throws `not_found` / `frame_stream_not_found`, `frame_not_found`; `invalid` / `step_range_invalid`.
 */
export async function resolveReplayFrame(ctx: Ctx, episodeId: string, raw: unknown): Promise<ReplayFrame> {
  const query = parseInput(ZReplayFrameQuery, raw, "query");
  const replay = await openReplay(ctx, episodeId);
  const { manifest } = replay;
  const streams = manifest.frames.filter((stream) => stream.included);
  const stream = query.stream === undefined ? streams[0] : streams.find((s) => s.field === query.stream);
  if (stream === undefined) {
    throw new DomainError(
      "not_found",
      query.stream === undefined
        ? `Episode ${episodeId} has no camera frames.`
        : `Episode ${episodeId} has no frames in "${query.stream}" (streams: ${streams.map((s) => s.field).join(", ") || "none"}).`,
      { reason: "frame_stream_not_found" },
    );
  }

  let frameId: string | null = query.id ?? null;
  let step: number | null = null;
  if (query.step !== undefined) {
    if (query.step >= manifest.step_count) {
      throw new DomainError(
        "invalid",
        `Step ${query.step} is past the end of episode ${episodeId} (${manifest.step_count} steps).`,
        { reason: "step_range_invalid" },
      );
    }
    const own = await frameIdsOf(replay, stream.field, query.step, query.step + 1);
    if (own[0]) {
      frameId = own[0];
      step = query.step;
    } else {
      const from = Math.max(0, query.step - FRAME_LOOKBACK_STEPS);
      const earlier = query.step > from ? await frameIdsOf(replay, stream.field, from, query.step) : [];
      for (let i = earlier.length - 1; i >= 0; i--) {
        if (earlier[i]) {
          frameId = earlier[i]!;
          step = from + i;
          break;
        }
      }
    }
    if (frameId === null) {
      throw frameNotFound(
        `Step ${query.step} of episode ${episodeId} has no frame in "${stream.field}" (nor the ${FRAME_LOOKBACK_STEPS} steps before it).`,
      );
    }
  }
  const id = frameId!;
  let path: string | null;
  if (stream.pattern !== null) {
    path = stream.pattern.split("{id}").join(id);
  } else {
    const candidates = (await blobTable(ctx, replay)).get(id) ?? [];
    path = resolveFrameBlob(id, stream.kind, candidates);
  }
  if (
    path === null ||
    !path.startsWith("blobs/") ||
    path.split("/").some((segment) => segment === ".." || segment === "")
  ) {
    throw frameNotFound(`Frame "${id}" of "${stream.field}" is not in episode ${episodeId}.`);
  }
  const key = `${replay.prefix}${path}`;
  const info = await ctx.blobs.head(key);
  if (info === null) throw frameNotFound(`Frame "${id}" of "${stream.field}" is not in episode ${episodeId}.`);
  return { key, info, stream: stream.field, frameId: id, step, version: replay.version };
}
