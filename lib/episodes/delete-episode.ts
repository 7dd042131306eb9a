import { auditEntry } from "@/lib/audit/append-audit";
import { AuditLog } from "@/lib/audit/schemas";
import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { writes } from "@/lib/storage/typed";
import { requireUser } from "@/lib/users/authorize";
import { episodeRef, stagingRoot, tfrecordKey, validatedPrefix } from "./episode-keys";
import { requireEpisodeAccess } from "./require-episode-access";
import { ingestOf } from "./run-ingest";
import { Episodes } from "./schemas";

/**
 * Delete a quarantined (rejected) episode, or an upload that never completed: its raw upload,
 * any staging leftovers, then the document, with an audit entry in the same commit. Blobs go
 * first, so a crash midway leaves the document (and the episode in the quarantine list) for a
 * retry to finish. Validated episodes are training data and are not deleted here. Operators only.
 */
export async function deleteEpisode(ctx: Ctx, episodeId: string): Promise<{ deleted: true; blobs: number }> {
  requireUser(ctx, "operator");
  const doc = await requireEpisodeAccess(ctx, episodeId, "manage");
  const episode = doc.data;
  const state = ingestOf(episode).state;
  if (state === "processing" || state === "promoting") {
    throw new DomainError("conflict", `Episode ${episodeId} is being ingested; delete it when that is done.`, {
      reason: "ingest_in_progress",
      retryAfterS: 5,
    });
  }
  if (episode.status !== "rejected" && episode.status !== "raw") {
    throw new DomainError(
      "conflict",
      `Episode ${episodeId} is ${episode.status}; only quarantined or never-ingested episodes are deleted.`,
      { reason: "episode_not_quarantined" },
    );
  }
  let blobs = 0;
  blobs += await ctx.blobs.deletePrefix(`${episodeRef(episode.robot_id, episodeId)}/`);
  blobs += await ctx.blobs.deletePrefix(stagingRoot(episode.robot_id, episodeId));
  blobs += await ctx.blobs.deletePrefix(validatedPrefix(episode.robot_id, episodeId));
  await ctx.blobs.delete(tfrecordKey(episode.robot_id, episodeId));
  const { id, entry } = auditEntry(ctx, {
    action: "episode.delete",
    target: { type: "episode", id: episodeId },
    details: {
      robot_id: episode.robot_id,
      status: episode.status,
      checksum: episode.checksum,
      errors: episode.validation.errors.slice(0, 5).map((issue) => issue.code),
      blobs_deleted: blobs,
    },
  });
  await ctx.db.batch([
    writes.delete(Episodes, episodeId, { ifRevision: doc.revision }),
    writes.create(AuditLog, id, entry),
  ]);
  return { deleted: true, blobs };
}
