import { PassThrough } from "node:stream";
import type { Ctx } from "@/lib/context";
import { writeEpisodeTfrecord } from "@/lib/rlds/tfrecord/write-episode-tfrecord";
import type { Doc } from "@/lib/storage/typed";
import type { WorkItem } from "@/lib/work-queue/schemas";
import { tfrecordKey, validatedPrefix } from "./episode-keys";
import { reachFaultPoint } from "./fault-point";
import { isValidatedStatus } from "./run-ingest";
import { Episodes } from "./schemas";

/**
 * Work handler of `TFRECORD_QUEUE`: convert a validated episode's canonical `steps.jsonl` into
 * `episodes/tfrecord/{robot_id}/{episode_id}.tfrecord` (one `tf.train.Example` per step, PRODUCT.md
 * §7), streamed, then record `tfrecord_ref`. The object is replaced atomically, so a crash or a
 * retry never leaves half a file under the key; the work queue retries with backoff (its items
 * survive restarts) and after the last attempt the episode shows `tfrecord.state: failed`.
 */
export async function convertEpisodeTfrecord(ctx: Ctx, item: Doc<WorkItem>): Promise<void> {
  const episodeId = String(item.data.payload.episode_id ?? "");
  const doc = await ctx.db.get(Episodes, episodeId);
  if (!doc || !isValidatedStatus(doc.data.status)) return;
  const episode = doc.data;
  const key = tfrecordKey(episode.robot_id, episodeId);
  if (episode.tfrecord?.state === "done" && episode.tfrecord_ref === key && (await ctx.blobs.head(key))) return;
  const started = ctx.now().toISOString();
  await ctx.db.update(Episodes, episodeId, {
    tfrecord: {
      state: "converting",
      records: null,
      bytes: null,
      attempts: item.data.attempts,
      error: null,
      updated_at: started,
    },
  });
  try {
    const prefix = episode.storage_ref ?? validatedPrefix(episode.robot_id, episodeId);
    const steps = await ctx.blobs.get(`${prefix}steps.jsonl`);
    const output = new PassThrough({ highWaterMark: 1024 * 1024 });
    const stored = ctx.blobs.put(key, output, { contentType: "application/octet-stream" });
    stored.catch((error: unknown) => output.destroy(error as Error));
    const written = await writeEpisodeTfrecord({ episodeId, steps: steps.stream, output });
    await stored;
    await reachFaultPoint(ctx, "tfrecord.before_done");
    await ctx.db.update(Episodes, episodeId, {
      tfrecord_ref: key,
      tfrecord: {
        state: "done",
        records: written.records,
        bytes: written.bytes,
        attempts: item.data.attempts,
        error: null,
        updated_at: ctx.now().toISOString(),
      },
    });
  } catch (error) {
    const final = item.data.attempts >= item.data.max_attempts;
    await ctx.db
      .update(Episodes, episodeId, {
        tfrecord: {
          state: final ? "failed" : "queued",
          records: null,
          bytes: null,
          attempts: item.data.attempts,
          error: (error instanceof Error ? error.message : String(error)).slice(0, 500),
          updated_at: ctx.now().toISOString(),
        },
      })
      .catch(() => undefined);
    throw error;
  }
}
