import type { BlobInfo } from "@/lib/blobs/port";
import type { ReplayManifest } from "@/lib/rlds/replay-index/format";
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

type FrameStreamEntry = ReplayManifest["frames"][number];

/** `id\tpath` lines of a stream's `ids_file` (frames matched by step at ingest), cached per episode version. */
async function frameIdTable(ctx: Ctx, replay: OpenedReplay, file: string): Promise<Map<string, string>> {
  const cache = replayCache<Map<string, string>>(ctx.services, "frame-id-tables", 16);
  const key = `${replay.version}|${file}`;
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const text = Buffer.from(await replay.reader.readAll(file)).toString("utf8");
  const table = new Map<string, string>();
  for (const line of text.split("\n")) {
    const tab = line.indexOf("\t");
    if (tab > 0) table.set(line.slice(0, tab), line.slice(tab + 1));
  }
  cache.set(key, table);
  return table;
}

/**
 * How the ids of a frame stream become blob paths, by the rule ingest used: the stream's
 * `ids_file` first (ids matched by step), then its path pattern, else the file-name table of
 * `index/blobs.tsv`. The returned path is not yet checked to stay under `blobs/`.
 */
export async function frameResolver(
  ctx: Ctx,
  replay: OpenedReplay,
  stream: FrameStreamEntry,
): Promise<(id: string) => string | null> {
  const ids = stream.ids_file ? await frameIdTable(ctx, replay, stream.ids_file) : null;
  const table = stream.pattern === null ? await blobTable(ctx, replay) : null;
  return (id) => {
    const listed = ids?.get(id);
    if (listed !== undefined) return listed;
    if (stream.pattern !== null) return stream.pattern.split("{id}").join(id);
    return resolveFrameBlob(id, stream.kind, table?.get(id) ?? []);
  };
}

/**
 * The frame stream a query names: its field (`observation.video_frame_id`) or, when only one
 * stream has that kind, its kind (`video`, `depth`); the first stream when none is named.
 */
export function pickFrameStream(
  episodeId: string,
  frames: readonly FrameStreamEntry[],
  wanted: string | undefined,
): FrameStreamEntry {
  const streams = frames.filter((stream) => stream.included);
  if (wanted === undefined) {
    if (streams[0] !== undefined) return streams[0];
    throw new DomainError("not_found", `Episode ${episodeId} has no camera frames.`, {
      reason: "frame_stream_not_found",
    });
  }
  const byField = streams.find((s) => s.field === wanted);
  if (byField !== undefined) return byField;
  const byKind = streams.filter((s) => s.kind === wanted);
  if (byKind.length === 1) return byKind[0]!;
  const names = streams.map((s) => `${s.field} (${s.kind})`).join(", ") || "none";
  throw new DomainError(
    "not_found",
    byKind.length > 1
      ? `Episode ${episodeId} has several "${wanted}" streams; name one by its field (streams: ${names}).`
      : `Episode ${episodeId} has no frames in "${wanted}" (streams: ${names}).`,
    { reason: "frame_stream_not_found" },
  );
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
  const stream = pickFrameStream(episodeId, manifest.frames, query.stream);

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
  const path = (await frameResolver(ctx, replay, stream))(id);
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
