import { posix } from "node:path";
import { z } from "zod";
import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { Episodes, type Episode } from "@/lib/episodes/schemas";
import { parseInput } from "@/lib/validation";
import { episodeKeys } from "./blob-refs";
import { requireTrainingReader } from "./require-training-actor";
import { TrainingJobs } from "./schemas";

/** Download links live long enough for a slow Colab session to fetch a page of episodes. */
export const DOWNLOAD_URL_TTL_S = 6 * 3600;

export const ZListJobEpisodesInput = z.object({
  cursor: z
    .string()
    .regex(/^\d{1,6}$/, "cursor is the next_cursor of the previous page.")
    .nullable()
    .optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  format: z.enum(["tfrecord", "canonical", "both"]).default("both"),
  /** Also sign the files under `blobs/` (camera frames…), which can be many. */
  include_blobs: z
    .enum(["0", "1", "true", "false"])
    .optional()
    .transform((value) => value === "1" || value === "true"),
});

export interface SignedFile {
  path: string;
  key: string;
  url: string;
  size_bytes: number;
  expires_at: string;
}

export interface JobEpisode {
  episode_id: string;
  robot_id: string;
  robot_model: string | null;
  status: Episode["status"];
  step_count: number | null;
  quality_score: number | null;
  tags: string[];
  tfrecord: SignedFile | null;
  canonical: { prefix: string; files: SignedFile[] } | null;
}

/** The episodes named by `ids`, with signed download URLs (absent episodes are skipped). */
export async function describeEpisodes(
  ctx: Ctx,
  slice: readonly string[],
  input: { format: "tfrecord" | "canonical" | "both"; include_blobs: boolean },
): Promise<JobEpisode[]> {
  const docs = await ctx.db.getMany(Episodes, slice);
  const sign = async (key: string, size: number, prefix: string): Promise<SignedFile> => {
    const signed = await ctx.blobs.signUrl({
      key,
      method: "GET",
      expiresInS: DOWNLOAD_URL_TTL_S,
      downloadName: posix.basename(key),
    });
    return { path: key.slice(prefix.length), key, url: signed.url, size_bytes: size, expires_at: signed.expiresAt };
  };
  const episodes: JobEpisode[] = [];
  for (const [index, doc] of docs.entries()) {
    const episodeId = slice[index] as string;
    if (!doc) continue; // deleted since the snapshot: the hash still names it, the page skips it
    const keys = episodeKeys(ctx.config, episodeId, doc.data);
    let tfrecord: SignedFile | null = null;
    if (input.format !== "canonical" && keys.tfrecord) {
      const info = await ctx.blobs.head(keys.tfrecord);
      if (info) tfrecord = await sign(keys.tfrecord, info.size, posix.dirname(keys.tfrecord) + "/");
    }
    let canonical: JobEpisode["canonical"] = null;
    if (input.format !== "tfrecord") {
      const listing = await ctx.blobs.list(keys.canonicalPrefix, { limit: 1000 });
      const files = listing.items.filter(
        (item) => input.include_blobs || !item.key.slice(keys.canonicalPrefix.length).startsWith("blobs/"),
      );
      canonical = {
        prefix: keys.canonicalPrefix,
        files: await Promise.all(files.map((item) => sign(item.key, item.size, keys.canonicalPrefix))),
      };
    }
    episodes.push({
      episode_id: episodeId,
      robot_id: doc.data.robot_id,
      robot_model: doc.data.robot_model,
      status: doc.data.status,
      step_count: doc.data.stats?.step_count ?? doc.data.metadata.step_count,
      quality_score: doc.data.quality?.score ?? null,
      tags: doc.data.metadata.tags,
      tfrecord,
      canonical,
    });
  }
  return episodes;
}

/**
 * A page of a job's episodes with signed download URLs: the TFRecord (when converted) and the
 * canonical files (`metadata.json`, `steps.jsonl`, index files; `blobs/` on request). Pages follow
 * the job's snapshot order; `next_cursor` is null on the last page.
 */
export async function listJobEpisodes(
  ctx: Ctx,
  jobId: string,
  rawInput: unknown = {},
): Promise<{ job_id: string; episodes: JobEpisode[]; next_cursor: string | null; total: number }> {
  requireTrainingReader(ctx);
  const input = parseInput(ZListJobEpisodesInput, rawInput ?? {}, "query");
  const job = await ctx.db.get(TrainingJobs, jobId);
  if (!job) throw new DomainError("not_found", `Training job ${jobId} was not found.`, { reason: "job_not_found" });
  const ids = job.data.config.episode_ids;
  const start = Number(input.cursor ?? 0);
  const slice = ids.slice(start, start + input.limit);
  const episodes = await describeEpisodes(ctx, slice, input);
  const next = start + slice.length;
  return { job_id: jobId, episodes, next_cursor: next < ids.length ? String(next) : null, total: ids.length };
}
