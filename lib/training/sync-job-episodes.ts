import type { Ctx } from "@/lib/context";
import { Episodes, type Episode } from "@/lib/episodes/schemas";
import { fieldValue, type UpdatePatch } from "@/lib/storage/port";
import { writes, type Doc } from "@/lib/storage/typed";
import { WorkItems, type WorkItem } from "@/lib/work-queue/schemas";
import { TrainingJobs, type TrainingJob } from "./schemas";

/** The background queue that brings a job's episodes in step with the job (durable, retried). */
export const EPISODE_SYNC_QUEUE = "training-episodes";
const CHUNK = 400;

/**
 * The work item that syncs a job's episodes, written in the same transaction as the job change
 * that calls for it: if the process stops right after, the worker finishes the job's episodes.
 * Setting it again while it waits or runs simply asks for one more (idempotent) pass.
 */
export function episodeSyncWorkItem(ctx: Ctx, jobId: string): { id: string; data: WorkItem } {
  const now = ctx.now().toISOString();
  return {
    id: `training-episodes_${jobId}`,
    data: {
      queue: EPISODE_SYNC_QUEUE,
      status: "queued",
      payload: { job_id: jobId },
      attempts: 0,
      max_attempts: 10,
      run_after: now,
      lease_holder: null,
      lease_expires_at: null,
      last_error: null,
      created_at: now,
      updated_at: now,
    },
  };
}

function isNewer(jobId: string, other: string | null): boolean {
  // Job ids are time-sortable: a larger id is a later job.
  return other === null || jobId >= other;
}

/** What one episode should become, given the job's state; null when it is already right. */
function episodePatch(jobId: string, job: TrainingJob, episode: Episode): UpdatePatch | null {
  switch (job.status) {
    case "queued":
    case "running": {
      // An episode in several active jobs shows the newest one.
      if (episode.status === "training" && episode.training_job_id === jobId) return null;
      if (episode.status === "training" && !isNewer(jobId, episode.training_job_id)) return null;
      if (episode.status === "trained" && episode.training_job_id && !isNewer(jobId, episode.training_job_id))
        return null;
      if (!["validated", "training", "trained"].includes(episode.status)) return null;
      return { status: "training", training_job_id: jobId };
    }
    case "completed": {
      const modelId = job.output?.model_id ?? null;
      const patch: UpdatePatch = {};
      if (modelId && !episode.contributed_to_models.includes(modelId)) {
        patch.contributed_to_models = fieldValue.arrayUnion(modelId);
      }
      const heldByOther =
        episode.status === "training" && episode.training_job_id !== jobId && !isNewer(jobId, episode.training_job_id);
      if (!heldByOther && (episode.status === "training" || episode.status === "validated")) {
        patch.status = "trained";
        patch.training_job_id = jobId;
      }
      return Object.keys(patch).length ? patch : null;
    }
    case "failed":
    case "cancelled": {
      if (episode.status !== "training" || episode.training_job_id !== jobId) return null;
      return { status: episode.contributed_to_models.length > 0 ? "trained" : "validated", training_job_id: null };
    }
  }
}

/**
 * Bring every episode of a job in step with the job's state: `training` while it is queued or
 * running, `trained` with the model in `contributed_to_models` once it completed, back to
 * `validated` (or `trained`, if an earlier model used it) when it failed or was cancelled. Derived
 * from the job alone, so running it twice, late, or after a crash gives the same result. Writes
 * are conditional on each episode's revision; a concurrent change fails the pass, which retries.
 */
export async function syncJobEpisodes(ctx: Ctx, jobId: string): Promise<{ changed: number }> {
  const job = await ctx.db.get(TrainingJobs, jobId);
  if (!job) return { changed: 0 };
  let changed = 0;
  const ids = job.data.config.episode_ids;
  for (let start = 0; start < ids.length; start += CHUNK) {
    const docs = await ctx.db.getMany(Episodes, ids.slice(start, start + CHUNK));
    const ops = docs
      .filter((doc): doc is Doc<Episode> => doc !== null)
      .flatMap((doc) => {
        const patch = episodePatch(jobId, job.data, doc.data);
        return patch ? [writes.update(Episodes, doc.id, patch, { ifRevision: doc.revision })] : [];
      });
    if (ops.length) await ctx.db.batch(ops);
    changed += ops.length;
  }
  return { changed };
}

/**
 * Sync now (so callers see their episodes move at once) and mark the backup work item done when
 * nobody else took it; if this fails, the worker's pass will finish it.
 */
export async function syncJobEpisodesNow(ctx: Ctx, jobId: string): Promise<void> {
  const itemId = episodeSyncWorkItem(ctx, jobId).id;
  try {
    const before = await ctx.db.get(WorkItems, itemId);
    await syncJobEpisodes(ctx, jobId);
    // Only when no later change re-armed the item meanwhile (its revision would have moved).
    if (before?.data.status === "queued") {
      await ctx.db
        .update(
          WorkItems,
          itemId,
          { status: "done", updated_at: ctx.now().toISOString() },
          { ifRevision: before.revision },
        )
        .catch(() => undefined);
    }
  } catch (error) {
    ctx.log.warn({ err: error, job: jobId }, "episode sync deferred to the background worker");
    ctx.services.notifyWork(EPISODE_SYNC_QUEUE);
  }
}
