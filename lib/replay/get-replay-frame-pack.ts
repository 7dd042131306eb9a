import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { readStepOffsets } from "@/lib/rlds/replay-index/read-replay-index";
import { parseInput } from "@/lib/validation";
import { isSafeFrameId, openReplay, valueAt } from "./open-replay";
import { MAX_PACK_BYTES, MAX_PACK_STEPS, ZReplayFramePackQuery, type ReplayFramePackHeader } from "./schemas";
import { frameResolver, pickFrameStream } from "./resolve-replay-frame";

/** A frame pack: its header and the frames' bytes, in header order. */
export interface ReplayFramePack {
  header: ReplayFramePackHeader;
  bodies: Buffer[];
}

async function readAll(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/**
 * The camera frames of steps `[from, to)` in one answer, for playback and prefetching: one request
 * per block of steps instead of one per frame (a 30 Hz camera at 8× would otherwise ask for 240
 * images a second). Each distinct frame appears once, with the steps that show it. Cut at
 * {@link MAX_PACK_STEPS} steps or {@link MAX_PACK_BYTES} bytes (at least one frame); `to` in the
 * header says where it stopped. Frames resolve exactly as in `resolveReplayFrame`.
 *
 * @throws `not_found` / `frame_stream_not_found`; `invalid` / `step_range_invalid`.
 */
export async function getReplayFramePack(ctx: Ctx, episodeId: string, raw: unknown): Promise<ReplayFramePack> {
  const query = parseInput(ZReplayFramePackQuery, raw, "query");
  const replay = await openReplay(ctx, episodeId);
  const { manifest, reader } = replay;
  const stream = pickFrameStream(episodeId, manifest.frames, query.stream);
  if (query.from >= manifest.step_count && query.to > query.from) {
    throw new DomainError(
      "invalid",
      `Step ${query.from} is past the end of episode ${episodeId} (${manifest.step_count} steps).`,
      { reason: "step_range_invalid" },
    );
  }
  const from = query.from;
  let to = Math.min(query.to, manifest.step_count, from + MAX_PACK_STEPS);
  const header: ReplayFramePackHeader = { episode_id: episodeId, stream: stream.field, from, to, frames: [] };
  if (to <= from) return { header: { ...header, to: from }, bodies: [] };

  const offsets = await readStepOffsets(reader, manifest, from, to);
  const text = Buffer.from(await reader.read(manifest.steps_file, offsets[0]!, offsets[offsets.length - 1]!));
  const stepsOf = new Map<string, number[]>();
  for (let i = 0; i < offsets.length - 1; i++) {
    const line = text.toString("utf8", offsets[i]! - offsets[0]!, offsets[i + 1]! - offsets[0]!);
    const id = valueAt(JSON.parse(line), stream.field);
    if (!isSafeFrameId(id)) continue;
    const steps = stepsOf.get(id);
    if (steps) steps.push(from + i);
    else stepsOf.set(id, [from + i]);
  }
  const resolve = await frameResolver(ctx, replay, stream);
  const resolved = [...stepsOf].flatMap(([id, steps]) => {
    const path = resolve(id);
    if (path === null || !path.startsWith("blobs/") || path.split("/").some((part) => part === ".." || part === "")) {
      return [];
    }
    return [{ id, steps, key: `${replay.prefix}${path}` }];
  });
  // Read a few at a time; stop adding frames once the byte cap is reached.
  const bodies: Buffer[] = [];
  let offset = 0;
  const CONCURRENCY = 8;
  for (let i = 0; i < resolved.length; i += CONCURRENCY) {
    const batch = resolved.slice(i, i + CONCURRENCY);
    const reads = await Promise.all(
      batch.map(async (frame) => {
        try {
          const read = await ctx.blobs.get(frame.key);
          return { frame, contentType: read.info.contentType, bytes: await readAll(read.stream) };
        } catch {
          return null;
        }
      }),
    );
    for (const read of reads) {
      if (read === null) continue;
      if (offset > 0 && offset + read.bytes.length > MAX_PACK_BYTES) {
        // Frames are in order of first appearance: everything before this one is complete up to here.
        to = Math.max(from + 1, Math.min(...read.frame.steps));
        header.to = to;
        for (const frame of header.frames) frame.steps = frame.steps.filter((step) => step < to);
        header.frames = header.frames.filter((frame) => frame.steps.length > 0);
        return { header, bodies };
      }
      header.frames.push({
        id: read.frame.id,
        steps: read.frame.steps,
        offset,
        length: read.bytes.length,
        content_type: read.contentType,
      });
      bodies.push(read.bytes);
      offset += read.bytes.length;
    }
  }
  return { header, bodies };
}

/** A pack as bytes: a little-endian u32 header length, the header as JSON, then the frames. */
export function encodeFramePack(pack: ReplayFramePack): Buffer {
  const header = Buffer.from(JSON.stringify(pack.header));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length, 0);
  return Buffer.concat([length, header, ...pack.bodies]);
}
