import type { Readable } from "node:stream";
import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { requireRobot } from "@/lib/robots/access";
import { WorkItems } from "@/lib/work-queue/schemas";
import { ingestOf } from "./run-ingest";
import { Episodes } from "./schemas";

/** Queue of ingests the server starts itself once direct PUTs settle (worker line in `server/workers.ts`). */
export const AUTO_INGEST_QUEUE = "episode-auto-ingest";

export function autoIngestWorkId(episodeId: string): string {
  return `ingest_${episodeId}`;
}

export interface PutEpisodeUploadInput {
  episodeId: string;
  contentType: string | null;
  /** The body, already checked against the signed Content-Digest as it streams. */
  body: Readable;
}

/**
 * `PUT /api/rlds/upload/{episode_id}` — a robot-signed upload of the whole episode document to
 * this server (the Flutter app's flow: it asks for an upload URL with `{metadata}`, then PUTs the
 * episode as one JSON document, up to three times as it adds media, and never calls ingest).
 * Each PUT replaces the raw object until the ingest starts (then 409 `upload_closed`), and moves
 * the automatic ingest to `ingestSettleS` after it. The content type is bound to what the upload
 * was opened with (415), the size to its maximum (413, nothing stored).
 */
export async function putEpisodeUpload(
  ctx: Ctx,
  input: PutEpisodeUploadInput,
): Promise<{ episode_id: string; size_bytes: number; puts: number; ingest_after: string | null }> {
  const robot = requireRobot(ctx);
  const doc = await ctx.db.get(Episodes, input.episodeId);
  if (!doc || doc.data.robot_id !== robot.deviceId) {
    throw new DomainError("not_found", `Episode ${input.episodeId} was not found; ask for an upload URL first.`, {
      reason: "episode_not_found",
    });
  }
  const upload = doc.data.upload;
  if (!upload || upload.via !== "direct_put") {
    throw new DomainError("conflict", `Episode ${input.episodeId} uploads through its signed upload URL, not here.`, {
      reason: "not_a_direct_upload",
    });
  }
  if (ingestOf(doc.data).state !== "awaiting_upload") {
    throw new DomainError(
      "conflict",
      `Episode ${input.episodeId} is already being ingested or ingested; its upload is closed.`,
      {
        reason: "upload_closed",
      },
    );
  }
  const type = (input.contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (type !== upload.content_type) {
    throw new DomainError(
      "unsupported_media_type",
      `This upload takes Content-Type ${upload.content_type}, not "${type || "none"}".`,
      { reason: "content_type_mismatch" },
    );
  }
  const stored = await ctx.blobs.put(upload.raw_key, input.body, {
    contentType: upload.content_type,
    maxSizeBytes: upload.max_size_bytes,
  });
  const now = ctx.now();
  const nowIso = now.toISOString();
  const runAfter = new Date(now.getTime() + ctx.config.ingestSettleS * 1000).toISOString();
  const puts = await ctx.db.transaction(async (tx) => {
    const current = await tx.get(Episodes, input.episodeId);
    const workId = autoIngestWorkId(input.episodeId);
    const work = upload.auto_ingest ? await tx.get(WorkItems, workId) : null;
    if (!current || ingestOf(current.data).state !== "awaiting_upload") {
      throw new DomainError(
        "conflict",
        `Episode ${input.episodeId} started ingesting during this upload; its upload is closed.`,
        {
          reason: "upload_closed",
        },
      );
    }
    const count = (current.data.upload?.puts ?? 0) + 1;
    tx.update(Episodes, input.episodeId, { "upload.puts": count, "upload.last_put_at": nowIso });
    if (upload.auto_ingest && work?.data.status !== "running") {
      // Re-arm the one ingest item: every PUT pushes the automatic ingest back by the settle time.
      tx.set(WorkItems, workId, {
        queue: AUTO_INGEST_QUEUE,
        status: "queued",
        payload: { episode_id: input.episodeId },
        attempts: 0,
        max_attempts: 5,
        run_after: runAfter,
        lease_holder: null,
        lease_expires_at: null,
        last_error: null,
        created_at: work?.data.created_at ?? nowIso,
        updated_at: nowIso,
      });
    }
    return count;
  });
  return {
    episode_id: input.episodeId,
    size_bytes: stored.size,
    puts,
    ingest_after: upload.auto_ingest ? runAfter : null,
  };
}
