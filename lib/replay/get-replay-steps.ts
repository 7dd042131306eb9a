import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { readStepOffsets, readTimestamps } from "@/lib/rlds/replay-index/read-replay-index";
import { parseInput } from "@/lib/validation";
import { isSafeFrameId, openReplay, valueAt } from "./open-replay";
import {
  MAX_WINDOW_BYTES,
  MAX_WINDOW_STEPS,
  ZReplayStepsQuery,
  type ReplayStep,
  type ReplayStepWindow,
} from "./schemas";

/**
 * A window of steps `[from, to)` for the replay: each step's canonical JSON line, its clock and
 * its frame ids. Served from the replay index with two or three byte-range reads (offsets,
 * timestamps, the steps' bytes), never by reading the steps file from the start. A window is cut
 * at {@link MAX_WINDOW_STEPS} steps or {@link MAX_WINDOW_BYTES} bytes (at least one step): the
 * answer's `to` says where it stopped. `to` past the end is clamped to the step count.
 *
 * @throws `invalid` / `step_range_invalid` when `from` is past the last step.
 */
export async function getReplaySteps(ctx: Ctx, episodeId: string, raw: unknown): Promise<ReplayStepWindow> {
  const query = parseInput(ZReplayStepsQuery, raw, "query");
  const replay = await openReplay(ctx, episodeId);
  const { manifest, reader } = replay;
  const count = manifest.step_count;
  if (query.from > count || (query.from === count && query.to > query.from)) {
    throw new DomainError(
      "invalid",
      `Step ${query.from} is past the end of episode ${episodeId} (${count} steps, 0–${count - 1}).`,
      { reason: "step_range_invalid" },
    );
  }
  const from = query.from;
  let to = Math.min(query.to, count, from + MAX_WINDOW_STEPS);
  if (to === from) return { episode_id: episodeId, from, to, step_count: count, steps: [] };

  const offsets = await readStepOffsets(reader, manifest, from, to);
  const start = offsets[0]!;
  let cut = offsets.length - 1;
  while (cut > 1 && offsets[cut]! - start > MAX_WINDOW_BYTES) cut -= 1;
  to = from + cut;
  const [bytes, clock] = await Promise.all([
    reader.read(manifest.steps_file, start, offsets[cut]!),
    readTimestamps(reader, manifest, from, to),
  ]);
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const streams = manifest.frames.map((stream) => stream.field);
  const steps: ReplayStep[] = [];
  for (let i = 0; i < cut; i++) {
    let end = offsets[i + 1]! - start;
    if (text[end - 1] === 0x0a) end -= 1;
    const json = text.toString("utf8", offsets[i]! - start, end);
    let frames: (string | null)[] = [];
    if (streams.length > 0) {
      const parsed: unknown = JSON.parse(json);
      frames = streams.map((field) => {
        const id = valueAt(parsed, field);
        return isSafeFrameId(id) ? id : null;
      });
    }
    const t = clock[i]!;
    steps.push({ index: from + i, t_us: Number.isFinite(t) ? t : null, json, frames });
  }
  return { episode_id: episodeId, from, to, step_count: count, steps };
}
